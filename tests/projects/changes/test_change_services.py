"""Changes to a project: the school asks, the bureau approves (the project takes the new value,
the history keeps both) or rejects, the school may withdraw; every refusal changes nothing."""

from decimal import Decimal

import pytest

from tests.factories import InstitutionFactory, UserFactory, membership
from tests.projects.changes.change_fixtures import *  # noqa: F403
from tests.projects.changes.change_fixtures import BUDGET, budget, moved, school_of
from vetq.audit.models import AuditEntry
from vetq.notices.models import Notice
from vetq.projects.changes import change_decide, change_request, change_withdraw
from vetq.projects.models import ChangeRequest, Project, ProjectEvent, ProjectState
from vetq.projects.services import ProjectRefused

pytestmark = pytest.mark.integration


def snapshot(project: Project) -> dict:
    """Everything a change request, decision or withdrawal could change."""
    project.refresh_from_db()
    return {
        "project": (project.lead_name, project.goals, project.budget, project.state),
        "changes": list(ChangeRequest.objects.filter(project=project).values_list(
            "kind", "state", "before", "after", "decided_by", "decision_comment")),
        "events": ProjectEvent.objects.filter(project=project).count(),
        "audit": AuditEntry.objects.count(),
        "notices": Notice.objects.count(),
    }


def refused(call, match: str, project: Project):
    before = snapshot(project)
    with pytest.raises(ProjectRefused, match=match):
        call()
    assert snapshot(project) == before


def school_notices(project) -> list:
    """The notices every user of the project's school got (each the same)."""
    users = set(Notice.objects.values_list("user", flat=True))
    members = set(project.institution.memberships.values_list("user", flat=True))
    assert users == members and len(users) >= 1
    return list(Notice.objects.filter(user=min(users)).values_list("kind", "params"))


def ask(project, school, kind="lead", after=None, reason="原负责人调离学校。"):
    after = {"lead_name": "李明"} if after is None else after
    return change_request(project=project, kind=kind, after=after, reason=reason, by=school)


# --- asking ---------------------------------------------------------------------------------


def test_school_asks_for_a_lead_change_keeping_before_and_after(project, school, bureau_user):
    change = ask(project, school, after={"lead_name": "  李明 "})

    assert (change.kind, change.state, change.before, change.after) == (
        "lead", "pending", {"lead_name": "王建国"}, {"lead_name": "李明"})
    assert (change.reason, change.requested_by) == ("原负责人调离学校。", school)
    project.refresh_from_db()
    assert project.lead_name == "王建国"  # nothing changes before the bureau decides
    assert list(Notice.objects.filter(kind__startswith="change.").values_list("user", "kind")) \
        == [(bureau_user.pk, "change.requested")]
    entry = AuditEntry.objects.get(action="project.change_request")
    assert entry.after["before"] == {"lead_name": "王建国"}


def test_school_asks_for_a_budget_change_that_redistributes(project, school):
    change = ask(project, school, kind="budget", after={"budget": moved()}, reason="调整设备采购。")

    assert change.before == {"budget": BUDGET}
    assert change.after == {"budget": [
        {"item": "equipment", "amount": "50000.00", "school": "20000.00", "partner": "0.00"},
        {"item": "training", "amount": "30000.00", "school": "0.00", "partner": "10000.00"},
        {"item": "materials", "amount": "10000.00", "school": "0.00", "partner": "0.00"},
        {"item": "experts", "amount": "10000.00", "school": "0.00", "partner": "0.00"},
    ]}


def test_a_budget_change_may_empty_an_item_and_write_amounts_as_people_type(project, school):
    lines = budget(equipment="60,000", materials="0", experts="10000")
    change = ask(project, school, kind="budget", after={"budget": lines}, reason="取消资料开发。")
    assert [line["item"] for line in change.after["budget"]] == ["equipment", "training",
                                                                 "experts"]


@pytest.mark.parametrize("who", ["bureau", "other_school", "finance", "region"])
def test_only_the_projects_school_asks(project, bureau_user, finance_city, regions, who):
    other = UserFactory(username="other")
    membership(other, "school_user", institution=InstitutionFactory(region=regions["liangxi"]))
    region = UserFactory(username="region")
    membership(region, "region_officer", region=regions["liangxi"])
    user = {"bureau": bureau_user, "other_school": other, "finance": finance_city,
            "region": region}[who]
    refused(lambda: ask(project, user), "Only the project's school asks for changes", project)


@pytest.mark.parametrize("state", [ProjectState.CLOSED, ProjectState.FAILED,
                                   ProjectState.WITHDRAWN])
def test_a_change_request_to_a_project_no_longer_under_construction_is_refused(
        project, school, state):
    Project.objects.filter(pk=project.pk).update(state=state)
    refused(lambda: ask(project, school), "only be asked for a project under construction",
            project)


@pytest.mark.parametrize(("kind", "after", "reason", "match"), [
    ("lead", {"lead_name": "李明"}, "  ", "Please give a reason"),
    ("lead", {"lead_name": "王建国"}, "理由", "asks for no change"),
    ("lead", {"lead_name": " "}, "理由", "Enter the new lead person"),
    ("lead", {"lead_name": "李" * 61}, "理由", "at most 60 characters"),
    ("goals", {"goals": "建成省级品牌专业。 "}, "理由", "asks for no change"),
    ("goals", {"goals": ""}, "理由", "Enter the new goals"),
    ("staff", {"lead_name": "李明"}, "理由", "Choose what changes"),
    ("budget", {"budget": BUDGET}, "理由", "asks for no change"),
    ("budget", {"budget": budget(equipment="50000", furniture="10000")}, "理由",
     "“furniture” is not a budget item of this project"),
    ("budget", {"budget": budget(equipment="70000", materials="-10000")}, "理由",
     "Amounts cannot be negative"),
    ("budget", {"budget": budget(equipment="abc")}, "理由", "“abc” is not an amount"),
    ("budget", {"budget": budget(equipment="50000.001", experts="9999.999")}, "理由",
     "is not an amount"),
    ("budget", {"budget": [*BUDGET, {"item": "equipment", "amount": "1"}]}, "理由",
     "appears twice"),
    ("budget", {"budget": budget(equipment="70000")}, "理由",
     "A budget change moves money between items; the totals stay as they are. The total of "
     "the grant must stay 100,000 yuan, not 110,000 yuan."),
    ("budget", {"budget": [{**BUDGET[0], "school": "30000"}, *BUDGET[1:]]}, "理由",
     "The total of the school's co-funding must stay 20,000 yuan, not 30,000 yuan"),
    ("budget", {"budget": "all"}, "理由", "Enter the budget by item"),
])
def test_bad_requests_are_refused(project, school, kind, after, reason, match):
    refused(lambda: ask(project, school, kind=kind, after=after, reason=reason), match, project)


def test_a_second_request_of_the_same_kind_waits_for_the_first(project, school):
    ask(project, school)
    refused(lambda: ask(project, school, after={"lead_name": "赵六"}),
            "A change of the lead person is already waiting", project)
    ask(project, school, kind="goals", after={"goals": "建成国家级品牌专业。"})  # another kind


# --- deciding -------------------------------------------------------------------------------


def test_approval_writes_after_onto_the_project_with_its_history(project, school, bureau_user):
    change = ask(project, school)
    Notice.objects.all().delete()

    decided = change_decide(change=change, approve=True, comment="同意。", by=bureau_user)

    project.refresh_from_db()
    assert project.lead_name == "李明"
    assert (decided.state, decided.decided_by, decided.decision_comment) == (
        "approved", bureau_user, "同意。")
    assert decided.decided_at is not None
    event = ProjectEvent.objects.get(project=project, action="changed")
    assert (event.before, event.after, event.reason, event.by) == (
        {"lead_name": "王建国"}, {"lead_name": "李明"}, "原负责人调离学校。", bureau_user)
    assert school_notices(project) == [("change.approved", {"title": "梁溪项目",
                                                            "comment": "同意。"})]
    assert not Notice.objects.filter(user=bureau_user).exists()
    assert AuditEntry.objects.filter(action="project.change_approve").count() == 1


def test_approving_a_budget_change_replaces_the_plan(project, school, bureau_user):
    change = ask(project, school, kind="budget", after={"budget": moved()}, reason="调整。")
    change_decide(change=change, approve=True, by=bureau_user)
    project.refresh_from_db()
    assert project.budget == change.after["budget"]
    totals = sum(Decimal(line["amount"]) for line in project.budget)
    assert totals == Decimal("100000")


def test_approving_a_goals_change(project, school, bureau_user):
    change = ask(project, school, kind="goals", after={"goals": "建成国家级品牌专业。"})
    change_decide(change=change, approve=True, by=bureau_user)
    project.refresh_from_db()
    assert project.goals == "建成国家级品牌专业。"


def test_a_stale_change_is_not_approved(project, school, bureau_user):
    change = ask(project, school, kind="goals", after={"goals": "建成国家级品牌专业。"})
    Project.objects.filter(pk=project.pk).update(goals="另一处修改过的目标。")
    refused(lambda: change_decide(change=change, approve=True, by=bureau_user),
            "The project's goals changed after this request was made", project)
    # it can still be rejected
    change_decide(change=change, approve=False, comment="请按现行目标重新申请。", by=bureau_user)


def test_a_change_to_a_project_closed_since_is_not_approved(project, school, bureau_user):
    change = ask(project, school)
    Project.objects.filter(pk=project.pk).update(state=ProjectState.CLOSED)
    refused(lambda: change_decide(change=change, approve=True, by=bureau_user),
            "Only a change to a project under construction can be approved", project)


def test_rejection_needs_a_comment_and_changes_nothing_on_the_project(project, school,
                                                                       bureau_user):
    change = ask(project, school)
    refused(lambda: change_decide(change=change, approve=False, comment=" ", by=bureau_user),
            "Please say why the change is rejected", project)
    Notice.objects.all().delete()

    change_decide(change=change, approve=False, comment="新负责人职称不符合要求。", by=bureau_user)

    project.refresh_from_db()
    change.refresh_from_db()
    assert (project.lead_name, change.state, change.decision_comment) == (
        "王建国", "rejected", "新负责人职称不符合要求。")
    assert not ProjectEvent.objects.filter(action="changed").exists()
    assert school_notices(project) == [
        ("change.rejected", {"title": "梁溪项目", "comment": "新负责人职称不符合要求。"})]


@pytest.mark.parametrize("who", ["school", "finance", "region"])
def test_only_the_bureau_decides(project, school, finance_city, regions, who):
    change = ask(project, school)
    region = UserFactory(username="region")
    membership(region, "region_officer", region=regions["liangxi"])
    user = {"school": school, "finance": finance_city, "region": region}[who]
    refused(lambda: change_decide(change=change, approve=True, by=user),
            "Only the education bureau decides change requests", project)


def test_a_decided_request_is_not_decided_again(project, school, bureau_user):
    change = ask(project, school)
    change_decide(change=change, approve=True, by=bureau_user)
    refused(lambda: change_decide(change=change, approve=False, comment="x", by=bureau_user),
            "no longer waiting: it was approved", project)


# --- withdrawing ----------------------------------------------------------------------------


def test_school_withdraws_a_waiting_request(project, school, bureau_user):
    change = ask(project, school)
    Notice.objects.all().delete()
    withdrawn = change_withdraw(change=change, by=school)
    assert (withdrawn.state, withdrawn.decided_by) == ("withdrawn", school)
    assert list(Notice.objects.values_list("user", "kind")) == [
        (bureau_user.pk, "change.withdrawn")]
    refused(lambda: change_decide(change=change, approve=True, by=bureau_user),
            "no longer waiting: it was withdrawn", project)
    ask(project, school, after={"lead_name": "赵六"})  # a new request may follow


def test_only_the_school_withdraws_and_only_while_waiting(project, school, bureau_user):
    change = ask(project, school, after={"lead_name": "赵六"})
    change_withdraw(change=change, by=school_of(project, "colleague"))  # any of its users
    change = ask(project, school)
    refused(lambda: change_withdraw(change=change, by=bureau_user),
            "Only the project's school may withdraw", project)
    change_decide(change=change, approve=True, by=bureau_user)
    refused(lambda: change_withdraw(change=change, by=school), "no longer waiting", project)
