"""The data migration that gives every grant approved before projects existed its project."""

import importlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps

from tests.projects.projects_fixtures import *  # noqa: F403
from vetq.funding.models import Grant
from vetq.projects.models import Project, ProjectEvent, ProjectState

pytestmark = pytest.mark.integration

migration = importlib.import_module("vetq.projects.migrations.0002_projects_for_grants")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _grant_without_project(project_at, code="brand_major", *, approved: datetime,
                           state: str = "active", **kwargs) -> Grant:
    """A grant as an earlier release left it: approved at `approved`, in `state`, no project."""
    grant = project_at(code, **kwargs).grant
    Project.objects.filter(grant=grant).delete()
    Grant.objects.filter(pk=grant.pk).update(created_at=approved, state=state)
    grant.refresh_from_db()
    return grant


def test_each_grant_gets_its_project_from_the_day_of_approval(project_at):
    # 23:30 on 31 August UTC is already 1 September in Wuxi: the local day counts.
    studio = _grant_without_project(project_at, "master_teacher_studio",
                                    approved=datetime(2017, 8, 31, 23, 30, tzinfo=ZoneInfo("UTC")))
    award = _grant_without_project(project_at, "industry_contribution_award",
                                   approved=datetime(2018, 9, 3, 15, tzinfo=SHANGHAI),
                                   amount=200000)
    migration.projects_from_grants(apps, None)
    projects = {p.grant_id: p for p in Project.objects.all()}
    assert (projects[studio.pk].starts_on, projects[studio.pk].ends_on) == \
        (date(2017, 9, 1), date(2020, 9, 1))
    # No construction years: one year.
    assert (projects[award.pk].starts_on, projects[award.pk].ends_on) == \
        (date(2018, 9, 3), date(2019, 9, 3))
    copied = projects[studio.pk]
    assert (copied.title, copied.application_id, copied.institution_id, copied.category_id,
            copied.milestones, copied.budget) == (
        studio.application.title, studio.application_id, studio.institution_id,
        studio.category_id, studio.application.milestones, studio.application.budget)
    event = ProjectEvent.objects.get(project=copied)
    assert (event.action, event.by_id, event.after["migrated"]) == \
        ("create", studio.created_by_id, True)


@pytest.mark.parametrize(("grant_state", "project_state"), [
    ("active", ProjectState.ACTIVE), ("closed", ProjectState.CLOSED),
    ("failed", ProjectState.FAILED), ("withdrawn", ProjectState.WITHDRAWN),
])
def test_the_project_takes_the_state_of_its_grant(project_at, grant_state, project_state):
    grant = _grant_without_project(project_at, approved=datetime(2018, 9, 3, 15, tzinfo=SHANGHAI),
                                   state=grant_state)
    migration.projects_from_grants(apps, None)
    assert Project.objects.get(grant=grant).state == project_state


def test_grants_with_a_project_are_left_alone_and_a_rerun_adds_nothing(project_at, bureau_user):
    kept = project_at(title="已有项目")
    from vetq.projects.services import project_extend

    project_extend(project=kept, to=date(2023, 9, 1), reason="延期", by=bureau_user)
    missing = _grant_without_project(project_at, approved=datetime(2018, 9, 3, 15,
                                                                   tzinfo=SHANGHAI))
    migration.projects_from_grants(apps, None)
    migration.projects_from_grants(apps, None)
    assert Project.objects.count() == 2
    assert Project.objects.filter(grant=missing).count() == 1
    kept.refresh_from_db()
    assert (kept.extended_to, kept.events.count()) == (date(2023, 9, 1), 2)
