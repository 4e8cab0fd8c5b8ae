"""Projects after approval: created by the approval with the plan copied and the construction
period of its category; the one extension of at most the policy's limit, with a reason."""

from datetime import date
from decimal import Decimal

import pytest

from tests.projects.projects_fixtures import *  # noqa: F403
from tests.projects.projects_fixtures import APPROVED_ON
from vetq.audit.models import AuditEntry
from vetq.funding.models import Grant
from vetq.projects.models import Project, ProjectEvent, ProjectState
from vetq.projects.periods import period_end, years_after
from vetq.projects.services import ProjectRefused, project_create, project_extend

pytestmark = pytest.mark.integration


def _state(project: Project) -> tuple:
    project.refresh_from_db()
    return (project.state, project.ends_on, project.extended_to, project.extension_reason,
            ProjectEvent.objects.filter(project=project).count(),
            AuditEntry.objects.filter(action__startswith="project.").count())


@pytest.mark.unit
def test_period_end_adds_the_construction_years_at_least_one():
    assert period_end(date(2020, 3, 2), 3) == date(2023, 3, 2)
    assert period_end(date(2020, 3, 2), None) == date(2021, 3, 2)
    assert period_end(date(2020, 3, 2), 0) == date(2021, 3, 2)
    assert years_after(date(2020, 2, 29), 1) == date(2021, 2, 28)


def test_approval_creates_the_project_with_the_plan_copied(in_publicity, bureau_user, regions):
    application = in_publicity("brand_major", regions["liangxi"])
    application.lead_name = "张明"
    application.goals = "建成品牌专业。"
    application.milestones = [{"year": 2020, "text": "完成方案"}, {"year": 2021, "text": "建成"}]
    application.team = [{"name": "李华", "title": "讲师", "unit": "学校", "role": "成员"}]
    application.budget = [{"item": "total", "amount": "100000.00", "school": "20000.00",
                           "partner": "0.00"}]
    application.save()
    from vetq.funding.grants import application_approve

    grant = application_approve(application=application, by=bureau_user, today=APPROVED_ON)

    project = Project.objects.get(grant=grant)
    assert (project.application_id, project.category_id, project.institution_id) == \
        (application.pk, grant.category_id, grant.institution_id)
    assert (project.title, project.lead_name, project.goals) == \
        (application.title, "张明", "建成品牌专业。")
    assert project.milestones == application.milestones
    assert project.team == application.team
    assert project.budget == application.budget
    assert (project.state, project.starts_on, project.ends_on, project.extended_to) == \
        (ProjectState.ACTIVE, date(2020, 3, 2), date(2023, 3, 2), None)
    assert [(e.action, e.by) for e in project.events.all()] == [("create", bureau_user)]
    entry = AuditEntry.objects.get(action="project.create")
    assert (entry.object_id, entry.after["ends_on"]) == (str(project.pk), "2023-03-02")


def test_a_copy_is_not_shared_with_the_application(project_at):
    project = project_at()
    application = project.application
    application.milestones = [{"year": 2030, "text": "改动"}]
    application.save()
    project.refresh_from_db()
    assert project.milestones != application.milestones


@pytest.mark.parametrize(("code", "kwargs", "ends_on"), [
    ("master_teacher_studio", {}, date(2023, 3, 2)),  # R18: three construction years
    ("quality_course", {}, date(2022, 3, 2)),
    ("program_alliance", {}, date(2024, 3, 2)),
    # A range-rule award has no construction years: one year.
    ("industry_contribution_award", {"amount": Decimal("200000")}, date(2021, 3, 2)),
])
def test_the_construction_period_comes_from_the_category(project_at, code, kwargs, ends_on):
    project = project_at(code, **kwargs)
    assert (project.starts_on, project.ends_on) == (APPROVED_ON, ends_on)


def test_a_refused_approval_leaves_no_project(in_publicity, bureau_user, regions):
    from vetq.funding.grants import GrantRefused, application_approve

    application = in_publicity("industry_contribution_award", regions["liangxi"])
    with pytest.raises(GrantRefused):
        application_approve(application=application, by=bureau_user, amount=Decimal("1"))
    assert Project.objects.count() == 0


def test_a_second_project_for_a_grant_is_refused(project_at, bureau_user):
    project = project_at()
    with pytest.raises(ProjectRefused, match="already has its project"):
        project_create(grant=project.grant, by=bureau_user)
    assert Project.objects.count() == 1


def test_extension_sets_the_new_end_with_history_and_audit(project_at, bureau_user):
    project = project_at()
    extended = project_extend(project=project, to=date(2024, 3, 1), reason=" 疫情影响 ",
                              by=bureau_user)
    project.refresh_from_db()
    assert (project.extended_to, project.extension_reason, project.due_on) == \
        (date(2024, 3, 1), "疫情影响", date(2024, 3, 1))
    assert extended.extended_to == date(2024, 3, 1)
    event = project.events.get(action="extend")
    assert (event.before["extended_to"], event.after["extended_to"], event.reason, event.by) == \
        (None, "2024-03-01", "疫情影响", bureau_user)
    entry = AuditEntry.objects.get(action="project.extend")
    assert (entry.after["extended_to"], entry.after["reason"]) == ("2024-03-01", "疫情影响")


def test_extension_up_to_the_limit_is_allowed(project_at, bureau_user):
    project = project_at()  # ends 2023-03-02; 366 days later is 2024-03-02
    project_extend(project=project, to=date(2024, 3, 2), reason="延期", by=bureau_user)
    project.refresh_from_db()
    assert project.extended_to == date(2024, 3, 2)


def test_a_second_extension_is_refused(project_at, bureau_user):
    project = project_at()
    project_extend(project=project, to=date(2023, 9, 1), reason="第一次", by=bureau_user)
    before = _state(project)
    with pytest.raises(ProjectRefused, match="already extended once, to 2023-09-01"):
        project_extend(project=project, to=date(2023, 12, 1), reason="第二次", by=bureau_user)
    assert _state(project) == before


def test_an_extension_longer_than_the_limit_is_refused(project_at, bureau_user):
    project = project_at()
    before = _state(project)
    with pytest.raises(ProjectRefused,
                       match="at most 366 days: until 2024-03-02 at the latest"):
        project_extend(project=project, to=date(2024, 3, 3), reason="延期", by=bureau_user)
    assert _state(project) == before


def test_the_limit_comes_from_the_policy(project_at, bureau_user):
    project = project_at()
    program = project.grant.program
    program.policy = {**program.policy, "projects": {"excellent_from": "90", "pass_from": "60",
                                                     "extension_max_days": 30}}
    program.save(update_fields=["policy"])
    with pytest.raises(ProjectRefused, match="at most 30 days: until 2023-04-01"):
        project_extend(project=project, to=date(2023, 4, 2), reason="延期", by=bureau_user)


def test_an_extension_not_after_the_planned_end_is_refused(project_at, bureau_user):
    project = project_at()
    before = _state(project)
    with pytest.raises(ProjectRefused, match="later than the planned end, 2023-03-02"):
        project_extend(project=project, to=date(2023, 3, 2), reason="延期", by=bureau_user)
    assert _state(project) == before


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_extension_without_a_reason_is_refused(project_at, bureau_user, reason):
    project = project_at()
    before = _state(project)
    with pytest.raises(ProjectRefused, match="give a reason"):
        project_extend(project=project, to=date(2023, 9, 1), reason=reason, by=bureau_user)
    assert _state(project) == before


@pytest.mark.parametrize("state", [ProjectState.CLOSED, ProjectState.FAILED,
                                   ProjectState.WITHDRAWN])
def test_an_extension_of_a_project_not_under_construction_is_refused(project_at, bureau_user,
                                                                      state):
    project = project_at()
    Project.objects.filter(pk=project.pk).update(state=state)
    before = _state(project)
    with pytest.raises(ProjectRefused, match="Only a project under construction"):
        project_extend(project=project, to=date(2023, 9, 1), reason="延期", by=bureau_user)
    assert _state(project) == before


@pytest.mark.parametrize(("grant_state", "project_state"), [
    ("failed", ProjectState.FAILED), ("withdrawn", ProjectState.WITHDRAWN),
    ("closed", ProjectState.CLOSED),
])
def test_project_create_follows_the_grant_state(project_at, bureau_user, grant_state,
                                                project_state):
    grant = project_at().grant
    Project.objects.filter(grant=grant).delete()
    Grant.objects.filter(pk=grant.pk).update(state=grant_state)
    grant.refresh_from_db()
    created = project_create(grant=grant, by=bureau_user, starts_on=date(2019, 9, 1))
    assert (created.state, created.starts_on, created.ends_on) == \
        (project_state, date(2019, 9, 1), date(2022, 9, 1))
