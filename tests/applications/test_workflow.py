"""The transition table: every allowed move performs, forbidden moves change nothing."""

import threading

import pytest
from django.db import connection

from tests.factories import UserFactory, membership
from vetq.applications.models import Application, ApplicationEvent, EligibilityCheck
from vetq.applications.services import Refused, application_transition
from vetq.applications.states import ApplicationState as S
from vetq.applications.workflow import TRANSITIONS, actions_from
from vetq.audit.models import AuditEntry
from vetq.notices.models import Notice

pytestmark = pytest.mark.integration


def _actor(transition, school_user, region_officer, bureau_user):
    return {"school_user": school_user, "region_officer": region_officer,
            "bureau_admin": bureau_user}[transition.role]


@pytest.mark.parametrize(
    ("action", "source"),
    [(t.action, s) for t in TRANSITIONS for s in sorted(t.sources)],
)
def test_every_allowed_move_performs_with_history_and_audit(
    action, source, draft, school_user, region_officer, bureau_user
):
    transition = next(t for t in TRANSITIONS if t.action == action)
    application = draft()
    Application.objects.filter(pk=application.pk).update(state=source)  # arrange only
    application.refresh_from_db()
    audits = AuditEntry.objects.count()
    moved = application_transition(
        application=application, action=action,
        by=_actor(transition, school_user, region_officer, bureau_user), comment="理由说明",
    )
    assert moved.state == transition.target
    event = ApplicationEvent.objects.get(application=application)
    assert (event.action, event.from_state, event.to_state) == (action, source, transition.target)
    assert AuditEntry.objects.count() == audits + 1
    assert AuditEntry.objects.last().action == f"application.{action}"


def test_a_move_not_in_the_table_is_refused_and_changes_nothing(draft, bureau_user):
    application = draft()
    with pytest.raises(Refused):
        application_transition(application=application, action="approve", by=bureau_user)
    application.refresh_from_db()
    assert application.state == S.DRAFT
    assert not ApplicationEvent.objects.filter(application=application).exists()


def test_unknown_action_is_refused(draft, school_user):
    with pytest.raises(Refused):
        application_transition(application=draft(), action="teleport", by=school_user)


def test_school_user_cannot_recommend(draft, school_user):
    application = application_transition(application=draft(), action="submit", by=school_user)
    with pytest.raises(Refused) as refusal:
        application_transition(application=application, action="recommend", by=school_user)
    assert refusal.value.reasons[0].message == "Your role does not allow this change."
    application.refresh_from_db()
    assert application.state == S.SUBMITTED


def test_officer_of_another_region_cannot_recommend(draft, school_user, regions):
    application = application_transition(application=draft(), action="submit", by=school_user)
    outsider = UserFactory()
    membership(outsider, "region_officer", region=regions["yixing"])
    with pytest.raises(Refused):
        application_transition(application=application, action="recommend", by=outsider)
    application.refresh_from_db()
    assert application.state == S.SUBMITTED


def test_another_school_cannot_submit(draft, other_school):
    outsider = UserFactory()
    membership(outsider, "school_user", institution=other_school)
    with pytest.raises(Refused):
        application_transition(application=draft(), action="submit", by=outsider)


def test_failing_formal_check_needs_a_reason(draft, school_user, region_officer, bureau_user):
    application = application_transition(application=draft(), action="submit", by=school_user)
    application = application_transition(application=application, action="recommend",
                                         by=region_officer)
    with pytest.raises(Refused):
        application_transition(application=application, action="mark_ineligible",
                               by=bureau_user, comment="   ")
    application.refresh_from_db()
    assert application.state == S.RECOMMENDED


def test_incomplete_submission_is_refused_and_its_check_recorded(draft, school_user):
    application = draft()
    application.goals = ""
    application.save()
    with pytest.raises(Refused) as refusal:
        application_transition(application=application, action="submit", by=school_user)
    assert [r.code for r in refusal.value.reasons] == ["missing_field"]
    application.refresh_from_db()
    assert application.state == S.DRAFT
    check = EligibilityCheck.objects.get(application=application)
    assert check.passed is False
    assert check.failures[0]["code"] == "missing_field"
    assert not ApplicationEvent.objects.filter(application=application).exists()


def test_submitting_twice_submits_once(draft, school_user):
    application = draft()
    application_transition(application=application, action="submit", by=school_user)
    with pytest.raises(Refused):
        application_transition(application=application, action="submit", by=school_user)
    assert ApplicationEvent.objects.filter(application=application, action="submit").count() == 1


def test_submission_notifies_the_region_and_return_notifies_the_school(
    draft, school_user, region_officer
):
    application = application_transition(application=draft(), action="submit", by=school_user)
    assert Notice.objects.filter(user=region_officer, kind="application.submit").count() == 1
    application_transition(application=application, action="return", by=region_officer,
                           comment="预算表不完整")
    notice = Notice.objects.get(user=school_user, kind="application.return")
    assert notice.params["comment"] == "预算表不完整"


def test_second_application_for_the_same_major_is_refused(draft, school_user):
    first = draft()
    application_transition(application=first, action="submit", by=school_user)
    second = draft(title="同一专业再次申报")
    with pytest.raises(Refused) as refusal:
        application_transition(application=second, action="submit", by=school_user)
    assert [r.code for r in refusal.value.reasons] == ["major_taken"]


def test_buttons_follow_the_table():
    assert [t.action for t in actions_from(S.SUBMITTED, "region_officer")] == ["return", "recommend"]
    assert [t.action for t in actions_from(S.RECOMMENDED, "bureau_admin")] == [
        "mark_eligible", "mark_ineligible",
    ]
    assert [t.action for t in actions_from(S.APPROVED, "school_user")] == []
    # Moves that later stages make for themselves are never offered as buttons.
    assert [t.action for t in actions_from(S.ELIGIBLE, "bureau_admin")] == []
    assert [t.action for t in actions_from(S.ELIGIBLE, "bureau_admin", manual_only=False)] == [
        "start_review",
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_submit_once(draft, school_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (SQLite serialises writers)")
    application = draft()
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def submit():
        barrier.wait()
        try:
            application_transition(application=application, action="submit", by=school_user)
            outcomes.append("ok")
        except Refused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert ApplicationEvent.objects.filter(application=application, action="submit").count() == 1


def test_formal_check_after_its_deadline_is_refused(draft, school_user, region_officer, bureau_user):
    from datetime import timedelta

    from django.utils import timezone

    from vetq.programs.models import Call

    application = application_transition(application=draft(), action="submit", by=school_user)
    application = application_transition(application=application, action="recommend",
                                         by=region_officer)
    past = timezone.now() - timedelta(minutes=1)
    Call.objects.filter(pk=application.call_category.call_id).update(
        submission_deadline=past, recommendation_deadline=past, formal_check_deadline=past
    )
    with pytest.raises(Refused) as refusal:
        application_transition(application=application, action="mark_eligible", by=bureau_user)
    assert "formal check deadline" in refusal.value.reasons[0].message
    application.refresh_from_db()
    assert application.state == S.RECOMMENDED
