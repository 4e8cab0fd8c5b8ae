"""Application lists for every role, the region's recommendation queue (order, recommend,
return) and the bureau's formal check. Reads go through `queries`, writes through
`services.application_transition` and `recommendation.applications_rank`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.core.excel import XLSX_CONTENT_TYPE
from vetq.institutions.models import Region
from vetq.programs.models import Call, CallCategory, CallState, Category

from .. import exports, queries
from ..queries import ListFilters
from ..recommendation import applications_rank
from ..services import Refused, application_transition
from ..states import ApplicationState

# Who has applications of their own to list. Experts reach theirs through their
# assignments, finance officers and departments through projects: the list refuses them.
LIST_ROLES = frozenset({Role.BUREAU_ADMIN, Role.REGION_OFFICER, Role.SCHOOL_USER})
REGION_ACTIONS = frozenset({"recommend", "return"})
FORMAL_ACTIONS = frozenset({"mark_eligible", "mark_ineligible"})
COMMENT_MAX = 2000
PAGE_SIZE = 50


def _require_any(user, roles) -> None:
    if not scoping.roles_of(user) & roles:
        raise PermissionDenied


def _filter_choices(user) -> dict:
    """The filter options the user's scope allows: the region filter only for the bureau,
    the school filter for the bureau and regions (a school sees only its own)."""
    roles = scoping.roles_of(user)
    bureau = Role.BUREAU_ADMIN in roles
    schools = None
    if bureau or Role.REGION_OFFICER in roles:
        schools = scoping.institutions_for(user).select_related("region").order_by(
            "region__order", "code"
        )
    elif len(scoping.own_institutions(user)) > 1:
        schools = scoping.own_institutions(user)
    return {
        "calls": Call.objects.exclude(state=CallState.DRAFT).order_by("-year"),
        "categories": Category.objects.filter(active=True).order_by("order", "code"),
        "regions": Region.objects.all() if bureau else None,
        "schools": schools,
        "states": ApplicationState.choices,
    }


@require_GET
@login_required
def application_list(request):
    """Applications in the user's scope, filterable by call, category, region, school and
    state, searchable by title; the results alone when htmx asks for them."""
    _require_any(request.user, LIST_ROLES)
    filters = ListFilters.from_query(request.GET)
    listed = queries.applications_listed(scoping.applications_for(request.user), filters)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "filters": filters}
    if request.htmx:
        return render(request, "applications/_results.html", context)
    return render(request, "applications/list.html", {**context, **_filter_choices(request.user)})


@require_GET
@login_required
def application_export(request):
    """Every application of the list, with its filters, as .xlsx."""
    _require_any(request.user, LIST_ROLES)
    content = exports.applications_export(
        scoping.applications_for(request.user), ListFilters.from_query(request.GET)
    )
    filename = f"applications-{timezone.localdate():%Y%m%d}.xlsx"
    return HttpResponse(
        content, content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


def _refused(request, refusal: Refused) -> None:
    for message in refusal.messages():
        messages.warning(request, message)


def _comment(request) -> str | None:
    """The posted comment, or None (with a message) when it is too long to keep."""
    comment = request.POST.get("comment", "").strip()
    if len(comment) > COMMENT_MAX:
        messages.warning(request, _("The comment is too long (at most %(count)d characters).")
                         % {"count": COMMENT_MAX})
        return None
    return comment


def _moves(applications: list) -> None:
    """Give each application the whole order it would take moving one place up or down."""
    ids = [a.pk for a in applications]
    for index, application in enumerate(applications):
        up = down = None
        if index > 0:
            up = ids.copy()
            up[index - 1], up[index] = up[index], up[index - 1]
        if index < len(ids) - 1:
            down = ids.copy()
            down[index], down[index + 1] = down[index + 1], down[index]
        application.moves = [(up, _("Move up"), "↑"), (down, _("Move down"), "↓")]


def _own_regions(user) -> list:
    regions = scoping.own_regions(user)
    if not regions:
        raise PermissionDenied
    return regions


@require_GET
@login_required
def region_queue(request):
    """The region officer's queue: per open call and category, its schools' submitted and
    recommended applications in the region's order, with the per-region cap."""
    regions = _own_regions(request.user)
    queues = queries.region_queues(
        scoping.applications_for(request.user), regions, timezone.now()
    )
    for queue in queues:
        for entry in queue.calls:
            for group in entry.categories:
                _moves(group.applications)
    return render(request, "applications/region_queue.html",
                  {"queues": queues, "many_regions": len(regions) > 1})


def _queue_anchor(url_name: str, call_category_id: int):
    return redirect(f"{reverse(url_name)}#call-category-{call_category_id}")


@require_POST
@login_required
def region_decide(request, pk: int, action: str):
    """Recommend or return (with a comment) one application, then back to the queue."""
    if action not in REGION_ACTIONS:
        raise Http404
    regions = _own_regions(request.user)
    application = get_object_or_404(
        scoping.applications_for(request.user).filter(institution__region__in=regions)
        .select_related("institution"),
        pk=pk,
    )
    comment = _comment(request)
    if comment is not None:
        try:
            application_transition(application=application, action=action, by=request.user,
                                   comment=comment)
        except Refused as refusal:
            _refused(request, refusal)
        else:
            done = (_("Recommended: %(title)s") if action == "recommend"
                    else _("Returned to the school for revision: %(title)s"))
            messages.success(request, done % {"title": application.title})
    return _queue_anchor("applications:region_queue", application.call_category_id)


@require_POST
@login_required
def region_order(request):
    """Save the region's order of one call category's applications."""
    _own_regions(request.user)
    call_category = get_object_or_404(
        CallCategory.objects.select_related("call"),
        pk=queries.positive_int(request.POST.get("call_category", "")),
    )
    region = get_object_or_404(Region, pk=queries.positive_int(request.POST.get("region", "")))
    try:
        applications_rank(region=region, call_category=call_category,
                          ordered_ids=request.POST.getlist("ids"), by=request.user)
    except Refused as refusal:
        _refused(request, refusal)
    else:
        messages.success(request, _("The order is saved."))
    return _queue_anchor("applications:region_queue", call_category.pk)


@require_GET
@login_required
def formal_check(request):
    """The bureau's formal check: recommended applications by call and category."""
    _require_any(request.user, {Role.BUREAU_ADMIN})
    calls = queries.formal_check_queue(scoping.applications_for(request.user))
    return render(request, "applications/formal_check.html",
                  {"calls": calls, "now": timezone.now()})


@require_POST
@login_required
def formal_decide(request, pk: int, action: str):
    """Pass or fail (with a reason) one recommended application, then back to the queue."""
    if action not in FORMAL_ACTIONS:
        raise Http404
    _require_any(request.user, {Role.BUREAU_ADMIN})
    application = get_object_or_404(scoping.applications_for(request.user), pk=pk)
    comment = _comment(request)
    if comment is not None:
        try:
            application_transition(application=application, action=action, by=request.user,
                                   comment=comment)
        except Refused as refusal:
            _refused(request, refusal)
        else:
            done = (_("Passed the formal check: %(title)s") if action == "mark_eligible"
                    else _("Failed the formal check: %(title)s"))
            messages.success(request, done % {"title": application.title})
    return _queue_anchor("applications:formal_check", application.call_category_id)


urlpatterns = [
    path("", application_list, name="list"),
    path("export.xlsx", application_export, name="export"),
    path("region/", region_queue, name="region_queue"),
    path("region/order/", region_order, name="region_order"),
    path("region/<int:pk>/<str:action>/", region_decide, name="region_decide"),
    path("formal-check/", formal_check, name="formal_check"),
    path("formal-check/<int:pk>/<str:action>/", formal_decide, name="formal_decide"),
]
