"""The projects' daily background task: reminding schools of progress reports due soon or
overdue (run by the worker, enqueued once a day by the scheduler, core/schedule.py)."""

from django.utils import timezone
from django_tasks import task

from vetq.core.schedule import daily

from .report_reminders import report_reminders_send


@daily
@task()
def report_reminders() -> int:
    """Send today's progress report reminders; returns how many reports were reminded."""
    return report_reminders_send(timezone.localdate())
