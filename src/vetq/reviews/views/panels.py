"""The bureau's panel pages: the list of panels with their progress, setting one up, and one
panel with its applications, its draw notice (digest, pool, conflicts and why), the public
value, the drawn members and reserves, the assignment matrix, hand additions and declines.
An expert reaches only its own decline page. Writes go through `reviews.panels`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.applications.services import Refused

from .. import panel_queries, panels
from ..conflicts import REASONS
from ..forms_panels import DeclineForm, DrawAnnounceForm, DrawPerformForm, MemberAddForm, PanelCreateForm
from ..models import Draw, Panel, PanelMember, PanelState

PAGE_SIZE = 50


def require_bureau(user) -> None:
    if not scoping.has_role(user, Role.BUREAU_ADMIN):
        raise PermissionDenied


def _refused(request, refusal: Refused) -> None:
    for message in refusal.messages():
        messages.warning(request, message)


def _panel(pk: int) -> Panel:
    return get_object_or_404(
        Panel.objects.select_related("call_category__call", "call_category__category", "created_by",
                                     "check_round"),
        pk=pk)


@require_GET
@login_required
def panel_list(request):
    """Every panel by call: category, state, applications, reviews submitted of assigned."""
    require_bureau(request.user)
    page = Paginator(panel_queries.panels_listed(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reviews/panels/list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@login_required
def panel_create(request):
    """Set up a panel for a call category's eligible applications."""
    require_bureau(request.user)
    form = PanelCreateForm(request.POST or None,
                           initial={"call_category": request.GET.get("call_category")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            panel = panels.panel_create(call_category=data["call_category"], by=request.user,
                                        name=data["name"], review_deadline=data["review_deadline"])
        except Refused as refusal:
            _refused(request, refusal)
        else:
            messages.success(request, _("Panel set up: %(name)s") % {"name": panel.name})
            return redirect("reviews:panel_detail", pk=panel.pk)
    return render(request, "reviews/panels/create.html", {"form": form})


def _reason_labels(codes) -> list[str]:
    return [_(REASONS.get(code, code)) for code in codes]


def panel_page(request, panel: Panel, *, bound: dict | None = None, status: int = 200):
    """The panel page; `bound` carries a refused form back to its place."""
    bound = bound or {}
    related = ("institution__region", "project") if panel.check_round_id else ("institution__region",)
    applications = list(panel.applications.select_related(*related).order_by("pk"))
    draw = Draw.objects.filter(panel=panel).select_related("announced_by", "performed_by").first()
    context = {"panel": panel, "applications": applications, "draw": draw,
               "now": timezone.now(), "states": PanelState}
    if panel.state == PanelState.DRAFT:
        context["announce_form"] = bound.get("announce") or DrawAnnounceForm()
    if draw is not None:
        groups = panel_queries.conflicts_grouped(draw.inputs, with_names=True)
        for group in groups:
            for row in group.rows:
                row.labels = _reason_labels(row.reasons)
        summary = panel_queries.notice_summary(draw.inputs)
        context.update(conflicts=groups, pool_size=summary["pool"], summary=summary)
        if panel.state == PanelState.ANNOUNCED:
            context["perform_form"] = bound.get("perform") or DrawPerformForm()
    if draw is not None and draw.performed:
        members, reserves = panel_queries.panel_seats(panel)
        context.update(members=members, reserves=reserves,
                       matrix=panel_queries.assignment_matrix(panel, applications),
                       given_up=panel_queries.given_up(panel))
        if panel.state == PanelState.REVIEWING:
            context["add_form"] = bound.get("add") or MemberAddForm(panel=panel)
            context["decline_form"] = DeclineForm()
    return render(request, "reviews/panels/detail.html", context, status=status)


@require_GET
@login_required
def panel_detail(request, pk: int):
    require_bureau(request.user)
    return panel_page(request, _panel(pk))


@require_POST
@login_required
def draw_announce(request, pk: int):
    """Publish the draw notice; a refusal (short pool, named) is shown on the page."""
    require_bureau(request.user)
    panel = _panel(pk)
    form = DrawAnnounceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            draw = panels.draw_announce(
                panel=panel, by=request.user, public_value_source=data["public_value_source"],
                public_value_expected=data["public_value_expected"],
                industries=[i.code for i in data["industries"]])
        except Refused as refusal:
            _refused(request, refusal)
        else:
            messages.success(request, _("The draw notice is published; its digest is %(digest)s.")
                             % {"digest": draw.inputs_digest})
            return redirect("reviews:panel_detail", pk=panel.pk)
    panel.refresh_from_db()
    return panel_page(request, panel, bound={"announce": form}, status=400 if form.errors else 200)


@require_POST
@login_required
def draw_perform(request, pk: int):
    """Enter the public value and perform the draw."""
    require_bureau(request.user)
    panel = _panel(pk)
    form = DrawPerformForm(request.POST)
    if form.is_valid():
        try:
            draw = panels.draw_perform(panel=panel, by=request.user,
                                       public_value=form.cleaned_data["public_value"])
        except Refused as refusal:
            _refused(request, refusal)
        else:
            messages.success(request, _("The draw is performed; its seed is %(seed)s.")
                             % {"seed": draw.seed})
            return redirect("reviews:panel_detail", pk=panel.pk)
    panel.refresh_from_db()
    return panel_page(request, panel, bound={"perform": form}, status=400 if form.errors else 200)


@require_POST
@login_required
def member_add(request, pk: int):
    """Assign an expert to an application by hand, with a reason; a conflict is refused."""
    require_bureau(request.user)
    panel = _panel(pk)
    form = MemberAddForm(request.POST, panel=panel)
    if form.is_valid():
        data = form.cleaned_data
        try:
            panels.member_add(panel=panel, expert=data["expert"], application=data["application"],
                              by=request.user, reason=data["reason"])
        except Refused as refusal:
            _refused(request, refusal)
        else:
            messages.success(request, _("%(code)s now reviews %(title)s.")
                             % {"code": data["expert"].code, "title": data["application"].title})
            return redirect("reviews:panel_detail", pk=panel.pk)
    panel.refresh_from_db()
    return panel_page(request, panel, bound={"add": form}, status=400 if form.errors else 200)


def _decline_report(request, replacements) -> None:
    for r in replacements:
        if r.new is not None:
            messages.info(request, _("%(title)s: reserve %(code)s takes the place.")
                          % {"title": r.old.application.title, "code": r.new.expert.code})
        else:
            messages.warning(request, _("%(title)s: no reserve fits (each has declined, conflicts, "
                                        "already reviews it or is at the maximum load); add an "
                                        "expert by hand.") % {"title": r.old.application.title})


def _own_seat(request, panel: Panel) -> PanelMember:
    """The signed-in expert's seat on the panel, or 404 (nothing about the others)."""
    if not scoping.has_role(request.user, Role.EXPERT):
        raise Http404
    return get_object_or_404(PanelMember.objects.select_related("expert"), panel=panel,
                             expert__user_id=request.user.pk, declined_at__isnull=True)


@require_http_methods(["GET", "POST"])
@login_required
def member_decline(request, pk: int):
    """A seat on the panel given up, with its reason: the bureau names the seat (`member`),
    an expert declines its own (it sees only its own seat). The expert's open assignments
    go to reserves; any application no reserve fits is reported."""
    panel = _panel(pk)
    bureau = scoping.has_role(request.user, Role.BUREAU_ADMIN)
    if bureau and request.method == "POST" and request.POST.get("member"):
        seat = get_object_or_404(PanelMember.objects.select_related("expert"), panel=panel,
                                 pk=panels_int(request.POST.get("member")))
    elif bureau and request.method == "GET" and not scoping.has_role(request.user, Role.EXPERT):
        return redirect("reviews:panel_detail", pk=panel.pk)
    else:
        seat = _own_seat(request, panel)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            replacements = panels.member_decline(member=seat, by=request.user,
                                                 reason=form.cleaned_data["reason"])
        except Refused as refusal:
            _refused(request, refusal)
        else:
            if bureau:
                messages.success(request, _("%(code)s has declined.") % {"code": seat.expert.code})
                _decline_report(request, replacements)
                return redirect("reviews:panel_detail", pk=panel.pk)
            messages.success(request, _("You have declined your seat on this panel."))
            return redirect("reviews:my_assignments")
        if bureau:
            return redirect("reviews:panel_detail", pk=panel.pk)
    elif request.method == "POST" and bureau:
        for error in form.errors.get("reason", []):
            messages.warning(request, error)
        return redirect("reviews:panel_detail", pk=panel.pk)
    count = seat.expert.assignments.filter(panel=panel, active=True).count()
    return render(request, "reviews/panels/decline.html",
                  {"panel": panel, "seat": seat, "form": form, "count": count})


def panels_int(value) -> int:
    try:
        number = int(str(value or "").strip())
    except ValueError as error:
        raise Http404 from error
    if number < 1:
        raise Http404
    return number


urlpatterns = [
    path("panels/", panel_list, name="panel_list"),
    path("panels/new/", panel_create, name="panel_create"),
    path("panels/<int:pk>/", panel_detail, name="panel_detail"),
    path("panels/<int:pk>/announce/", draw_announce, name="draw_announce"),
    path("panels/<int:pk>/perform/", draw_perform, name="draw_perform"),
    path("panels/<int:pk>/members/add/", member_add, name="member_add"),
    path("panels/<int:pk>/decline/", member_decline, name="member_decline"),
]
