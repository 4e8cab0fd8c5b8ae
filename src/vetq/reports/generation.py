"""Generating a report: the function the background task runs (and the demo and the
benchmark call directly). It assembles the chapters, draws the charts, writes the Word and
PDF files, and replaces the report's previous files, telling the report its progress after
each step so the page's progress bar moves. A failure is recorded on the report with its
message (state "failed"); the files of an earlier generation stay until a new one succeeds."""

import hashlib
import logging
import re
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vetq.accounts.roles import Role
from vetq.core.models import StoredFile
from vetq.core.uploads import CONTENT_TYPES, DOCX, PDF
from vetq.notices.services import notice_send

from .assembly import build_content, report_items
from .charts import chart_png
from .errors import ReportRefused
from .models import QualityReport, ReportState
from .present import charts_of, present
from .render_docx import report_docx
from .render_pdf import report_pdf
from .sections import section

logger = logging.getLogger(__name__)
ERROR_MAX = 2000
# Steps after the chapters, with their labels.
STEP_LABELS = {
    "queued": gettext_lazy("Waiting for the task worker"),
    "start": gettext_lazy("Starting"),
    "narratives": gettext_lazy("Narrative sections"),
    "charts": gettext_lazy("Drawing the charts"),
    "word": gettext_lazy("Writing the Word file"),
    "pdf": gettext_lazy("Writing the PDF file"),
    "saving": gettext_lazy("Saving the files"),
    "done": gettext_lazy("Done"),
    "failed": gettext_lazy("Stopped"),
}
FINISHING = ("charts", "word", "pdf", "saving")


def step_label(step: str) -> str:
    """A progress step in the reader's language."""
    if step.startswith("section:"):
        found = section(step.split(":", 1)[1])
        return str(found.title) if found else step.split(":", 1)[1]
    label = STEP_LABELS.get(step)
    return str(label) if label else step


class Progress:
    """Writes the report's progress after each step, straight to the database (outside any
    transaction, so the progress page sees it at once)."""

    def __init__(self, report_id: int, steps: int):
        self.report_id = report_id
        self.total = max(steps, 1)
        self.done = 0

    def __call__(self, step: str) -> None:
        percent = min(99, round(100 * self.done / self.total))
        QualityReport.objects.filter(pk=self.report_id).update(
            progress=percent, step=step, updated_at=timezone.now())
        self.done += 1


def file_name(title: str, extension: str) -> str:
    name = re.sub(r'[\\/:*?"<>|\s]+', "", title)[:120] or "report"
    return f"{name}.{extension}"


def _stored(data: bytes, name: str, kind: str, by) -> StoredFile:
    stored = StoredFile(original_name=name, extension=kind, content_type=CONTENT_TYPES[kind],
                        size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                        uploaded_by=by if by is not None else None)
    stored.file.save(f"report.{kind}", ContentFile(data), save=False)
    stored.save()
    return stored


def _replace_files(report_id: int, *, content: dict, docx: bytes, pdf: bytes) -> QualityReport:
    """Store the new files and content, make the report ready, and delete the old files (their
    rows now, the stored bytes once the transaction commits)."""
    with transaction.atomic():
        report = QualityReport.objects.select_for_update().get(pk=report_id)
        if report.state == ReportState.PUBLISHED:
            raise ReportRefused(_("The report was published while it was being generated; its "
                                  "files were left as published."))
        old = [f for f in (report.docx, report.pdf) if f is not None]
        by = report.generated_by
        report.docx = _stored(docx, file_name(content["title"], DOCX), DOCX, by)
        report.pdf = _stored(pdf, file_name(content["title"], PDF), PDF, by)
        report.content = content
        report.state = ReportState.READY
        report.progress = 100
        report.step = "done"
        report.error = ""
        report.generated_at = timezone.now()
        report.save()
        for stored in old:
            storage, name = stored.file.storage, stored.file.name
            stored.delete()
            transaction.on_commit(lambda s=storage, n=name: s.delete(n))
    return report


def _fail(report_id: int, step: str, error: Exception) -> None:
    message = str(error) if isinstance(error, ReportRefused) else _(
        "Generation stopped at “%(step)s”: %(error)s") % {"step": step_label(step), "error": error}
    with transaction.atomic():
        report = QualityReport.objects.select_for_update().get(pk=report_id)
        if report.state == ReportState.PUBLISHED:
            return
        report.state = ReportState.FAILED
        report.step = "failed"
        report.error = message[:ERROR_MAX]
        report.save(update_fields=["state", "step", "error", "updated_at"])
        if report.generated_by_id:
            notice_send(users=[report.generated_by], kind="quality_report.failed",
                        params={"title": report_title_of(report), "error": message[:300]},
                        url=_report_url(report))


def report_title_of(report: QualityReport) -> str:
    from .assembly import report_title

    return report_title(report.year, report.institution)


def _report_url(report: QualityReport) -> str:
    return reverse("reports:detail", args=[report.pk])


def report_generate(report_id: int, *, charts: bool = True,
                    today: date | None = None) -> QualityReport:
    """Generate the report now: chapters, charts, Word and PDF, in the site's language; the
    previous files are replaced. Progress is written after each step. Refuses a published
    report (ReportRefused). On any failure the report is marked failed with the message, and
    the error is raised again for the caller (the task worker records it too).
    `charts=False` leaves the charts out (the benchmark's baseline); `today` dates the cover
    (the demo's past)."""
    report = QualityReport.objects.select_related("institution", "generated_by").get(pk=report_id)
    if report.state == ReportState.PUBLISHED:
        raise ReportRefused(_("A published report is not generated again: the bureau must "
                              "unpublish it first."))
    progress = Progress(report_id, len(report_items(report)) + len(FINISHING) + 1)
    QualityReport.objects.filter(pk=report_id).update(state=ReportState.GENERATING, error="",
                                                      updated_at=timezone.now())
    step = "start"

    def tell(next_step: str) -> None:
        nonlocal step
        step = next_step
        progress(next_step)

    try:
        tell("start")
        language = settings.LANGUAGE_CODE
        with translation.override(language):
            content = build_content(report, progress=tell, today=today)
            tell("charts")
            pictures = {key: chart_png(chart) for key, chart in charts_of(content).items()} \
                if charts else {}
            view = present(content, language, pictures)
            tell("word")
            docx = report_docx(view)
            tell("pdf")
            pdf = report_pdf(view, language)
            tell("saving")
            report = _replace_files(report_id, content=content, docx=docx, pdf=pdf)
    except Exception as error:
        logger.exception("quality report %s failed at %s", report_id, step)
        _fail(report_id, step, error)
        raise
    if report.generated_by_id and report.notify:
        notice_send(users=[report.generated_by], kind="quality_report.ready",
                    params={"title": content["title"]}, url=_report_url(report))
    return report


def school_users(report: QualityReport) -> list:
    if report.institution_id is None:
        return []
    return list(get_user_model().objects.filter(
        is_active=True, memberships__role=Role.SCHOOL_USER,
        memberships__institution_id=report.institution_id).distinct())
