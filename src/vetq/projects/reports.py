"""Progress reports (年度进展报告): one per construction year but the last (whose report is the
acceptance summary), scheduled when the project is created and due `report_due_days` after
the year ends (policy [projects]). The school writes and submits; the bureau accepts or
returns with a comment, and a returned report is revised and submitted again. Reminders of
reports due soon or overdue are `report_reminders`.

Every change locks the report, checks who acts and in which state, writes a ReportEvent and
an audit entry and sends its notices in one transaction; a refusal (ReportRefused) changes
nothing.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vetq.accounts.roles import Role
from vetq.accounts.scoping import has_role, memberships
from vetq.applications.forms_spec import choice_label
from vetq.audit.services import audit_log
from vetq.core.money import format_yuan
from vetq.core.uploads import stored_file_create
from vetq.notices.services import notice_send

from .models import (
    ProgressReport,
    Project,
    ProjectState,
    ReportEvent,
    ReportFile,
    ReportState,
)
from .periods import years_after
from .services import ProjectRefused, project_rules

CENT = Decimal("0.01")
AMOUNT_LIMIT = Decimal(10) ** 13  # what a MoneyField holds
TEXT_MAX = 20_000
FIGURE_MAX = 200
NOTE_MAX = 2_000
FILES_MAX = 20
# The school may change a report in these states; the bureau decides a submitted one.
EDITABLE = (ReportState.DUE, ReportState.RETURNED)
# Not filed acceptably yet: such reports are reminded and listed as due or overdue.
OUTSTANDING = EDITABLE


class ReportRefused(ProjectRefused):
    """A report change the rules do not allow; `messages` say why. Nothing changed."""

    def __init__(self, messages):
        self.messages = [str(m) for m in ([messages] if isinstance(messages, str) else messages)]
        super().__init__(" ".join(self.messages))


@dataclass(frozen=True)
class ReportPeriod:
    year: int
    start: date
    end: date
    due: date


def report_periods(starts_on: date, ends_on: date, due_days: int) -> list[ReportPeriod]:
    """The construction years of a period from `starts_on` to `ends_on` that get a yearly
    report: all but the last. Year i runs from `starts_on` + (i − 1) years to the day before
    `starts_on` + i years; its report is due `due_days` after its last day."""
    years = 1
    while years_after(starts_on, years) < ends_on:
        years += 1
    periods = []
    for year in range(1, years):
        end = years_after(starts_on, year) - timedelta(days=1)
        periods.append(ReportPeriod(year, years_after(starts_on, year - 1), end,
                                    end + timedelta(days=due_days)))
    return periods


def reports_schedule(project: Project) -> list[ProgressReport]:
    """Create the yearly reports an active project does not have yet (see `report_periods`),
    due as the policy of its grant's program says; returns those created. A project that is
    not under construction gets none."""
    if project.state != ProjectState.ACTIVE:
        return []
    due_days = project_rules(project.grant.program).report_due_days
    have = set(project.reports.values_list("year", flat=True))
    return ProgressReport.objects.bulk_create([
        ProgressReport(project=project, year=p.year, period_start=p.start, period_end=p.end,
                       due_on=p.due)
        for p in report_periods(project.starts_on, project.ends_on, due_days)
        if p.year not in have
    ])


# --- what a report is written against -------------------------------------------------------


def year_milestones(report: ProgressReport) -> list[dict]:
    """The project's milestones of the calendar year the report's construction year starts
    in (milestones are planned by calendar year from the call's year, which is the year
    construction starts)."""
    return [m for m in report.project.milestones
            if str(m.get("year")) == str(report.period_start.year)]


def budget_items(project: Project) -> list[dict]:
    """The budget items spending is reported on, as {code, label}: those of the project's
    budget plan (all of its form's items if the plan has none), named as in the form."""
    form_items = project.application.form.get("budget_items", [])
    labels = {item["code"]: choice_label(item) for item in form_items}
    planned = [line["item"] for line in project.budget if line.get("item") in labels]
    codes = planned or list(labels)
    return [{"code": code, "label": labels[code]} for code in codes]


def _day(value: date) -> str:
    return date_format(value, "Y-m-d")


def _amount(value, what: str, errors: list[str]) -> Decimal | None:
    """Yuan typed as text (thousands separators allowed), zero or more, at most two decimals;
    None when blank."""
    text = "" if value is None else str(value).replace(",", "").strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount != amount.quantize(CENT):
        errors.append(_("%(what)s: “%(value)s” is not an amount in yuan with at most two "
                        "decimals.") % {"what": what, "value": value})
    elif amount < 0:
        errors.append(_("%(what)s: an amount cannot be negative.") % {"what": what})
    elif amount >= AMOUNT_LIMIT:
        errors.append(_("%(what)s: “%(value)s” is too large.") % {"what": what, "value": value})
    else:
        return amount.quantize(CENT)
    return None


def _clean_indicators(report, indicators, errors) -> list[dict]:
    milestones = year_milestones(report)
    rows = list(indicators or [])
    if len(rows) > len(milestones):
        errors.append(_("The report answers more milestones than the year has."))
        return []
    clean = []
    for index, milestone in enumerate(milestones):
        row = rows[index] if index < len(rows) and isinstance(rows[index], dict) else {}
        figure = str(row.get("figure") or "").strip()
        note = str(row.get("note") or "").strip()
        if len(figure) > FIGURE_MAX or len(note) > NOTE_MAX:
            errors.append(_("Milestone %(number)s: the figure may have at most %(figure)s and "
                            "the note %(note)s characters.")
                          % {"number": index + 1, "figure": FIGURE_MAX, "note": NOTE_MAX})
        clean.append({"milestone": str(milestone.get("text", "")),
                      "reached": bool(row.get("reached")), "figure": figure, "note": note})
    return clean


def _clean_spending(project, spending, items, errors) -> tuple[Decimal | None, list[dict]]:
    names = {item["code"]: item["label"] for item in budget_items(project)}
    total = _amount(spending, _("Spending in the period"), errors)
    clean, seen = [], set()
    for line in items or []:
        code = str(line.get("item", ""))
        if code not in names:
            errors.append(_("“%(item)s” is not a budget item of this project.") % {"item": code})
            continue
        if code in seen:
            errors.append(_("%(item)s is reported twice.") % {"item": names[code]})
            continue
        seen.add(code)
        amount = _amount(line.get("amount"), names[code], errors)
        if amount is not None:
            clean.append({"item": code, "amount": str(amount)})
    if clean:
        items_total = sum((Decimal(line["amount"]) for line in clean), Decimal(0))
        if total is None:
            total = items_total
        elif total != items_total:
            errors.append(_("The spending in the period, %(total)s yuan, is not the sum of the "
                            "budget items, %(sum)s yuan.")
                          % {"total": format_yuan(total), "sum": format_yuan(items_total)})
    return total, clean


# --- who may act, and the locked report -----------------------------------------------------


def acts_for_school(user, project: Project) -> bool:
    """Whether `user` is a school user of the project's school."""
    return any(m.role == Role.SCHOOL_USER and m.institution_id == project.institution_id
               for m in memberships(user))


def _locked(report: ProgressReport) -> ProgressReport:
    return (ProgressReport.objects.select_for_update(of=("self",))
            .select_related("project__application", "project__institution",
                            "project__grant__program")
            .get(pk=report.pk))


def _school_locked(report: ProgressReport, by) -> ProgressReport:
    """The report locked for the school's change; refuses anyone but its school, a project
    no longer under construction and a report that is submitted or accepted."""
    locked = _locked(report)
    project = locked.project
    if not acts_for_school(by, project):
        raise ReportRefused(_("Only the school's own users can write its progress reports."))
    if project.state != ProjectState.ACTIVE:
        raise ReportRefused(_("A progress report cannot be filed after the project closed: this "
                              "project is %(state)s.") % {"state": project.get_state_display()})
    if locked.state not in EDITABLE:
        raise ReportRefused(_("This report is %(state)s; it can be changed only while it is not "
                              "yet filed or after the bureau returned it.")
                            % {"state": locked.get_state_display()})
    return locked


def _bureau_locked(report: ProgressReport, by) -> ProgressReport:
    if not has_role(by, Role.BUREAU_ADMIN):
        raise ReportRefused(_("Only the education bureau accepts or returns progress reports."))
    locked = _locked(report)
    if locked.state != ReportState.SUBMITTED:
        raise ReportRefused(_("Only a submitted report can be decided; this one is %(state)s.")
                            % {"state": locked.get_state_display()})
    return locked


def report_url(report: ProgressReport) -> str:
    return reverse("projects:report_detail", args=[report.pk])


def report_params(report: ProgressReport, **extra) -> dict:
    return {"title": report.project.title, "year": report.year,
            "institution": report.project.institution.name, **extra}


def school_users(project: Project) -> list:
    return list(get_user_model().objects.filter(
        is_active=True, memberships__role=Role.SCHOOL_USER,
        memberships__institution_id=project.institution_id).distinct())


def _bureau_users() -> list:
    return list(get_user_model().objects.filter(
        is_active=True, memberships__role=Role.BUREAU_ADMIN).distinct())


def _snapshot(report: ProgressReport) -> dict:
    return {"state": report.state, "text": report.text, "indicators": report.indicators,
            "spending": None if report.spending is None else str(report.spending),
            "spending_items": report.spending_items}


# --- the school ------------------------------------------------------------------------------


def report_save(*, report: ProgressReport, text: str, indicators: list[dict], spending,
                spending_items: list[dict], by) -> ProgressReport:
    """Save what the school wrote: the progress text, per milestone of the year whether it
    was reached with the figure and a note (`indicators`, in the year's milestone order),
    the spending in the period (blank, or zero or more yuan) and per budget item of the
    project (`spending_items`: {item, amount}; their sum is the spending when it is blank,
    and must equal it otherwise).

    Refuses anyone but the project's school, a project no longer under construction, a
    report submitted or accepted, and malformed input; changes nothing then.
    """
    text = (text or "").strip()
    with transaction.atomic():
        locked = _school_locked(report, by)
        errors: list[str] = []
        if len(text) > TEXT_MAX:
            errors.append(_("The progress text may have at most %(count)s characters.")
                          % {"count": TEXT_MAX})
        clean_indicators = _clean_indicators(locked, indicators, errors)
        total, clean_items = _clean_spending(locked.project, spending, spending_items, errors)
        if errors:
            raise ReportRefused(errors)
        before = _snapshot(locked)
        locked.text, locked.indicators = text, clean_indicators
        locked.spending, locked.spending_items = total, clean_items
        locked.save(update_fields=["text", "indicators", "spending", "spending_items"])
        after = _snapshot(locked)
        changed = [key for key in after if after[key] != before[key]]
        if changed:
            ReportEvent.objects.create(report=locked, action="saved", by=by)
            audit_log(action="report.save", actor=by, obj=locked,
                      before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return locked


def report_file_add(*, report: ProgressReport, upload, by) -> ReportFile:
    """Store an upload as evidence of the report. Refuses as `report_save` does, past
    FILES_MAX files, and (UploadRefused) a file failing the upload checks."""
    with transaction.atomic():
        locked = _school_locked(report, by)
        if locked.files.count() >= FILES_MAX:
            raise ReportRefused(_("A report holds at most %(count)s evidence files.")
                                % {"count": FILES_MAX})
        stored = stored_file_create(upload=upload, by=by)
        added = ReportFile.objects.create(report=locked, file=stored)
        ReportEvent.objects.create(report=locked, action="file_added",
                                   comment=stored.original_name, by=by)
        audit_log(action="report.file_add", actor=by, obj=locked,
                  after={"file": stored.original_name, "size": stored.size,
                         "sha256": stored.sha256})
    return added


def report_file_remove(*, file: ReportFile, by) -> None:
    """Remove an evidence file, with its stored file. Refuses as `report_save` does."""
    with transaction.atomic():
        locked = _school_locked(file.report, by)
        stored = ReportFile.objects.select_related("file").get(pk=file.pk, report=locked).file
        ReportEvent.objects.create(report=locked, action="file_removed",
                                   comment=stored.original_name, by=by)
        audit_log(action="report.file_remove", actor=by, obj=locked,
                  before={"file": stored.original_name, "sha256": stored.sha256})
        ReportFile.objects.filter(pk=file.pk).delete()
        stored.delete()
        name, storage = stored.file.name, stored.file.storage
        transaction.on_commit(lambda: storage.delete(name))


def report_submit(*, report: ProgressReport, by, today: date | None = None) -> ProgressReport:
    """Submit the report to the bureau (again, after it was returned); notifies the bureau.

    Refuses as `report_save` does, before the last day of the year it reports on, without
    the progress text and without the spending (zero if nothing was spent).
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _school_locked(report, by)
        errors = []
        if today < locked.period_end:
            errors.append(_("The report on construction year %(year)s can be submitted from "
                            "%(date)s, the last day of the year it reports on.")
                          % {"year": locked.year, "date": _day(locked.period_end)})
        if not locked.text.strip():
            errors.append(_("Write what was done in the year before submitting."))
        if locked.spending is None:
            errors.append(_("Enter the spending in the period (0 if nothing was spent) before "
                            "submitting."))
        if errors:
            raise ReportRefused(errors)
        again = locked.state == ReportState.RETURNED
        before = {"state": locked.state}
        locked.state = ReportState.SUBMITTED
        locked.submitted_by, locked.submitted_at = by, timezone.now()
        locked.decided_by, locked.decided_at, locked.decision_comment = None, None, ""
        locked.save(update_fields=["state", "submitted_by", "submitted_at", "decided_by",
                                   "decided_at", "decision_comment"])
        action = "resubmitted" if again else "submitted"
        ReportEvent.objects.create(report=locked, action=action, by=by)
        audit_log(action=f"report.{action}", actor=by, obj=locked, before=before,
                  after={"state": locked.state, "files": locked.files.count()})
        notice_send(users=_bureau_users(), kind="report.submitted", params=report_params(locked),
                    url=report_url(locked))
    return locked


# --- the bureau ------------------------------------------------------------------------------


def report_accept(*, report: ProgressReport, by, comment: str = "") -> ProgressReport:
    """Accept a submitted report, with an optional comment; notifies the school.
    Refuses anyone but the bureau and a report that is not submitted."""
    return _decide(report, by, ReportState.ACCEPTED, (comment or "").strip())


def report_return(*, report: ProgressReport, comment: str, by) -> ProgressReport:
    """Return a submitted report to the school with what to revise; the school may edit it
    and submit it again. Notifies the school. Refuses anyone but the bureau, a report that
    is not submitted, and no comment."""
    comment = (comment or "").strip()
    if has_role(by, Role.BUREAU_ADMIN) and not comment:
        raise ReportRefused(_("Please say what the school must revise."))
    return _decide(report, by, ReportState.RETURNED, comment)


def _decide(report: ProgressReport, by, state: str, comment: str) -> ProgressReport:
    with transaction.atomic():
        locked = _bureau_locked(report, by)
        locked.state = state
        locked.decided_by, locked.decided_at = by, timezone.now()
        locked.decision_comment = comment
        locked.save(update_fields=["state", "decided_by", "decided_at", "decision_comment"])
        ReportEvent.objects.create(report=locked, action=state, comment=comment, by=by)
        audit_log(action=f"report.{'accept' if state == ReportState.ACCEPTED else 'return'}",
                  actor=by, obj=locked, before={"state": ReportState.SUBMITTED},
                  after={"state": state, "comment": comment})
        notice_send(users=school_users(locked.project), kind=f"report.{state}",
                    params=report_params(locked, comment=comment), url=report_url(locked))
    return locked
