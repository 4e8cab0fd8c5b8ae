"""Progress reports under concurrency (PostgreSQL): two deciders at once decide a report once,
and two reminder runs the same day remind once; the row lock on the report makes one wait
and then see what the other did."""

import threading
from datetime import date, timedelta
from functools import partial

import pytest
from django.db import connection

from tests.projects.projects_fixtures import school_of
from tests.projects.reports.conftest import FILLED, planned
from vetq.notices.models import Notice
from vetq.projects.models import ReportEvent
from vetq.projects.report_reminders import report_reminders_send
from vetq.projects.reports import (
    ReportRefused,
    report_accept,
    report_return,
    report_save,
    report_submit,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROUNDS = 10


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (SQLite serialises writers)")


def race(*actions) -> list:
    barrier = threading.Barrier(len(actions))
    outcomes: list = []

    def run(action):
        barrier.wait()
        try:
            outcomes.append(action())
        except ReportRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_an_accept_and_a_return_at_once_decide_once(project_at, bureau_user):
    for round_ in range(ROUNDS):
        project = planned(project_at("brand_major", title=f"并发{round_}"))
        school = school_of(project, f"race-{round_}")
        report = project.reports.get(year=1)
        report_save(report=report, by=school, **FILLED)
        report_submit(report=report, by=school)
        outcomes = race(partial(report_accept, report=report, by=bureau_user),
                        partial(report_return, report=report, comment="退回", by=bureau_user))
        assert sorted(o if o == "refused" else "ok" for o in outcomes) == ["ok", "refused"], \
            f"round {round_}"
        report.refresh_from_db()
        decided = ReportEvent.objects.filter(report=report, action__in=["accepted", "returned"])
        assert [e.action for e in decided] == [report.state]


def test_two_reminder_runs_the_same_day_remind_once(report, school_a):
    for round_ in range(ROUNDS):
        day = date(2021, 4, 1) + timedelta(days=7 * round_)
        assert sorted(race(partial(report_reminders_send, day),
                           partial(report_reminders_send, day))) == [0, 1], f"round {round_}"
    assert ReportEvent.objects.filter(report=report, action="reminded").count() == ROUNDS
    assert Notice.objects.filter(user=school_a, url__endswith=f"/{report.pk}/").count() == ROUNDS
