"""Scheduling the yearly progress reports: one per construction year but the last, covering
consecutive years without overlap, due the policy's days after each year ends."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.projects.reports.conftest import APPROVED_ON
from vetq.projects.models import ProgressReport, Project
from vetq.projects.periods import period_end
from vetq.projects.reports import report_periods, reports_schedule


@pytest.mark.unit
@given(start=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
       years=st.integers(min_value=1, max_value=8),
       due_days=st.integers(min_value=0, max_value=366))
def test_reports_cover_consecutive_years_but_the_last(start, years, due_days):
    end = period_end(start, years)
    periods = report_periods(start, end, due_days)

    assert [p.year for p in periods] == list(range(1, years))
    if periods:
        assert periods[0].start == start
        # The last report's year ends the day before the last construction year begins.
        assert periods[-1].end + timedelta(days=1) < end
    for before, after in zip(periods, periods[1:], strict=False):
        assert before.end + timedelta(days=1) == after.start
    for p in periods:
        assert p.start <= p.end
        assert 365 <= (p.end - p.start).days + 1 <= 366
        assert p.due == p.end + timedelta(days=due_days)


@pytest.mark.unit
def test_a_period_from_29_february_keeps_its_years_whole():
    periods = report_periods(date(2020, 2, 29), period_end(date(2020, 2, 29), 3), 30)
    assert [(p.start, p.end, p.due) for p in periods] == [
        (date(2020, 2, 29), date(2021, 2, 27), date(2021, 3, 29)),
        (date(2021, 2, 28), date(2022, 2, 27), date(2022, 3, 29)),
    ]


@pytest.mark.integration
def test_approval_schedules_the_reports_of_a_three_year_project(project_at):
    project = project_at("brand_major")
    assert [(r.year, r.period_start, r.period_end, r.due_on, r.state)
            for r in project.reports.order_by("year")] == [
        (1, date(2020, 3, 2), date(2021, 3, 1), date(2021, 3, 31), "due"),
        (2, date(2021, 3, 2), date(2022, 3, 1), date(2022, 3, 31), "due"),
    ]
    assert project.starts_on == APPROVED_ON


@pytest.mark.integration
def test_the_due_days_come_from_the_policy(project_at, program):
    program.policy = {**program.policy,
                      "projects": {**program.policy.get("projects", {}), "report_due_days": 45}}
    program.save(update_fields=["policy"])
    project = project_at("master_teacher_studio")
    assert [r.due_on for r in project.reports.order_by("year")] == [
        date(2021, 4, 15), date(2022, 4, 15)]


@pytest.mark.integration
def test_a_one_year_project_has_no_yearly_report(project_at):
    award = project_at("industry_contribution_award", amount=200000)
    assert (award.ends_on - award.starts_on).days == 365
    assert not award.reports.exists()


@pytest.mark.integration
def test_scheduling_again_adds_nothing_and_an_inactive_project_gets_none(project_at):
    project = project_at("brand_major")
    assert reports_schedule(project) == []
    ProgressReport.objects.filter(project=project, year=2).delete()
    assert [r.year for r in reports_schedule(project)] == [2]
    assert project.reports.count() == 2

    project.reports.all().delete()
    Project.objects.filter(pk=project.pk).update(state="closed")
    project.refresh_from_db()
    assert reports_schedule(project) == []
    assert not project.reports.exists()
