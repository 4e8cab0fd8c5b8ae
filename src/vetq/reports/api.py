"""Quality reports in the JSON API (read only) under /api/quality-reports (/api/reports is the
projects' progress reports), scoped as the pages are: published reports for
everyone signed in, the others only for the bureau and the report's own school (a 404 for
anyone else)."""

from datetime import datetime

from django.db.models import F
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema
from ninja.pagination import paginate

from .generation import report_title_of
from .models import QualityReport, ReportState
from .queries import LISTED, reports_for

router = Router(tags=["quality reports"])


class ReportFileOut(Schema):
    url: str
    name: str
    size: int
    sha256: str


def _file(report: QualityReport, kind: str) -> dict | None:
    stored = getattr(report, kind)
    if stored is None:
        return None
    if report.state == ReportState.PUBLISHED:
        url = reverse("portal:report_file", args=[report.pk, kind])
    else:
        url = reverse("reports:download", args=[report.pk, kind])
    return {"url": url, "name": stored.original_name, "size": stored.size,
            "sha256": stored.sha256}


class QualityReportOut(Schema):
    id: int
    year: int
    scope: str
    institution: str | None
    institution_name: str | None
    title: str
    state: str
    progress: int
    generated_at: datetime | None
    published_at: datetime | None
    web_url: str | None
    docx: ReportFileOut | None
    pdf: ReportFileOut | None

    @staticmethod
    def resolve_institution(obj: QualityReport) -> str | None:
        return obj.institution.code if obj.institution_id else None

    @staticmethod
    def resolve_institution_name(obj: QualityReport) -> str | None:
        return obj.institution.name if obj.institution_id else None

    @staticmethod
    def resolve_title(obj: QualityReport) -> str:
        return obj.content.get("title") or report_title_of(obj)

    @staticmethod
    def resolve_web_url(obj: QualityReport) -> str | None:
        if obj.state == ReportState.PUBLISHED:
            return reverse("portal:report_detail", args=[obj.pk])
        return reverse("reports:web", args=[obj.pk]) if obj.content else None

    @staticmethod
    def resolve_docx(obj: QualityReport) -> dict | None:
        return _file(obj, "docx")

    @staticmethod
    def resolve_pdf(obj: QualityReport) -> dict | None:
        return _file(obj, "pdf")


class ReportChapterOut(Schema):
    code: str
    title: str
    narrative: bool


class QualityReportDetailOut(QualityReportOut):
    step: str
    error: str
    chapters: list[ReportChapterOut]

    @staticmethod
    def resolve_chapters(obj: QualityReport) -> list[dict]:
        return [{"code": c["code"], "title": c["title"], "narrative": c.get("narrative", False)}
                for c in obj.content.get("chapters", [])]


@router.get("/quality-reports", response=list[QualityReportOut])
@paginate
def list_reports(request, year: int | None = None):
    """The quality reports the caller may read (published ones, and for the bureau and a
    school its drafts), newest year first, with their file addresses."""
    reports = reports_for(request.user).select_related(*LISTED).order_by(
        "-year", F("institution_id").asc(nulls_first=True), "institution__region__order",
        "institution__code")
    return reports.filter(year=year) if year is not None else reports


@router.get("/quality-reports/{pk}", response=QualityReportDetailOut)
def get_report(request, pk: int):
    """One quality report with its chapters and file addresses."""
    return get_object_or_404(reports_for(request.user).select_related(*LISTED), pk=pk)
