"""The project pages: the list in the user's scope with its filters and Excel export, one
project with its plan, money, acceptance and history, and the bureau's extension of the
construction period. Projects are looked up through `queries.projects_for` (outside it: 404);
writes go through `projects.services`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.applications.forms import budget_table
from vetq.core.excel import XLSX_CONTENT_TYPE
from vetq.funding.ledger import grant_balances
from vetq.institutions.models import Region
from vetq.programs.models import Category

from . import queries
from .change_queries import EVENT_LABELS as CHANGE_EVENT_LABELS
from .change_queries import changes_section
from .check_queries import EVENT_LABELS as CHECK_EVENT_LABELS
from .check_queries import project_checks
from .evaluation_queries import EVENT_LABELS as EVALUATION_EVENT_LABELS
from .evaluation_queries import evaluations_section
from .exports import projects_export
from .forms import ExtensionForm
from .models import ProjectState, Rating
from .periods import extension_latest
from .report_queries import project_reports
from .services import ProjectRefused, project_extend, project_rules

PAGE_SIZE = 50
FORM_REFUSED = gettext_lazy("Nothing was changed: please check the form below.")
TRANCHE_STATES = {
    "withheld": gettext_lazy("Withheld"),
    "paid": gettext_lazy("Paid"),
    "payable": gettext_lazy("Payable now"),
    "waiting": gettext_lazy("Waiting for its condition"),
    "stopped": gettext_lazy("Not payable: the grant is not active"),
}
EVENT_LABELS = {
    "create": gettext_lazy("Project created on approval"),
    "extend": gettext_lazy("Construction period extended"),
    "rated": gettext_lazy("Rated at acceptance"),
    "recovery_decided": gettext_lazy("Recovery decided"),
    **CHECK_EVENT_LABELS,
    **CHANGE_EVENT_LABELS,
    **EVALUATION_EVENT_LABELS,
}
FIELD_LABELS = {
    "state": gettext_lazy("State"),
    "lead_name": gettext_lazy("Lead person"),
    "ends_on": gettext_lazy("Construction ends"),
    "extended_to": gettext_lazy("Extended to"),
    "rating": gettext_lazy("Acceptance rating"),
}


def _require_reader(user) -> None:
    if not queries.may_read_projects(user):
        raise PermissionDenied


def project_get(request, pk: int):
    """The project `pk` if the user may read it (404 otherwise), with what its page shows."""
    return get_object_or_404(
        queries.projects_for(request.user).select_related(
            "application", "category", "institution__region", "grant__program",
            "grant__payer_region",
        ),
        pk=pk,
    )


@require_GET
@login_required
def project_list(request):
    """Projects in the user's scope with their construction period, state, rating and money;
    filterable by category, region, school, state and rating."""
    _require_reader(request.user)
    projects = queries.projects_for(request.user)
    filters = queries.ProjectFilters.from_query(request.GET)
    listed = queries.projects_listed(projects, filters)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "filters": filters, "export_query": urlencode(filters.query())}
    if request.htmx:
        return render(request, "projects/_results.html", context)
    return render(request, "projects/list.html", {
        **context,
        "categories": Category.objects.filter(active=True).order_by("order", "code"),
        "regions": Region.objects.all(),
        "schools": queries.schools_listed(projects),
        "states": ProjectState.choices,
        "ratings": Rating.choices,
        "unrated": queries.UNRATED,
    })


@require_GET
@login_required
def project_export(request):
    """The listed projects as Excel, with the list's filters."""
    _require_reader(request.user)
    content = projects_export(queries.projects_for(request.user),
                              queries.ProjectFilters.from_query(request.GET))
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = \
        f'attachment; filename="projects-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


def _events(project) -> list:
    events = list(project.events.select_related("by"))
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
        # Fields both sides record: a creation has no before, a recovery no project state.
        event.changes = [
            {"label": label, "before": _shown(key, event.before.get(key)),
             "after": _shown(key, event.after.get(key))}
            for key, label in FIELD_LABELS.items()
            if key in event.before and key in event.after
            and event.before[key] != event.after[key]
        ]
    return events


def _shown(key: str, value):
    """A value of an event's before or after as the page shows it: states and ratings by
    their labels, dates as written."""
    choices = {"state": ProjectState, "rating": Rating}.get(key)
    if choices is not None and value in choices.values:
        return choices(value).label
    return value


def project_page(request, project, *, refusal: list[str] | None = None,
                 extension_form: ExtensionForm | None = None):
    """The project page; a refused extension comes back with its form as typed."""
    today = timezone.localdate()
    is_bureau = scoping.has_role(request.user, Role.BUREAU_ADMIN)
    tranches = queries.project_tranches(project, today)
    for tranche in tranches:
        tranche.status_label = TRANCHE_STATES[tranche.status]
    may_extend = is_bureau and project.state == ProjectState.ACTIVE and project.extended_to is None
    max_days = project_rules(project.grant.program).extension_max_days
    context = {
        "project": project,
        "grant": project.grant,
        "budget": budget_table(_BudgetSource(project)),
        "balances": grant_balances(project.grant),
        "tranches": tranches,
        "events": _events(project),
        "extension_form": (extension_form or ExtensionForm()) if may_extend else None,
        "extension_latest": extension_latest(project.ends_on, max_days),
        "can_rate": is_bureau,
        "progress_reports": project_reports(project, today),
        "report_rules": project_rules(project.grant.program),
        "changes_section": changes_section(request.user, project),
        "evaluations_section": evaluations_section(request.user, project, today),
        "checks": project_checks(project, today),
        "refusal": refusal or [],
    }
    return render(request, "projects/detail.html", context)


class _BudgetSource:
    """The project's budget plan read with the item names of its application's form."""

    def __init__(self, project):
        self.form = project.application.form
        self.budget = project.budget


@require_GET
@login_required
def project_detail(request, pk: int):
    """One project: plan, construction period, money, acceptance and history."""
    return project_page(request, project_get(request, pk))


@require_POST
@login_required
def project_extend_view(request, pk: int):
    """The bureau extends the construction period once, with a reason (R31)."""
    project = project_get(request, pk)
    if not scoping.has_role(request.user, Role.BUREAU_ADMIN):
        raise PermissionDenied
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        return project_page(request, project, refusal=[str(FORM_REFUSED)], extension_form=form)
    try:
        project_extend(project=project, to=form.cleaned_data["to"],
                       reason=form.cleaned_data["reason"], by=request.user)
    except ProjectRefused as refusal:
        return project_page(request, project, refusal=[str(refusal)], extension_form=form)
    messages.success(request, _("The construction period now ends on %(date)s.")
                     % {"date": f"{form.cleaned_data['to']:%Y-%m-%d}"})
    return redirect("projects:detail", pk=project.pk)


urlpatterns = [
    path("", project_list, name="list"),
    path("export.xlsx", project_export, name="export"),
    path("<int:pk>/", project_detail, name="detail"),
    path("<int:pk>/extend/", project_extend_view, name="extend"),
]
