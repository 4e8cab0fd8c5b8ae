"""Changes to a project (项目变更): the school's request form (a new lead person, goals or
budget by item, with its reason), one request with its before and after side by side, the
bureau's decision and the school's withdrawal, and the bureau's list of requests with its
filters and Excel export.

Projects are found through `views.project_get` (outside the user's scope: 404); writes go
through `projects.changes`, and a refused request comes back with what was typed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.core.excel import XLSX_CONTENT_TYPE
from vetq.institutions.models import Region
from vetq.programs.models import Category

from . import change_queries
from .change_exports import changes_export
from .changes import (
    budget_items,
    change_decide,
    change_request,
    change_stale,
    change_value,
    change_withdraw,
    may_request_changes,
)
from .forms_changes import ChangeDecisionForm, ChangeRequestForm, budget_inputs, budget_post
from .models import ChangeKind, ChangeState
from .services import ProjectRefused
from .views import project_get

PAGE_SIZE = 50


def _require_bureau(user) -> None:
    if not scoping.has_role(user, Role.BUREAU_ADMIN):
        raise PermissionDenied


def _project_back(project):
    return redirect(reverse("projects:detail", args=[project.pk]) + "#changes-heading")


def _new_page(request, project, kind: str, form: ChangeRequestForm, lines: list[dict],
              refusal: list[str] | None = None, status: int = 200):
    items = budget_items(project)
    return render(request, "projects/changes/new.html", {
        "project": project,
        "kind": kind,
        "kind_label": ChangeKind(kind).label,
        "form": form,
        "current": change_value(project, kind),
        "budget_rows": budget_inputs(items, lines) if kind == ChangeKind.BUDGET else [],
        "budget_now": change_queries.budget_now(project) if kind == ChangeKind.BUDGET else None,
        "refusal": refusal or [],
    }, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def change_new(request, pk: int, kind: str):
    """The school asks for a change of its project's lead person, goals or budget items."""
    project = project_get(request, pk)
    if kind not in ChangeKind.values:
        raise Http404
    if not may_request_changes(request.user, project):
        raise PermissionDenied
    items = budget_items(project)
    if request.method == "GET":
        now = change_value(project, kind)
        form = ChangeRequestForm(initial={"lead_name": project.lead_name,
                                          "goals": project.goals})
        return _new_page(request, project, kind, form, now.get("budget", []))
    form = ChangeRequestForm(request.POST)
    lines = budget_post(request.POST, items)
    if not form.is_valid():
        return _new_page(request, project, kind, form, lines,
                         refusal=[_("Nothing was sent: please check the form below.")])
    data = form.cleaned_data
    after = {ChangeKind.LEAD: {"lead_name": data["lead_name"]},
             ChangeKind.GOALS: {"goals": data["goals"]},
             ChangeKind.BUDGET: {"budget": lines}}[ChangeKind(kind)]
    try:
        change_request(project=project, kind=kind, after=after, reason=data["reason"],
                       by=request.user)
    except ProjectRefused as refusal:
        return _new_page(request, project, kind, form, lines, refusal=[str(refusal)])
    messages.success(request, _("Your change request was sent to the education bureau."))
    return _project_back(project)


def _change_get(request, pk: int, change_pk: int):
    project = project_get(request, pk)
    change = get_object_or_404(project.changes.select_related(
        "requested_by", "decided_by", "project__application"), pk=change_pk)
    return project, change


def _detail_page(request, project, change, *, form: ChangeDecisionForm | None = None,
                 refusal: list[str] | None = None):
    pending = change.state == ChangeState.PENDING
    is_bureau = scoping.has_role(request.user, Role.BUREAU_ADMIN)
    return render(request, "projects/changes/detail.html", {
        "project": project,
        "change": change_queries.change_shown(change),
        "decision_form": (form or ChangeDecisionForm()) if pending and is_bureau else None,
        "may_withdraw": pending and may_request_changes(request.user, project,
                                                        active_only=False),
        "stale": pending and change_stale(project, change),
        "refusal": refusal or [],
    })


@require_GET
@login_required
def change_detail(request, pk: int, change_pk: int):
    """One change request: before and after side by side, its reason and decision."""
    project, change = _change_get(request, pk, change_pk)
    return _detail_page(request, project, change)


@require_POST
@login_required
def change_decide_view(request, pk: int, change_pk: int):
    """The bureau approves or rejects a waiting change request."""
    project, change = _change_get(request, pk, change_pk)
    _require_bureau(request.user)
    form = ChangeDecisionForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, project, change, form=form,
                            refusal=[_("Nothing was decided: please check the form below.")])
    approve = form.cleaned_data["decision"] == "approve"
    try:
        change_decide(change=change, approve=approve, comment=form.cleaned_data["comment"],
                      by=request.user)
    except ProjectRefused as refusal:
        change.refresh_from_db()
        return _detail_page(request, project, change, form=form, refusal=[str(refusal)])
    messages.success(request, _("The change was approved and is now part of the project.")
                     if approve else _("The change request was rejected."))
    return _project_back(project)


@require_POST
@login_required
def change_withdraw_view(request, pk: int, change_pk: int):
    """The school withdraws its waiting change request."""
    project, change = _change_get(request, pk, change_pk)
    if not may_request_changes(request.user, project, active_only=False):
        raise PermissionDenied
    try:
        change_withdraw(change=change, by=request.user)
    except ProjectRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("projects:change_detail", pk=project.pk, change_pk=change.pk)
    messages.success(request, _("The change request was withdrawn."))
    return _project_back(project)


@require_GET
@login_required
def change_list(request):
    """The bureau's change requests, those waiting first; filterable by state, kind,
    category, region and school."""
    _require_bureau(request.user)
    changes = change_queries.changes_for(request.user)
    filters = change_queries.ChangeFilters.from_query(request.GET)
    listed = change_queries.changes_listed(changes, filters)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    for change in page:
        change_queries.change_shown(change)
    context = {"page": page, "filters": filters, "export_query": urlencode(filters.query())}
    if request.htmx:
        return render(request, "projects/changes/_results.html", context)
    return render(request, "projects/changes/list.html", {
        **context,
        "states": ChangeState.choices,
        "all_states": change_queries.ALL_STATES,
        "kinds": ChangeKind.choices,
        "categories": Category.objects.filter(active=True).order_by("order", "code"),
        "regions": Region.objects.all(),
        "schools": change_queries.schools_with_changes(changes),
    })


@require_GET
@login_required
def change_export(request):
    """The listed change requests as Excel, with the list's filters."""
    _require_bureau(request.user)
    content = changes_export(change_queries.changes_for(request.user),
                             change_queries.ChangeFilters.from_query(request.GET))
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = \
        f'attachment; filename="project-changes-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


urlpatterns = [
    path("changes/", change_list, name="change_list"),
    path("changes/export.xlsx", change_export, name="change_export"),
    path("<int:pk>/changes/new/<str:kind>/", change_new, name="change_new"),
    path("<int:pk>/changes/<int:change_pk>/", change_detail, name="change_detail"),
    path("<int:pk>/changes/<int:change_pk>/decide/", change_decide_view, name="change_decide"),
    path("<int:pk>/changes/<int:change_pk>/withdraw/", change_withdraw_view,
         name="change_withdraw"),
]
