"""Saving, submitting and reopening reviews, and closing a panel: every refusal the issue
lists, each from the side that must be refused, and the history each change leaves."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import UserFactory, membership
from vetq.applications.models import ApplicationEvent
from vetq.applications.services import Refused
from vetq.applications.states import ApplicationState
from vetq.audit.models import AuditEntry
from vetq.notices.models import Notice
from vetq.reviews.models import Panel, PanelState, Review, ReviewEvent, ReviewState
from vetq.reviews.reviewing import (
    missing_reviews,
    panel_close,
    review_reopen,
    review_save,
    review_submit,
)

from .conftest import FULL, GOALS_COMMENT

pytestmark = pytest.mark.integration


def messages(refusal) -> list[str]:
    return refusal.value.messages()


def submit(assignment, expert, scores=FULL, comments=GOALS_COMMENT):
    return review_submit(assignment=assignment, by=expert.user, scores=scores, comments=comments)


def test_save_keeps_a_partial_draft_and_logs_it(reviewing, expert):
    review = review_save(assignment=reviewing["mine"], by=expert.user,
                         scores={"basis": "8.5", "industry": None}, comments={"basis": " 基础好 "},
                         comment="总体良好")

    review.refresh_from_db()
    assert review.state == ReviewState.DRAFT
    assert review.scores == {"basis": 8.5, "industry": None}
    assert review.comments == {"basis": "基础好"}
    assert review.comment == "总体良好"
    assert review.total is None
    assert list(review.events.values_list("action", "by")) == [("save", expert.user.pk)]


def test_save_out_of_bounds_refused_and_nothing_saved(reviewing, expert):
    review_save(assignment=reviewing["mine"], by=expert.user, scores={"basis": 7})
    with pytest.raises(Refused) as refusal:
        review_save(assignment=reviewing["mine"], by=expert.user,
                    scores={"basis": 11, "goals": -0.5})

    assert messages(refusal) == ["Foundation: the score must be between 0 and 10.",
                                 "Goals and content: the score must be between 0 and 10."]
    review = Review.objects.get(assignment=reviewing["mine"])
    assert review.scores == {"basis": 7}
    assert review.events.count() == 1


def test_not_applicable_where_not_allowed_refused(reviewing, expert):
    with pytest.raises(Refused) as refusal:
        review_save(assignment=reviewing["mine"], by=expert.user, scores={"basis": None})
    assert messages(refusal) == ["Foundation may not be marked “not applicable”."]
    assert not Review.objects.exists()


def test_submit_sets_the_weighted_total_and_locks(reviewing, expert):
    review = submit(reviewing["mine"], expert, scores={**FULL, "industry": None})

    # (20·0.8 + 30·0.9 + 15·0.6 + 15·0.8) / 80 × 100 = 64 / 80 × 100
    assert review.total == pytest.approx(80)
    review.refresh_from_db()
    assert str(review.total) == "80.00"
    assert review.state == ReviewState.SUBMITTED
    assert review.submitted_at is not None
    assert list(review.events.values_list("action", flat=True)) == ["submit"]
    entry = AuditEntry.objects.get(action="review.submit")
    assert entry.after["total"] == "80.00"


def test_submit_reports_every_problem_at_once(reviewing, expert):
    review_save(assignment=reviewing["mine"], by=expert.user, scores={"basis": 8})
    with pytest.raises(Refused) as refusal:
        review_submit(assignment=reviewing["mine"], by=expert.user,
                      scores={"basis": 8, "goals": 12, "measures": None}, comments={})

    assert messages(refusal) == [
        "Goals and content: the score must be between 0 and 10.",
        "Goals and content: a comment is required.",
        "Industry partnership: give a score.",
        "Safeguards may not be marked “not applicable”.",
        "Budget: give a score.",
    ]
    review = Review.objects.get()
    assert review.state == ReviewState.DRAFT
    assert review.scores == {"basis": 8}


def test_submit_missing_required_comment_refused(reviewing, expert):
    with pytest.raises(Refused) as refusal:
        submit(reviewing["mine"], expert, comments={"goals": "  "})
    assert messages(refusal) == ["Goals and content: a comment is required."]


def test_submit_without_arguments_submits_the_saved_draft(reviewing, expert):
    review_save(assignment=reviewing["mine"], by=expert.user, scores=FULL, comments=GOALS_COMMENT)
    review = review_submit(assignment=reviewing["mine"], by=expert.user)
    assert review.state == ReviewState.SUBMITTED
    assert str(review.total) == "78.00"


def test_submit_twice_refused(reviewing, expert):
    submit(reviewing["mine"], expert)
    with pytest.raises(Refused) as refusal:
        submit(reviewing["mine"], expert)
    assert messages(refusal) == ["This review has already been submitted."]
    assert ReviewEvent.objects.filter(action="submit").count() == 1


def test_edit_after_submit_refused(reviewing, expert):
    submit(reviewing["mine"], expert)
    with pytest.raises(Refused) as refusal:
        review_save(assignment=reviewing["mine"], by=expert.user, scores={"basis": 1})
    assert messages(refusal) == [
        "This review has been submitted; ask the bureau to reopen it to change it."]
    assert Review.objects.get().scores["basis"] == 8


def test_save_after_the_deadline_refused_naming_it(reviewing, expert):
    deadline = timezone.now() - timedelta(minutes=1)
    Panel.objects.filter(pk=reviewing["panel"].pk).update(review_deadline=deadline)
    reviewing["mine"].panel.refresh_from_db()
    shown = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")

    with pytest.raises(Refused) as refusal:
        review_save(assignment=reviewing["mine"], by=expert.user, scores={"basis": 8})
    assert messages(refusal) == [f"The review deadline passed on {shown}; nothing was saved."]
    with pytest.raises(Refused):
        submit(reviewing["mine"], expert)
    assert not Review.objects.exists()


def test_review_by_another_expert_refused(reviewing, other_expert):
    with pytest.raises(Refused) as refusal:
        review_save(assignment=reviewing["mine"], by=other_expert.user, scores={"basis": 8})
    assert messages(refusal) == ["Only the expert assigned to this application may review it."]


def test_review_by_the_bureau_refused(reviewing, bureau_user):
    with pytest.raises(Refused):
        review_save(assignment=reviewing["mine"], by=bureau_user, scores={"basis": 8})


def test_review_of_an_inactive_assignment_refused(reviewing, expert):
    reviewing["mine"].active = False
    reviewing["mine"].save()
    with pytest.raises(Refused) as refusal:
        review_save(assignment=reviewing["mine"], by=expert.user, scores={"basis": 8})
    assert messages(refusal) == ["This assignment is no longer active."]


@pytest.mark.parametrize("state", [PanelState.ANNOUNCED, PanelState.CLOSED])
def test_review_while_the_panel_is_not_reviewing_refused(reviewing, expert, state):
    Panel.objects.filter(pk=reviewing["panel"].pk).update(state=state)
    with pytest.raises(Refused) as refusal:
        review_save(assignment=reviewing["mine"], by=expert.user, scores={"basis": 8})
    assert messages(refusal)[0].startswith("The panel is not open for review")


def test_reopen_by_the_bureau_logged_and_the_expert_told(reviewing, expert, bureau_user):
    review = submit(reviewing["mine"], expert)
    reopened = review_reopen(review=review, by=bureau_user, reason="目标部分评语过于简单")

    assert reopened.state == ReviewState.DRAFT
    assert reopened.total is None
    assert reopened.submitted_at is None
    event = reopened.events.get(action="reopen")
    assert (event.by, event.reason) == (bureau_user, "目标部分评语过于简单")
    entry = AuditEntry.objects.get(action="review.reopen")
    assert entry.actor == bureau_user
    assert entry.before["state"] == "submitted"
    assert entry.after == {"state": "draft", "reason": "目标部分评语过于简单"}
    assert Notice.objects.get(user=expert.user).kind == "review.reopen"
    # the expert can change and submit again
    review_save(assignment=reviewing["mine"], by=expert.user, scores={**FULL, "goals": 7},
                comments=GOALS_COMMENT)
    again = review_submit(assignment=reviewing["mine"], by=expert.user)
    assert str(again.total) == "72.00"


def test_reopen_by_non_bureau_refused(reviewing, expert, other_expert, school_user, region_officer):
    review = submit(reviewing["mine"], expert)
    for user in (expert.user, other_expert.user, school_user, region_officer):
        with pytest.raises(Refused) as refusal:
            review_reopen(review=review, by=user, reason="想改")
        assert messages(refusal) == ["Only the city education bureau may reopen a review."]
    review.refresh_from_db()
    assert review.state == ReviewState.SUBMITTED
    assert not ReviewEvent.objects.filter(action="reopen").exists()


def test_reopen_without_reason_or_of_a_draft_refused(reviewing, expert, bureau_user):
    draft = review_save(assignment=reviewing["mine"], by=expert.user, scores={"basis": 8})
    with pytest.raises(Refused) as refusal:
        review_reopen(review=draft, by=bureau_user, reason="原因")
    assert messages(refusal) == ["Only a submitted review can be reopened."]
    review = submit(reviewing["mine"], expert)
    with pytest.raises(Refused) as refusal:
        review_reopen(review=review, by=bureau_user, reason="  ")
    assert messages(refusal) == ["Please give a reason."]


def test_reopen_after_the_deadline_refused(reviewing, expert, bureau_user):
    review = submit(reviewing["mine"], expert)
    Panel.objects.filter(pk=reviewing["panel"].pk).update(
        review_deadline=timezone.now() - timedelta(hours=1))
    with pytest.raises(Refused) as refusal:
        review_reopen(review=review, by=bureau_user, reason="原因")
    assert "the expert could not submit again" in messages(refusal)[0]


def _all_submitted(reviewing, expert, other_expert):
    submit(reviewing["mine"], expert)
    submit(reviewing["mine2"], expert)
    submit(reviewing["theirs"], other_expert)


def test_close_moves_applications_to_reviewed(reviewing, expert, other_expert, bureau_user):
    _all_submitted(reviewing, expert, other_expert)
    panel = panel_close(panel=reviewing["panel"], by=bureau_user)

    assert panel.state == PanelState.CLOSED
    assert panel.closed_at is not None
    for key in ("first", "second"):
        reviewing[key].refresh_from_db()
        assert reviewing[key].state == ApplicationState.REVIEWED
    event = ApplicationEvent.objects.get(application=reviewing["first"])
    assert (event.action, event.by, event.comment) == ("finish_review", bureau_user, "")
    assert AuditEntry.objects.get(action="panel.close").after["missing"] == []


def test_close_refused_while_reviews_missing_before_the_deadline(reviewing, expert, bureau_user):
    submit(reviewing["mine"], expert)
    with pytest.raises(Refused) as refusal:
        panel_close(panel=reviewing["panel"], by=bureau_user, confirm=True, reason="赶时间")
    assert messages(refusal)[0].startswith("2 review(s) are still missing")
    reviewing["panel"].refresh_from_db()
    assert reviewing["panel"].state == PanelState.REVIEWING
    reviewing["first"].refresh_from_db()
    assert reviewing["first"].state == ApplicationState.UNDER_REVIEW


def test_close_after_the_deadline_lists_missing_and_needs_a_confirmed_reason(
        reviewing, expert, other_expert, bureau_user):
    submit(reviewing["mine"], expert)
    submit(reviewing["mine2"], expert)
    Panel.objects.filter(pk=reviewing["panel"].pk).update(
        review_deadline=timezone.now() - timedelta(hours=1))
    assert missing_reviews(reviewing["panel"]) == [reviewing["theirs"]]

    for confirm, reason in ((False, "专家未按时提交"), (True, "")):
        with pytest.raises(Refused) as refusal:
            panel_close(panel=reviewing["panel"], by=bureau_user, confirm=confirm, reason=reason)
        assert messages(refusal) == [
            "1 review(s) are missing; confirm with a reason to close the panel without them.",
            f"Missing: 数控技术品牌专业 — E0002 {other_expert.name}",
        ]
    panel = panel_close(panel=reviewing["panel"], by=bureau_user, confirm=True,
                        reason="专家未按时提交")
    assert panel.state == PanelState.CLOSED
    entry = AuditEntry.objects.get(action="panel.close")
    assert entry.after["reason"] == "专家未按时提交"
    assert entry.after["missing"] == [[reviewing["first"].pk, "E0002"]]
    # the school's history does not say whose review was missing
    assert ApplicationEvent.objects.get(application=reviewing["first"]).comment == ""


def test_close_by_non_bureau_refused(reviewing, expert, other_expert):
    _all_submitted(reviewing, expert, other_expert)
    with pytest.raises(Refused) as refusal:
        panel_close(panel=reviewing["panel"], by=expert.user)
    assert messages(refusal) == ["Only the city education bureau may close a panel."]


def test_close_twice_refused(reviewing, expert, other_expert, bureau_user):
    _all_submitted(reviewing, expert, other_expert)
    panel_close(panel=reviewing["panel"], by=bureau_user)
    with pytest.raises(Refused):
        panel_close(panel=reviewing["panel"], by=bureau_user)


def test_close_leaves_withdrawn_applications_alone(reviewing, expert, other_expert, bureau_user):
    _all_submitted(reviewing, expert, other_expert)
    reviewing["second"].state = ApplicationState.WITHDRAWN
    reviewing["second"].save()
    panel_close(panel=reviewing["panel"], by=bureau_user)
    reviewing["second"].refresh_from_db()
    assert reviewing["second"].state == ApplicationState.WITHDRAWN


def test_an_expert_account_without_the_assignment_refused(reviewing, expert):
    stranger = UserFactory(username="stranger")
    membership(stranger, "expert")
    with pytest.raises(Refused):
        review_save(assignment=reviewing["theirs"], by=expert.user, scores={"basis": 1})
    with pytest.raises(Refused):
        review_save(assignment=reviewing["mine"], by=stranger, scores={"basis": 1})
