"""Reads for progress reports: the reports a user may reach (those of the projects it may
read), a project's reports with their overdue flags, one report with what its page shows,
and the list of outstanding reports (not filed yet, or returned) that are overdue or due
soon, with its filters."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.http import QueryDict

from vetq.programs.models import Program

from .models import ProgressReport, Project, ProjectState
from .queries import projects_for
from .reports import OUTSTANDING
from .services import project_rules

OVERDUE, DUE_SOON = "overdue", "due_soon"


def reports_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """Progress reports of the projects `queries.projects_for` lets the user read; others
    are not found (404)."""
    queryset = ProgressReport.objects.all() if queryset is None else queryset
    return queryset.filter(project__in=projects_for(user))


def report_flags(report: ProgressReport, today: date, soon_days: int) -> ProgressReport:
    """Mark an outstanding report of an active project `overdue` (past its due date, with
    `days_overdue`) or `due_soon` (due within `soon_days`)."""
    outstanding = report.state in OUTSTANDING and report.project.state == ProjectState.ACTIVE
    report.overdue = outstanding and report.due_on < today
    report.days_overdue = (today - report.due_on).days if report.overdue else 0
    report.due_soon = outstanding and not report.overdue and \
        report.due_on <= today + timedelta(days=soon_days)
    return report


def project_reports(project: Project, today: date) -> list[ProgressReport]:
    """The project's reports by year, each flagged (`report_flags`), with its file count."""
    soon = project_rules(project.grant.program).remind_days_before
    reports = project.reports.annotate(files_count=Count("files")).order_by("year")
    return [report_flags(r, today, soon) for r in reports]


def report_page_get(user, pk: int) -> ProgressReport:
    """The report `pk` if the user may read it (ProgressReport.DoesNotExist otherwise), with
    its project, school, grant and program."""
    return reports_for(user).select_related(
        "project__application", "project__institution__region", "project__category",
        "project__grant__program", "submitted_by", "decided_by",
    ).get(pk=pk)


@dataclass(frozen=True)
class PendingFilters:
    """The outstanding list's filters as the query string gives them; anything malformed is
    ignored. `school` is an institution code; `state` is "overdue", "due_soon" or both."""

    category: str = ""
    region: str = ""
    school: str = ""
    state: str = ""

    @classmethod
    def from_query(cls, query: QueryDict | dict) -> "PendingFilters":
        state = query.get("state", "")
        return cls(
            category=query.get("category", "").strip()[:60],
            region=query.get("region", "").strip()[:40],
            school=query.get("school", "").strip()[:40],
            state=state if state in (OVERDUE, DUE_SOON) else "",
        )

    def condition(self) -> Q:
        condition = Q()
        if self.category:
            condition &= Q(project__category__code=self.category)
        if self.region:
            condition &= Q(project__institution__region__code=self.region)
        if self.school:
            condition &= Q(project__institution__code=self.school)
        return condition

    def query(self) -> dict:
        return {key: value for key, value in self.__dict__.items() if value}


def _soon_days(reports: QuerySet) -> dict[int, int]:
    """Each program's `remind_days_before`: a report is "due soon" within it."""
    ids = reports.order_by().values("project__grant__program_id").distinct()
    return {p.pk: project_rules(p).remind_days_before for p in Program.objects.filter(pk__in=ids)}


def reports_pending(reports: QuerySet, filters: PendingFilters, today: date) -> QuerySet:
    """The outstanding reports (not filed yet, or returned) of active projects among
    `reports` (already scoped) that are overdue or due within their program's
    `remind_days_before` days, as `filters` narrow them; earliest due first."""
    outstanding = reports.filter(state__in=OUTSTANDING, project__state=ProjectState.ACTIVE)
    if filters.state == OVERDUE:
        window = Q(due_on__lt=today)
    else:
        window = Q(pk__in=[])
        for program, days in _soon_days(outstanding).items():
            window |= Q(project__grant__program_id=program,
                        due_on__lte=today + timedelta(days=days))
        if filters.state == DUE_SOON:
            window &= Q(due_on__gte=today)
    return (outstanding.filter(window).filter(filters.condition())
            .select_related("project__category", "project__institution__region",
                            "project__grant")
            .order_by("due_on", "project__institution__code", "pk"))


def pending_flagged(reports, today: date) -> list[ProgressReport]:
    """`reports` (from `reports_pending`) as a list, each flagged overdue or due soon."""
    return [report_flags(r, today, 366) for r in reports]
