"""Public publicity pages (公示, no sign-in): the publicities, one list with its period, the
bureau's overrides and their reasons and the decided objections (never the objectors' names
or contacts), and the objection form (real name and contact, CSRF, rate-limited)."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from vetq.applications.services import Refused
from vetq.applications.states import ApplicationState

from ..models import Publicity
from ..publicity import GROUNDS_MIN, objection_lodge
from ..selection_queries import (
    decided_objections,
    publicities_listed,
    publicity_exclusions,
    publicity_list,
)


class ObjectionForm(forms.Form):
    application = forms.TypedChoiceField(label=gettext_lazy("Application"), coerce=int)
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=60)
    organisation = forms.CharField(label=gettext_lazy("Organisation"), max_length=120, required=False)
    contact = forms.CharField(label=gettext_lazy("Phone or e-mail"), max_length=120)
    grounds = forms.CharField(label=gettext_lazy("Grounds"), min_length=GROUNDS_MIN, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [
            (e.application.pk, f"{e.category.name if e.category else ''} · {e.application.title}"
                               f"（{e.application.institution.name}）")
            for e in entries if e.application.state == ApplicationState.IN_PUBLICITY
        ]


def _publicity(pk: int) -> Publicity:
    return get_object_or_404(Publicity.objects.select_related("call", "selection__call"), pk=pk)


@require_safe
def publicity_list_view(request):
    """Every publicity, newest first, with its period and whether it is open now."""
    now = timezone.now()
    publicities = list(publicities_listed())
    for p in publicities:
        p.open_now = p.closed_at is None and p.is_open(now)
    return render(request, "reviews/public/publicity_list.html", {"publicities": publicities})


@require_safe
def publicity_detail(request, pk: int):
    """The list in publicity: category, rank, school, title, score and overrides with their
    reasons; the period; the decided objections with their outcome."""
    publicity = _publicity(pk)
    now = timezone.now()
    return render(request, "reviews/public/publicity_detail.html", {
        "publicity": publicity,
        "entries": publicity_list(publicity),
        "exclusions": publicity_exclusions(publicity),
        "objections": decided_objections(publicity),
        "open_now": publicity.closed_at is None and publicity.is_open(now),
    })


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR") or ""


@require_http_methods(["GET", "POST"])
def objection_lodge_view(request, pk: int):
    """The objection form; refusals (anonymous, late, too many) are shown on the form."""
    publicity = _publicity(pk)
    entries = publicity_list(publicity)
    form = ObjectionForm(request.POST if request.method == "POST" else None, entries=entries,
                         initial={"application": request.GET.get("application")})
    refusal: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        application = next(e.application for e in entries if e.application.pk == data["application"])
        try:
            objection_lodge(publicity=publicity, application=application, name=data["name"],
                            organisation=data["organisation"], contact=data["contact"],
                            grounds=data["grounds"], client_ip=client_ip(request))
        except Refused as exc:
            refusal = exc.messages()
        else:
            messages.success(request, _("Your objection was received. The bureau will decide it with a "
                                        "reason and publish the outcome here."))
            return redirect("public:publicity_detail", pk=publicity.pk)
    now = timezone.now()
    return render(request, "reviews/public/publicity_objection.html", {
        "publicity": publicity, "form": form, "refusal": refusal,
        "open_now": publicity.closed_at is None and publicity.is_open(now),
    }, status=400 if refusal or (request.method == "POST" and not form.is_valid()) else 200)


urlpatterns = [
    path("publicity/", publicity_list_view, name="publicity_list"),
    path("publicity/<int:pk>/", publicity_detail, name="publicity_detail"),
    path("publicity/<int:pk>/objection/", objection_lodge_view, name="objection_lodge"),
]
