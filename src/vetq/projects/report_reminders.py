"""Reminders of progress reports (policy [projects]): a report not filed yet, or returned,
of a project under construction is reminded once within `remind_days_before` days before it
is due, and every `remind_every_days` days once it is overdue. Run daily by
`projects.tasks.report_reminders`; each reminder writes `reminded_on`, a "reminded"
ReportEvent and an audit entry, and notifies the school's users."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q

from vetq.audit.services import audit_log
from vetq.notices.services import notice_send
from vetq.programs.models import Program

from .models import ProgressReport, ProjectState, ReportEvent
from .reports import OUTSTANDING, report_params, report_url, school_users
from .services import project_rules


def reminder_due(report: ProgressReport, today: date, rules) -> str | None:
    """Which reminder an outstanding report gets today, if any: "due_soon" once within the
    policy's `remind_days_before` days before it is due, "overdue" the day after it was due
    and every `remind_every_days` days after the last reminder."""
    last = report.reminded_on
    if today > report.due_on:
        if last is None or last <= report.due_on or (today - last).days >= rules.remind_every_days:
            return "overdue"
        return None
    window = report.due_on - timedelta(days=rules.remind_days_before)
    if today >= window and (last is None or last < window):
        return "due_soon"
    return None


def report_reminders_send(today: date) -> int:
    """Notify the school users of each active project of its outstanding reports (not yet
    filed, or returned) that are due soon or overdue (see `reminder_due`), recording the
    day in `reminded_on` and a "reminded" ReportEvent. Reports submitted or accepted and
    projects no longer under construction get none. Returns how many reports were reminded."""
    outstanding = ProgressReport.objects.filter(state__in=OUTSTANDING,
                                                project__state=ProjectState.ACTIVE)
    programs = outstanding.order_by().values("project__grant__program_id").distinct()
    reminded = 0
    for program in Program.objects.filter(pk__in=programs).order_by("pk"):
        rules = project_rules(program)
        horizon = today + timedelta(days=rules.remind_days_before)
        candidates = outstanding.filter(project__grant__program=program, due_on__lte=horizon) \
            .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today)).order_by("due_on", "pk")
        for pk in candidates.values_list("pk", flat=True):
            reminded += _remind(pk, today, rules)
    return reminded


def _remind(pk: int, today: date, rules) -> int:
    with transaction.atomic():
        report = (ProgressReport.objects.select_for_update(of=("self",))
                  .select_related("project__institution").get(pk=pk))
        if report.state not in OUTSTANDING or report.project.state != ProjectState.ACTIVE:
            return 0
        kind = reminder_due(report, today, rules)
        users = school_users(report.project) if kind else []
        if not users:
            return 0
        report.reminded_on = today
        report.save(update_fields=["reminded_on"])
        ReportEvent.objects.create(report=report, action="reminded", comment=kind)
        audit_log(action="report.remind", obj=report,
                  after={"kind": kind, "on": today.isoformat(), "users": len(users)})
        notice_send(users=users, kind=f"report.{kind}",
                    params=report_params(report, due=report.due_on.isoformat()), url=report_url(report))
    return 1
