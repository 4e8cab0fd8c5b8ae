"""Reminders of progress reports (frozen time): once within `remind_days_before` days before
the due date, then every `remind_every_days` days once overdue; none for reports filed or
projects no longer under construction; the daily task runs through the scheduler and the
worker."""

from datetime import date

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tests.projects.reports.conftest import FILLED, at
from vetq.core import schedule
from vetq.notices.models import Notice
from vetq.projects.models import Project
from vetq.projects.report_reminders import report_reminders_send
from vetq.projects.reports import report_save, report_submit
from vetq.projects.tasks import report_reminders

pytestmark = pytest.mark.integration

# The year-1 report of the project approved on 2 March 2020 is due on 31 March 2021; the
# Wuxi policy reminds 14 days before (from 17 March) and weekly once overdue.


def run(day: date) -> int:
    with time_machine.travel(at(day.year, day.month, day.day, 7, 5), tick=False):
        return report_reminders.call()


def reminded(user) -> list[tuple]:
    return list(Notice.objects.filter(user=user).order_by("pk")
                .values_list("kind", "params__due"))


def test_nothing_before_the_window(report, school_a):
    assert run(date(2021, 3, 16)) == 0
    assert reminded(school_a) == []
    report.refresh_from_db()
    assert report.reminded_on is None


def test_one_reminder_in_the_window_and_none_the_next_days(report, school_a):
    assert run(date(2021, 3, 17)) == 1
    assert reminded(school_a) == [("report.due_soon", "2021-03-31")]
    notice = Notice.objects.get(user=school_a)
    assert notice.params["title"] == "梁溪品牌专业"
    assert notice.url == f"/projects/reports/{report.pk}/"
    report.refresh_from_db()
    assert report.reminded_on == date(2021, 3, 17)
    assert list(report.events.values_list("action", "comment", "by")) == [
        ("reminded", "due_soon", None)]

    assert run(date(2021, 3, 18)) == 0
    assert run(date(2021, 3, 31)) == 0
    assert len(reminded(school_a)) == 1


def test_every_user_of_the_school_is_reminded_and_no_one_else(report, school_a, school_b,
                                                              bureau_user):
    run(date(2021, 3, 20))
    users = set(Notice.objects.filter(url=f"/projects/reports/{report.pk}/")
                .values_list("user", flat=True))
    assert school_a.pk in users
    assert users.isdisjoint({school_b.pk, bureau_user.pk})
    assert users == set(report.project.institution.memberships.values_list("user", flat=True))


def test_overdue_reports_are_reminded_every_seven_days(report, school_a):
    run(date(2021, 3, 17))
    assert run(date(2021, 4, 1)) == 1
    assert [run(date(2021, 4, d)) for d in range(2, 8)] == [0] * 6
    assert run(date(2021, 4, 8)) == 1
    assert run(date(2021, 4, 9)) == 0
    assert run(date(2021, 4, 15)) == 1
    assert reminded(school_a) == [("report.due_soon", "2021-03-31")] + [
        ("report.overdue", "2021-03-31")] * 3
    assert list(report.events.values_list("comment", flat=True)) == [
        "due_soon", "overdue", "overdue", "overdue"]


def test_a_report_first_seen_overdue_is_reminded_at_once(report, school_a):
    assert run(date(2021, 6, 1)) == 1
    assert reminded(school_a) == [("report.overdue", "2021-03-31")]


def test_no_reminder_for_a_submitted_or_accepted_report(report, school_a, bureau_user):
    report_save(report=report, by=school_a, **FILLED)
    report_submit(report=report, by=school_a)
    assert run(date(2021, 3, 20)) == 0
    assert run(date(2021, 4, 20)) == 0
    assert reminded(school_a) == []


def test_a_returned_report_is_reminded_again(report, school_a, bureau_user):
    from vetq.projects.reports import report_return

    report_save(report=report, by=school_a, **FILLED)
    report_submit(report=report, by=school_a)
    report_return(report=report, comment="请补充", by=bureau_user)
    assert run(date(2021, 4, 20)) == 1
    assert reminded(school_a)[-1] == ("report.overdue", "2021-03-31")


@pytest.mark.parametrize("state", ["closed", "failed", "withdrawn"])
def test_no_reminder_for_a_project_no_longer_under_construction(report, school_a, state):
    Project.objects.filter(pk=report.project_id).update(state=state)
    assert run(date(2021, 3, 20)) == 0
    assert run(date(2021, 4, 20)) == 0
    assert reminded(school_a) == []


def test_the_policy_sets_the_window_and_the_interval(report, school_a, program):
    program.policy = {**program.policy, "projects": {
        **program.policy.get("projects", {}), "remind_days_before": 3, "remind_every_days": 2}}
    program.save(update_fields=["policy"])
    assert run(date(2021, 3, 27)) == 0
    assert run(date(2021, 3, 28)) == 1
    assert run(date(2021, 4, 1)) == 1
    assert run(date(2021, 4, 2)) == 0
    assert run(date(2021, 4, 3)) == 1


def test_the_service_takes_the_day(report, school_a):
    assert report_reminders_send(date(2021, 3, 25)) == 1
    assert report_reminders_send(date(2021, 3, 25)) == 0


# The worker closes its database connection when it is done: in a test transaction the
# connection could not be opened again (PostgreSQL), so this test commits.
@pytest.mark.django_db(transaction=True)
def test_the_scheduler_enqueues_the_task_and_the_worker_sends_the_reminders(
        report, school_a, settings):
    settings.VETQ_DAILY_HOUR = 7
    name = report_reminders.module_path
    with time_machine.travel(at(2021, 3, 20, 6, 59), tick=False):
        assert schedule.tick() == []
    with time_machine.travel(at(2021, 3, 20, 7, 0), tick=False):
        runs = schedule.tick()
        assert name in [r.name for r in runs]
        call_command("db_worker", "--batch", "--no-startup-delay")

    result = DBTaskResult.objects.get(task_path=name)
    assert (result.status, result.return_value) == ("SUCCESSFUL", 1)
    assert reminded(school_a) == [("report.due_soon", "2021-03-31")]
    report.refresh_from_db()
    assert report.reminded_on == date(2021, 3, 20)
