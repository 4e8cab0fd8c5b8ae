"""Progress reports in the JSON API (read only), scoped as the pages are: a caller reaches the
reports of the projects it may read (`queries.projects_for`); any other project or report is
a 404."""

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema

from vetq.funding.api import Money

from .models import ProgressReport
from .queries import projects_for
from .report_queries import report_flags, reports_for
from .services import project_rules

router = Router(tags=["progress reports"])


class ReportOut(Schema):
    id: int
    project: int = Field(alias="project_id")
    year: int
    period_start: date
    period_end: date
    due_on: date
    state: str
    overdue: bool
    days_overdue: int
    submitted_at: datetime | None
    decided_at: datetime | None
    reminded_on: date | None


class IndicatorOut(Schema):
    milestone: str
    reached: bool
    figure: str
    note: str


class SpendingItemOut(Schema):
    item: str
    amount: Money


class FileOut(Schema):
    id: int
    name: str = Field(alias="file.original_name")
    size: int = Field(alias="file.size")
    content_type: str = Field(alias="file.content_type")


class ReportEventOut(Schema):
    action: str
    comment: str
    at: datetime


class ReportDetailOut(ReportOut):
    project_title: str = Field(alias="project.title")
    institution: str = Field(alias="project.institution.code")
    text: str
    indicators: list[IndicatorOut]
    spending: Money | None
    spending_items: list[SpendingItemOut]
    decision_comment: str
    files: list[FileOut]
    events: list[ReportEventOut]

    @staticmethod
    def resolve_files(obj: ProgressReport) -> list:
        return list(obj.files.select_related("file"))

    @staticmethod
    def resolve_events(obj: ProgressReport) -> list:
        return list(obj.events.all())


def _flagged(report: ProgressReport) -> ProgressReport:
    days = project_rules(report.project.grant.program).remind_days_before
    return report_flags(report, timezone.localdate(), days)


@router.get("/projects/{pk}/reports", response=list[ReportOut])
def list_project_reports(request, pk: int):
    """The yearly progress reports of one project the caller may read, by construction
    year, each flagged overdue when it is outstanding past its due date."""
    project = get_object_or_404(projects_for(request.user).select_related("grant__program"),
                                pk=pk)
    return [_flagged(r) for r in project.reports.order_by("year")]


@router.get("/reports/{pk}", response=ReportDetailOut)
def get_report(request, pk: int):
    """One progress report with what the school filed, its evidence files and history."""
    report = get_object_or_404(
        reports_for(request.user).select_related("project__grant__program",
                                                 "project__institution"), pk=pk)
    return _flagged(report)
