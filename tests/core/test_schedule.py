"""The daily scheduler: each registered task is enqueued once per local day, from the daily
hour on, however often the scheduler ticks or how many run (frozen time)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from vetq.core import schedule
from vetq.core.models import ScheduledRun

pytestmark = pytest.mark.integration

SHANGHAI = ZoneInfo("Asia/Shanghai")


@task()
def _probe() -> int:
    return 1


@pytest.fixture
def probe(monkeypatch, settings):
    settings.VETQ_DAILY_HOUR = 7
    schedule.registered()  # import every app's tasks module first, so none registers later
    monkeypatch.setattr(schedule, "_DAILY", {})
    monkeypatch.setattr(schedule, "autodiscover_modules", lambda name: None)
    schedule.daily(_probe)
    return _probe


def at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


def test_nothing_is_enqueued_before_the_daily_hour(db, probe):
    with time_machine.travel(at(2026, 3, 2, 6, 59), tick=False):
        assert schedule.tick() == []
    assert not ScheduledRun.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_a_task_is_enqueued_once_a_day(db, probe):
    with time_machine.travel(at(2026, 3, 2, 7, 0), tick=False):
        first = schedule.tick()
        again = schedule.tick()
    with time_machine.travel(at(2026, 3, 2, 23, 59), tick=False):
        late = schedule.tick()
    with time_machine.travel(at(2026, 3, 3, 7, 30), tick=False):
        next_day = schedule.tick()

    assert [r.name for r in first] == [probe.module_path]
    assert again == [] and late == []
    assert [r.day.isoformat() for r in next_day] == ["2026-03-03"]
    assert DBTaskResult.objects.count() == 2
    assert {str(r.id) for r in DBTaskResult.objects.all()} == set(
        ScheduledRun.objects.values_list("result_id", flat=True))


def test_a_second_scheduler_the_same_day_enqueues_nothing(db, probe):
    ScheduledRun.objects.create(name=probe.module_path, day=at(2026, 3, 2, 8, 0).date())
    with time_machine.travel(at(2026, 3, 2, 8, 0), tick=False):
        assert schedule.tick() == []
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_command_once_enqueues_and_the_worker_runs_it(probe, capsys):
    """The worker closes its database connection when done, which a test transaction cannot
    survive on PostgreSQL: this test commits for real (and the database is flushed after)."""
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        call_command("scheduler", "--once")
    out = capsys.readouterr().out
    assert "enqueued" in out and probe.module_path in out

    call_command("db_worker", "--batch", "--no-startup-delay")

    result = DBTaskResult.objects.get()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == 1
