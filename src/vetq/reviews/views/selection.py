"""The bureau's selection pages: a call's selections, running one, a selection per category
with the reason for every decision and the override form, opening its publicity, and a
publicity's management (objections to decide, the approval and its outcomes). Bureau only;
every write goes through `selecting` / `publicity`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.applications.models import Application
from vetq.applications.services import Refused
from vetq.programs.models import Call

from ..models import Objection, ObjectionState, Publicity, Selection, SelectionState
from ..publicity import objection_decide, publicity_approve, publicity_open
from ..selecting import candidate_ids, override_add, selection_run
from ..selection_queries import publicity_exclusions, publicity_list, selection_sheet


def require_bureau(user) -> None:
    if not scoping.has_role(user, Role.BUREAU_ADMIN):
        raise PermissionDenied


def _refused(request, exc: Refused) -> None:
    for message in exc.messages():
        messages.error(request, message)


@require_GET
@login_required
def selection_index(request):
    """Every call with what its review has reached: reviewed applications waiting for a
    selection, selections, and publicity periods; the way into a call's selections."""
    require_bureau(request.user)
    calls = (Call.objects.select_related("program")
             .annotate(reviewed=Count("call_categories__applications", distinct=True,
                                      filter=Q(call_categories__applications__state="reviewed")),
                       selection_count=Count("selections", distinct=True),
                       publicity_count=Count("publicities", distinct=True))
             .order_by("-year", "-pk"))
    return render(request, "reviews/selection/index.html", {"calls": calls})


@require_GET
@login_required
def selection_list(request, call_pk: int):
    """The call's selections, newest first, with their state and counts, and its publicities."""
    require_bureau(request.user)
    call = get_object_or_404(Call.objects.select_related("program"), pk=call_pk)
    selections = list(Selection.objects.filter(call=call).select_related("created_by", "publicity")
                      .annotate(override_count=Count("overrides")).order_by("-created_at", "-pk"))
    for s in selections:
        s.selected_count = len(s.result.get("selected", []))
        s.candidate_count = len(s.result.get("rows", []))
        s.has_publicity = hasattr(s, "publicity")
    return render(request, "reviews/selection/list.html", {"call": call, "selections": selections})


@require_POST
@login_required
def selection_run_view(request, call_pk: int):
    """Run the exact selection for the call; show the proposal."""
    require_bureau(request.user)
    call = get_object_or_404(Call, pk=call_pk)
    try:
        selection = selection_run(call=call, by=request.user)
    except Refused as exc:
        _refused(request, exc)
        return redirect("reviews:selection_list", call_pk=call.pk)
    messages.success(request, _("Selection computed; check it, add overrides with reasons, then "
                                "publish it for publicity."))
    return redirect("reviews:selection_detail", pk=selection.pk)


def _selection(pk: int) -> Selection:
    return get_object_or_404(Selection.objects.select_related("call__program", "created_by"), pk=pk)


@require_GET
@login_required
def selection_detail(request, pk: int):
    """Per category: rank, application, score, city cost, ✓/✗ with the reason, the tie
    lottery's order, totals against quota, target and budget; the overrides and their form."""
    require_bureau(request.user)
    selection = _selection(pk)
    sheet = selection_sheet(selection)
    return render(request, "reviews/selection/detail.html", {
        "selection": selection, "sheet": sheet,
        "proposed": selection.state == SelectionState.PROPOSED,
        "publicity": Publicity.objects.filter(selection=selection).first(),
    })


@require_POST
@login_required
def override_add_view(request, pk: int):
    """Add an override (include or exclude one application) with its written reason."""
    require_bureau(request.user)
    selection = _selection(pk)
    application_pk = request.POST.get("application", "")
    if not application_pk.isdigit() or int(application_pk) not in candidate_ids(selection):
        messages.error(request, _("Choose one of the selection's applications."))
        return redirect("reviews:selection_detail", pk=selection.pk)
    application = get_object_or_404(Application, pk=int(application_pk))
    try:
        override_add(selection=selection, application=application,
                     include=request.POST.get("include") == "1",
                     reason=request.POST.get("reason", ""), by=request.user)
    except Refused as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Override recorded with its reason; it will be shown in the "
                                    "publicity."))
    return redirect("reviews:selection_detail", pk=selection.pk)


@require_POST
@login_required
def publicity_open_view(request, pk: int):
    """Publish the selection (with its overrides) for the policy's publicity period."""
    require_bureau(request.user)
    selection = _selection(pk)
    try:
        publicity = publicity_open(selection=selection, by=request.user)
    except Refused as exc:
        _refused(request, exc)
        return redirect("reviews:selection_detail", pk=selection.pk)
    messages.success(request, _("The list is in publicity until %(end)s.")
                     % {"end": timezone.localtime(publicity.ends_at).strftime("%Y-%m-%d %H:%M")})
    return redirect("reviews:publicity_manage", pk=publicity.pk)


def _publicity(pk: int) -> Publicity:
    return get_object_or_404(Publicity.objects.select_related("call__program", "selection",
                                                              "published_by"), pk=pk)


def _manage_page(request, publicity: Publicity, *, report=None):
    objections = list(publicity.objections.select_related("application", "decided_by")
                      .order_by("state", "-lodged_at", "-pk"))
    now = timezone.now()
    return render(request, "reviews/selection/publicity_manage.html", {
        "publicity": publicity,
        "entries": publicity_list(publicity),
        "exclusions": publicity_exclusions(publicity),
        "objections": objections,
        "open_objections": sum(1 for o in objections if o.state == ObjectionState.OPEN),
        "effects": [c for c in Objection.Effect.choices if c[0]],
        "period_over": now >= publicity.ends_at,
        "report": report,
    })


@require_GET
@login_required
def publicity_manage(request, pk: int):
    """A publicity: its list, the objections with their decide forms, and the approval."""
    require_bureau(request.user)
    return _manage_page(request, _publicity(pk))


@require_POST
@login_required
def objection_decide_view(request, pk: int):
    """Uphold (remove or re-rank) or dismiss an objection, with the reason."""
    require_bureau(request.user)
    objection = get_object_or_404(Objection.objects.select_related("publicity"), pk=pk)
    upheld = request.POST.get("decision") == "uphold"
    try:
        decided = objection_decide(objection=objection, by=request.user, upheld=upheld,
                                   reason=request.POST.get("reason", ""),
                                   effect=request.POST.get("effect", "") if upheld else "")
    except Refused as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Objection decided: %(state)s.") % {"state": decided.get_state_display()})
        if decided.new_selection is not None:
            messages.info(request, _("The selection was run again for the freed place; publish the "
                                     "new proposal as a supplementary publicity."))
            return redirect("reviews:selection_detail", pk=decided.new_selection.pk)
    return redirect("reviews:publicity_manage", pk=objection.publicity_id)


@require_POST
@login_required
def publicity_approve_view(request, pk: int):
    """Approve the list into grants after the period; show each application's outcome."""
    require_bureau(request.user)
    publicity = _publicity(pk)
    try:
        report = publicity_approve(publicity=publicity, by=request.user)
    except Refused as exc:
        _refused(request, exc)
        return redirect("reviews:publicity_manage", pk=publicity.pk)
    publicity.refresh_from_db()
    return _manage_page(request, publicity, report=report)


urlpatterns = [
    path("selections/", selection_index, name="selection_index"),
    path("calls/<int:call_pk>/selections/", selection_list, name="selection_list"),
    path("calls/<int:call_pk>/selections/run/", selection_run_view, name="selection_run"),
    path("selections/<int:pk>/", selection_detail, name="selection_detail"),
    path("selections/<int:pk>/overrides/", override_add_view, name="override_add"),
    path("selections/<int:pk>/publicity/", publicity_open_view, name="publicity_open"),
    path("publicity/<int:pk>/", publicity_manage, name="publicity_manage"),
    path("objections/<int:pk>/decide/", objection_decide_view, name="objection_decide"),
    path("publicity/<int:pk>/approve/", publicity_approve_view, name="publicity_approve"),
]
