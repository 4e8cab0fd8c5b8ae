"""Every change of a quality report's state: opening a year's report, asking for its
generation (the background task does the work, generation.py), publishing and unpublishing
it. Each checks the actor's role, locks the row, refuses with a message (ReportRefused) and
changes nothing then, and writes the audit log."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vetq.accounts.roles import Role
from vetq.accounts.scoping import has_role, own_institutions
from vetq.audit.services import audit_log
from vetq.institutions.models import Institution
from vetq.notices.services import notice_send

from .errors import ReportRefused
from .generation import report_title_of, school_users
from .models import QualityReport, ReportState

# A generation asked for this long ago and still not finished is taken as lost (a worker
# stopped): it may be asked for again.
STALE_AFTER = timedelta(minutes=15)
FIRST_YEAR = 2000


def may_manage(user, report: QualityReport) -> bool:
    """The bureau manages every report; a school its own school's."""
    if has_role(user, Role.BUREAU_ADMIN):
        return True
    return report.institution_id is not None and any(
        i.pk == report.institution_id for i in own_institutions(user))


def _may_open(user, institution: Institution | None) -> bool:
    if has_role(user, Role.BUREAU_ADMIN):
        return True
    return institution is not None and any(i.pk == institution.pk for i in own_institutions(user))


def report_open(*, year: int, institution: Institution | None, by) -> QualityReport:
    """The report of `year` for `institution` (None: the city's), created as a draft if there is
    none yet. Refuses anyone but the bureau and the school itself, and a year to come."""
    if not _may_open(by, institution):
        raise ReportRefused(_("Only the bureau opens the city's report, and only a school its "
                              "own."))
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise ReportRefused(_("A quality report covers a year that has begun: %(year)s has not.")
                            % {"year": year})
    try:
        with transaction.atomic():
            report, _created = QualityReport.objects.get_or_create(year=year,
                                                                   institution=institution)
    except IntegrityError:  # created at the same moment by another request
        report = QualityReport.objects.get(year=year, institution=institution)
    return report


def report_generate_request(*, report: QualityReport, by, notify: bool = True) -> QualityReport:
    """Ask for the report to be generated: it becomes "generating" (queued) and a background
    task is enqueued once the transaction commits; the files are replaced when it finishes.
    The requester is told when it is ready (unless `notify` is false) and always if it fails.

    Refuses anyone but the bureau and the report's school, a published report (the bureau
    unpublishes it first) and a report already being generated (unless that started more
    than 15 minutes ago and never finished)."""
    from .tasks import report_generate_task

    if not may_manage(by, report):
        raise ReportRefused(_("Only the bureau and the school itself generate a school's report; "
                              "only the bureau the city's."))
    now = timezone.now()
    with transaction.atomic():
        locked = QualityReport.objects.select_for_update().get(pk=report.pk)
        if locked.state == ReportState.PUBLISHED:
            raise ReportRefused(_("The report is published: unpublish it before generating it "
                                  "again."))
        if locked.state == ReportState.GENERATING and locked.updated_at > now - STALE_AFTER:
            raise ReportRefused(_("The report is being generated already."))
        before = locked.state
        locked.state = ReportState.GENERATING
        locked.progress = 0
        locked.step = "queued"
        locked.error = ""
        locked.requested_at = now
        locked.generated_by = by
        locked.notify = notify
        locked.save()
        audit_log(action="report.generate", actor=by, obj=locked, before={"state": before},
                  after={"state": locked.state})
        transaction.on_commit(lambda: report_generate_task.enqueue(locked.pk))
    return locked


def reports_generate_all(*, year: int, by) -> tuple[int, int]:
    """Open and queue the report of every active school for `year` (one task each); the bureau
    only. Published reports and those being generated are left alone; the bureau is told of
    failures only, not of every report ready. Returns (queued, left alone)."""
    if not has_role(by, Role.BUREAU_ADMIN):
        raise ReportRefused(_("Only the bureau generates every school's report."))
    queued = left = 0
    for school in Institution.objects.filter(active=True).order_by("code"):
        report = report_open(year=year, institution=school, by=by)
        try:
            report_generate_request(report=report, by=by, notify=False)
        except ReportRefused:
            left += 1
        else:
            queued += 1
    return queued, left


def _require_bureau(by) -> None:
    if not has_role(by, Role.BUREAU_ADMIN):
        raise ReportRefused(_("Only the bureau publishes quality reports."))


def report_publish(*, report: QualityReport, by) -> QualityReport:
    """Publish a generated report on the portal (R34); the school is notified. Refuses anyone
    but the bureau and a report that is not ready (not generated, being generated, failed or
    published already)."""
    _require_bureau(by)
    with transaction.atomic():
        locked = QualityReport.objects.select_for_update().get(pk=report.pk)
        if locked.state == ReportState.PUBLISHED:
            raise ReportRefused(_("The report is published already."))
        if locked.state != ReportState.READY or locked.pdf_id is None or locked.docx_id is None:
            raise ReportRefused(_("Only a generated report can be published; this one is "
                                  "“%(state)s”.") % {"state": locked.get_state_display()})
        locked.state = ReportState.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = by
        locked.save()
        audit_log(action="report.publish", actor=by, obj=locked, before={"state": "ready"},
                  after={"state": "published", "pdf": locked.pdf.sha256,
                         "docx": locked.docx.sha256})
        notice_send(users=school_users(locked), kind="quality_report.published",
                    params={"title": report_title_of(locked)},
                    url=reverse("portal:report_detail", args=[locked.pk]))
    return locked


def report_unpublish(*, report: QualityReport, by, reason: str = "") -> QualityReport:
    """Take a published report off the portal (it is ready again, to be edited and generated
    anew). Refuses anyone but the bureau and a report that is not published."""
    _require_bureau(by)
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = QualityReport.objects.select_for_update().get(pk=report.pk)
        if locked.state != ReportState.PUBLISHED:
            raise ReportRefused(_("The report is not published."))
        locked.state = ReportState.READY
        locked.published_at = None
        locked.published_by = None
        locked.save()
        audit_log(action="report.unpublish", actor=by, obj=locked,
                  before={"state": "published"}, after={"state": "ready", "reason": reason})
        notice_send(users=school_users(locked), kind="quality_report.unpublished",
                    params={"title": report_title_of(locked), "reason": reason or "—"})
    return locked
