"""Daily background tasks: a registry and the tick that enqueues them once a day.

A module registers a django-tasks task with ``@daily`` (above ``@task()``); the
``scheduler`` command imports every app's ``tasks`` module, then calls ``tick`` once a minute.
``tick`` enqueues each registered task once per local day, from ``VETQ_DAILY_HOUR`` on: a
row of ``ScheduledRun`` (unique per task and day) is written first, in the same transaction,
so two schedulers, or a scheduler restarted the same day, never enqueue a task twice. The
worker (``python -m vetq db_worker``) runs what is enqueued.
"""

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .models import ScheduledRun

_DAILY: dict[str, object] = {}


def daily(task):
    """Register a django-tasks task to run once a day; returns it unchanged."""
    _DAILY[task.module_path] = task
    return task


def registered() -> dict[str, object]:
    """The daily tasks by dotted path, after importing every app's ``tasks`` module."""
    autodiscover_modules("tasks")
    return dict(sorted(_DAILY.items()))


def tick(now: datetime | None = None) -> list[ScheduledRun]:
    """Enqueue the daily tasks not yet enqueued today if it is past the daily hour; return
    the runs written."""
    now = timezone.localtime(now or timezone.now())
    if now.hour < settings.VETQ_DAILY_HOUR:
        return []
    runs = []
    for name, task in registered().items():
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=name, day=now.date())
                result = task.enqueue()
                run.result_id = str(result.id)
                run.save(update_fields=["result_id"])
        except IntegrityError:
            continue
        runs.append(run)
    return runs
