"""The pool services: what each writes and audits, and each refusal (nothing changed)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.factories import ExpertFactory, UserFactory
from tests.reviews.pool.conftest import close
from vetq.accounts.models import Membership
from vetq.audit.models import AuditEntry
from vetq.institutions.models import Industry
from vetq.reviews import pool, ratings
from vetq.reviews.models import Declaration, Employment, Expert, ExpertRating, PanelMember
from vetq.reviews.pool import PoolRefused

pytestmark = pytest.mark.integration


def _refused(call, **kwargs) -> str:
    with pytest.raises(PoolRefused) as refusal:
        call(**kwargs)
    return refusal.value.message


@pytest.fixture
def recheck_calls(monkeypatch):
    """Record the calls to panels.assignments_recheck (what it does is tested with panels)."""
    calls = []

    def fake(*, expert, by):
        calls.append((expert.code, by.username))
        return []

    monkeypatch.setattr(pool, "assignments_recheck", fake)
    return calls


# Experts ------------------------------------------------------------------------------------

def test_expert_create_takes_the_employers_region_and_is_audited(bureau_user, enterprise):
    industries = list(Industry.objects.order_by("code")[:2])
    expert = pool.expert_create(by=bureau_user, code=" e0042 ", name="张伟",
                                employer_enterprise=enterprise, title="高级工程师",
                                email="zhang@example.org", specialties=industries,
                                major_groups=["51", "46", "46"])
    expert.refresh_from_db()
    assert (expert.code, expert.region.code, expert.major_groups, expert.active) == (
        "E0042", "xinwu", ["46", "51"], True)
    assert sorted(i.code for i in expert.specialties.all()) == sorted(i.code for i in industries)
    entry = AuditEntry.objects.get(action="expert.create")
    assert entry.actor == bureau_user
    assert entry.after["employer"] == "ent:91320200MA1XXXXX01"
    assert entry.after["code"] == "E0042"


def test_expert_create_keeps_a_region_given(bureau_user, school, regions):
    expert = pool.expert_create(by=bureau_user, code="E1", name="张伟", employer_institution=school,
                                region=regions["yixing"])
    assert expert.region.code == "yixing"


@pytest.mark.parametrize(("changes", "message"), [
    ({"code": ""}, "Enter the expert's code."),
    ({"code": "E 01"}, "An expert code is 1 to 20 letters, digits, “-” or “_”, such as E0042."),
    ({"code": "e0001"}, "The code E0001 is already taken."),
    ({"name": "  "}, "Required: name."),
    ({"employer_institution": None}, "Name the employer: a school or an enterprise."),
    ({"email": "not-an-address"}, "“not-an-address” is not an e-mail address."),
    ({"major_groups": ["4"]},
     "A major group is a two-digit code of the catalogue, such as 46: “4” is not."),
])
def test_expert_create_refusals(bureau_user, school, expert, changes, message):
    kwargs = {"by": bureau_user, "code": "E0100", "name": "张伟", "employer_institution": school,
              **changes}
    assert _refused(pool.expert_create, **kwargs) == message
    assert list(Expert.objects.values_list("code", flat=True)) == ["E0001"]


def test_expert_create_refuses_two_employers(bureau_user, school, enterprise):
    message = _refused(pool.expert_create, by=bureau_user, code="E1", name="张伟",
                       employer_institution=school, employer_enterprise=enterprise)
    assert message == "Name one employer: a school or an enterprise, not both."
    assert not Expert.objects.exists()


def test_expert_create_refuses_anyone_but_the_bureau(school_user, school, expert_user):
    for user in (school_user, expert_user):
        message = _refused(pool.expert_create, by=user, code="E9", name="张伟",
                           employer_institution=school)
        assert message == "Only the education bureau may do this."
    assert not Expert.objects.filter(code="E9").exists()


def test_expert_update_new_employer_moves_the_old_into_history(bureau_user, expert, enterprise,
                                                               school, recheck_calls):
    pool.expert_update(expert=expert, by=bureau_user, employer_institution=None,
                       employer_enterprise=enterprise)
    expert.refresh_from_db()
    assert (expert.employer, expert.region.code) == (enterprise, "xinwu")
    job = Employment.objects.get(expert=expert)
    assert (job.institution, job.ended) == (school, timezone.localdate())
    entry = AuditEntry.objects.get(action="expert.update")
    assert (entry.before["employer"], entry.after["employer"]) == (
        f"inst:{school.code}", "ent:91320200MA1XXXXX01")
    assert recheck_calls == [("E0001", "bureau")]


def test_expert_update_without_change_writes_no_audit(bureau_user, expert, recheck_calls):
    pool.expert_update(expert=expert, by=bureau_user, name=expert.name, phone=expert.phone)
    assert not AuditEntry.objects.filter(action="expert.update").exists()
    assert recheck_calls == []


def test_expert_update_by_the_expert_itself_changes_only_its_own_fields(expert, expert_user):
    pool.expert_update(expert=expert, by=expert_user, phone="13800000000", title="教授",
                       major_groups=["51"])
    expert.refresh_from_db()
    assert (expert.phone, expert.title, expert.major_groups) == ("13800000000", "教授", ["51"])
    message = _refused(pool.expert_update, expert=expert, by=expert_user, name="别名")
    assert message == ("An expert may change only its title, phone, e-mail, specialties and "
                       "major groups.")
    expert.refresh_from_db()
    assert expert.name == "王芳"


def test_expert_update_refuses_another_expert_and_a_school(expert, other_expert_user,
                                                           school_user):
    for user in (other_expert_user, school_user):
        message = _refused(pool.expert_update, expert=expert, by=user, phone="1")
        assert message == "Only the education bureau or the expert itself may do this."
    expert.refresh_from_db()
    assert expert.phone == "0510-1234567"


def test_expert_update_refuses_a_taken_code(bureau_user, expert, other_expert):
    message = _refused(pool.expert_update, expert=expert, by=bureau_user, code="e0002")
    assert message == "The code E0002 is already taken."


def test_expert_update_refuses_a_new_code_once_drawn(bureau_user, expert, panel):
    PanelMember.objects.create(panel=panel, expert=expert, role="member", position=1)
    message = _refused(pool.expert_update, expert=expert, by=bureau_user, code="E0999")
    assert message == "The code cannot change: draws have published it."
    expert.refresh_from_db()
    assert expert.code == "E0001"


def test_expert_deactivate_and_activate(bureau_user, expert):
    pool.expert_deactivate(expert=expert, by=bureau_user, reason="退休")
    expert.refresh_from_db()
    assert expert.active is False
    assert _refused(pool.expert_deactivate, expert=expert, by=bureau_user) == (
        "This expert is already out of the pool.")
    pool.expert_activate(expert=expert, by=bureau_user)
    expert.refresh_from_db()
    assert expert.active is True
    assert _refused(pool.expert_activate, expert=expert, by=bureau_user) == (
        "This expert is already in the pool.")
    actions = list(AuditEntry.objects.filter(action__startswith="expert.")
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["expert.deactivate", "expert.activate"]
    assert AuditEntry.objects.get(action="expert.deactivate").after == {
        "active": False, "reason": "退休"}


def test_expert_deactivate_refuses_the_expert_itself(expert, expert_user):
    assert _refused(pool.expert_deactivate, expert=expert, by=expert_user) == (
        "Only the education bureau may do this.")


# Accounts -----------------------------------------------------------------------------------

def test_expert_link_user_creates_an_account_with_the_expert_role(bureau_user, expert):
    user = pool.expert_link_user(expert=expert, by=bureau_user, username="wangfang")
    expert.refresh_from_db()
    assert expert.user == user
    assert (user.full_name, user.email, user.has_usable_password()) == (
        "王芳", "wang@example.org", False)
    assert list(Membership.objects.filter(user=user).values_list("role", flat=True)) == ["expert"]
    assert AuditEntry.objects.get(action="expert.link_user").after == {"user": "wangfang"}


def test_expert_link_user_links_an_existing_account(bureau_user, expert):
    user = UserFactory(username="existing")
    assert pool.expert_link_user(expert=expert, by=bureau_user, user=user) == user
    assert Membership.objects.filter(user=user, role="expert").count() == 1


def test_expert_link_user_refusals(bureau_user, expert, expert_user, other_expert):
    assert _refused(pool.expert_link_user, expert=expert, by=bureau_user, username="x") == (
        "This expert already has an account (expert1).")
    assert _refused(pool.expert_link_user, expert=other_expert, by=bureau_user,
                    user=expert_user) == "The account expert1 already belongs to another expert."
    assert _refused(pool.expert_link_user, expert=other_expert, by=bureau_user,
                    username="EXPERT1") == "The username EXPERT1 is taken."
    assert _refused(pool.expert_link_user, expert=other_expert, by=bureau_user, username=" ") == (
        "Enter a username.")
    assert _refused(pool.expert_link_user, expert=other_expert, by=expert_user,
                    username="new") == "Only the education bureau may do this."
    other_expert.refresh_from_db()
    assert other_expert.user is None


# Employment ---------------------------------------------------------------------------------

def test_employment_add_by_the_expert_is_audited_and_rechecked(expert, expert_user, other_school,
                                                               recheck_calls):
    job = pool.employment_add(expert=expert, by=expert_user, institution=other_school,
                              position="教师", started=date(2015, 9, 1), ended=date(2019, 7, 31))
    assert (job.institution, job.started, job.ended) == (other_school, date(2015, 9, 1),
                                                        date(2019, 7, 31))
    assert AuditEntry.objects.get(action="expert.employment_add").after == {
        "employment": job.pk, "employer": f"inst:{other_school.code}", "position": "教师",
        "started": "2015-09-01", "ended": "2019-07-31"}
    assert recheck_calls == [("E0001", "expert1")]


@pytest.mark.parametrize(("changes", "message"), [
    ({"started": date(2020, 1, 2), "ended": date(2020, 1, 1)},
     "The start date must not be after the end date."),
    ({"ended": date.today() + timedelta(days=2)}, "The end date cannot be in the future."),
    ({"institution": None}, "Name the employer: a school or an enterprise."),
])
def test_employment_add_refusals(bureau_user, expert, other_school, recheck_calls, changes,
                                 message):
    kwargs = {"expert": expert, "by": bureau_user, "institution": other_school, **changes}
    assert _refused(pool.employment_add, **kwargs) == message
    assert not Employment.objects.exists()
    assert recheck_calls == []


def test_employment_add_refuses_two_employers_and_other_users(expert, other_school, enterprise,
                                                             other_expert_user, school_user):
    assert _refused(pool.employment_add, expert=expert, by=other_expert_user,
                    institution=other_school) == (
        "Only the education bureau or the expert itself may do this.")
    assert _refused(pool.employment_add, expert=expert, by=school_user,
                    institution=other_school) == (
        "Only the education bureau or the expert itself may do this.")
    assert not Employment.objects.exists()


def test_employment_add_refuses_two_employers(bureau_user, expert, other_school, enterprise):
    assert _refused(pool.employment_add, expert=expert, by=bureau_user, institution=other_school,
                    enterprise=enterprise) == (
        "Name one employer: a school or an enterprise, not both.")


def test_employment_end(expert, expert_user, other_school, recheck_calls):
    job = Employment.objects.create(expert=expert, institution=other_school,
                                    started=date(2018, 1, 1))
    pool.employment_end(employment=job, by=expert_user, ended=date(2021, 6, 30))
    job.refresh_from_db()
    assert job.ended == date(2021, 6, 30)
    entry = AuditEntry.objects.get(action="expert.employment_end")
    assert (entry.before["ended"], entry.after["ended"]) == (None, "2021-06-30")
    assert recheck_calls == [("E0001", "expert1")]
    assert _refused(pool.employment_end, employment=job, by=expert_user,
                    ended=date(2022, 1, 1)) == "This job has already ended."


def test_employment_end_refusals(bureau_user, expert, other_school, other_expert_user):
    job = Employment.objects.create(expert=expert, institution=other_school,
                                    started=date(2018, 1, 1))
    assert _refused(pool.employment_end, employment=job, by=bureau_user,
                    ended=date(2017, 12, 31)) == "The end date must not be before the start date."
    assert _refused(pool.employment_end, employment=job, by=bureau_user,
                    ended=date.today() + timedelta(days=1)) == "The end date cannot be in the future."
    assert _refused(pool.employment_end, employment=job, by=other_expert_user,
                    ended=date(2019, 1, 1)) == (
        "Only the education bureau or the expert itself may do this.")
    job.refresh_from_db()
    assert job.ended is None


# Declarations -------------------------------------------------------------------------------

def test_declaration_add_and_withdraw(expert, expert_user, other_school, recheck_calls):
    declaration = pool.declaration_add(expert=expert, by=expert_user, institution=other_school,
                                       reason="配偶在该校任职")
    assert AuditEntry.objects.get(action="expert.declaration_add").after == {
        "declaration": declaration.pk, "named": f"inst:{other_school.code}",
        "reason": "配偶在该校任职"}
    assert recheck_calls == [("E0001", "expert1")]
    pool.declaration_withdraw(declaration=declaration, by=expert_user)
    declaration.refresh_from_db()
    assert declaration.withdrawn_at is not None
    assert AuditEntry.objects.filter(action="expert.declaration_withdraw").count() == 1
    assert _refused(pool.declaration_withdraw, declaration=declaration, by=expert_user) == (
        "This declaration has already been withdrawn.")
    again = pool.declaration_add(expert=expert, by=expert_user, institution=other_school,
                                 reason="再次申报")
    assert again.pk != declaration.pk


def test_declaration_add_by_the_bureau_names_a_person(bureau_user, expert, recheck_calls):
    declaration = pool.declaration_add(expert=expert, by=bureau_user, person=" 张明 ",
                                       reason="师生关系")
    assert declaration.person == "张明"
    assert AuditEntry.objects.get(action="expert.declaration_add").after["named"] == "person:张明"


@pytest.mark.parametrize(("changes", "message"), [
    ({}, "Name the school, enterprise or person you conflict with."),
    ({"person": "张明", "use_school": True}, "Name one school, enterprise or person per declaration."),
    ({"person": "张明", "reason": " "}, "Required: reason."),
])
def test_declaration_add_refusals(expert, expert_user, other_school, recheck_calls, changes,
                                  message):
    kwargs = {"expert": expert, "by": expert_user, "reason": "亲属", **changes}
    if kwargs.pop("use_school", False):
        kwargs["institution"] = other_school
    assert _refused(pool.declaration_add, **kwargs) == message
    assert not Declaration.objects.exists()
    assert recheck_calls == []


def test_declaration_add_refuses_a_repeat_and_other_users(expert, expert_user, other_expert_user,
                                                          enterprise, recheck_calls):
    pool.declaration_add(expert=expert, by=expert_user, enterprise=enterprise, reason="持股")
    assert _refused(pool.declaration_add, expert=expert, by=expert_user, enterprise=enterprise,
                    reason="持股") == "This conflict is already declared."
    assert _refused(pool.declaration_add, expert=expert, by=other_expert_user,
                    person="张明", reason="x") == (
        "Only the education bureau or the expert itself may do this.")
    declaration = Declaration.objects.get()
    assert _refused(pool.declaration_withdraw, declaration=declaration, by=other_expert_user) == (
        "Only the education bureau or the expert itself may do this.")
    assert Declaration.objects.filter(withdrawn_at__isnull=True).count() == 1


def test_an_expert_without_the_expert_role_is_not_itself(expert, expert_user):
    Membership.objects.filter(user=expert_user).delete()
    expert_user.refresh_from_db()
    assert _refused(pool.declaration_add, expert=expert, by=expert_user, person="张明",
                    reason="x") == "Only the education bureau or the expert itself may do this."


# Ratings ------------------------------------------------------------------------------------

def test_rating_record_after_the_round(bureau_user, expert, assign):
    panel = close(assign(expert))
    rating = ratings.rating_record(expert=expert, panel=panel, by=bureau_user, score="4",
                                comment=" 认真负责 ")
    assert (rating.score, rating.comment, rating.by) == (4, "认真负责", bureau_user)
    assert AuditEntry.objects.get(action="expert.rate").after == {
        "panel": panel.pk, "score": 4, "comment": "认真负责"}


def test_rating_record_refused_before_the_panel_is_closed(bureau_user, expert, assign):
    panel = assign(expert)
    assert _refused(ratings.rating_record, expert=expert, panel=panel, by=bureau_user, score=5) == (
        "Experts are rated after the panel's review round is closed.")
    assert not ExpertRating.objects.exists()


def test_rating_record_refused_twice(bureau_user, expert, assign):
    panel = close(assign(expert))
    ratings.rating_record(expert=expert, panel=panel, by=bureau_user, score=3)
    assert _refused(ratings.rating_record, expert=expert, panel=panel, by=bureau_user, score=5) == (
        "王芳 has already been rated for this panel.")
    assert list(ExpertRating.objects.values_list("score", flat=True)) == [3]


@pytest.mark.parametrize("score", [0, 6, "3.5", "", None, True, "五"])
def test_rating_record_refuses_scores_outside_1_to_5(bureau_user, expert, assign, score):
    panel = close(assign(expert))
    assert _refused(ratings.rating_record, expert=expert, panel=panel, by=bureau_user,
                    score=score) == "A rating is a whole number from 1 to 5."
    assert not ExpertRating.objects.exists()


def test_rating_record_refuses_an_expert_who_did_not_review_and_non_bureau(
        bureau_user, expert, other_expert, expert_user, assign):
    panel = close(assign(expert))
    assert _refused(ratings.rating_record, expert=other_expert, panel=panel, by=bureau_user,
                    score=3) == "李强 did not review in this panel."
    assert _refused(ratings.rating_record, expert=expert, panel=panel, by=expert_user, score=5) == (
        "Only the education bureau may do this.")
    assert not ExpertRating.objects.exists()


def test_panel_rated_experts_are_those_with_assignments(expert, other_expert, assign, school):
    third = ExpertFactory(employer_institution=school)
    panel = assign(other_expert, expert)
    PanelMember.objects.create(panel=panel, expert=third, role="reserve", position=1)
    assert list(ratings.panel_rated_experts(panel)) == [expert, other_expert]


def test_a_new_declaration_takes_the_expert_off_a_conflicting_live_assignment(
        bureau_user, other_expert, assign, school):
    panel = assign(other_expert)
    assignment = panel.assignments.get()
    pool.declaration_add(expert=other_expert, by=bureau_user, institution=school,
                         reason="曾在该校兼职")
    assignment.refresh_from_db()
    assert assignment.active is False
    assert "Conflict found after the draw" in assignment.reason


def test_a_new_past_job_takes_the_expert_off_a_conflicting_live_assignment(
        other_expert, other_expert_user, assign, school):
    panel = assign(other_expert)
    pool.employment_add(expert=other_expert, by=other_expert_user, institution=school,
                        started=date(2015, 1, 1), ended=timezone.localdate() - timedelta(days=30))
    assert panel.assignments.get().active is False
