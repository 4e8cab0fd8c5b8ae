"""The data migration that schedules the yearly reports of projects under construction that
were created before reports existed."""

import importlib
from datetime import date

import pytest
from django.apps import apps

from vetq.projects.models import ProgressReport, Project

pytestmark = pytest.mark.integration

migration = importlib.import_module("vetq.projects.migrations.0004_schedule_reports")


def without_reports(project_at, *args, state="active", **kwargs) -> Project:
    project = project_at(*args, **kwargs)
    ProgressReport.objects.filter(project=project).delete()
    Project.objects.filter(pk=project.pk).update(state=state)
    return project


def schedule(project) -> list[tuple]:
    return [(r.year, r.period_start, r.period_end, r.due_on, r.state)
            for r in ProgressReport.objects.filter(project=project).order_by("year")]


def test_active_projects_get_their_reports_as_the_service_schedules_them(project_at):
    project = project_at("brand_major")
    expected = schedule(project)
    ProgressReport.objects.filter(project=project).delete()

    migration.schedule_reports(apps, None)
    assert schedule(project) == expected == [
        (1, date(2020, 3, 2), date(2021, 3, 1), date(2021, 3, 31), "due"),
        (2, date(2021, 3, 2), date(2022, 3, 1), date(2022, 3, 31), "due")]


@pytest.mark.parametrize("state", ["closed", "failed", "withdrawn"])
def test_projects_no_longer_under_construction_get_none(project_at, state):
    project = without_reports(project_at, "brand_major", state=state)
    migration.schedule_reports(apps, None)
    assert schedule(project) == []


def test_the_programs_policy_sets_the_due_days(project_at, program):
    project = without_reports(project_at, "master_teacher_studio")
    program.policy = {**program.policy,
                      "projects": {**program.policy.get("projects", {}), "report_due_days": 60}}
    program.save(update_fields=["policy"])
    migration.schedule_reports(apps, None)
    assert [r[3] for r in schedule(project)] == [date(2021, 4, 30), date(2022, 4, 30)]


def test_existing_reports_are_kept_and_a_rerun_adds_nothing(project_at):
    project = project_at("brand_major")
    ProgressReport.objects.filter(project=project, year=1).update(state="accepted",
                                                                  text="已交")
    ProgressReport.objects.filter(project=project, year=2).delete()
    migration.schedule_reports(apps, None)
    migration.schedule_reports(apps, None)
    assert [(r[0], r[4]) for r in schedule(project)] == [(1, "accepted"), (2, "due")]
