"""Every write to a review (评分) and the close of a panel's review round.

An expert saves drafts of its own review and submits it; a submitted review is locked
unless the bureau reopens it with a reason. Each change writes a `ReviewEvent`; submitting,
reopening and closing a panel are decisions and go to the audit log too. A refusal raises
`Refused` with every reason at once and changes nothing.
"""

from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop as N_

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.applications.eligibility import Failure
from vetq.applications.services import Refused, _refuse, application_transition
from vetq.applications.states import ApplicationState
from vetq.audit.services import audit_log
from vetq.notices.services import notice_send

from . import check_panels, scoring
from .models import Assignment, Panel, PanelState, Review, ReviewEvent, ReviewState
from .rubrics import criterion_codes, panel_rubric

COMMENT_MAX = 2000
OVERALL_COMMENT_MAX = 5000


def deadline_text(moment) -> str:
    """A deadline as messages show it, in local time."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _score_value(score: Decimal | None):
    """A parsed score as JSON keeps it: an integer when whole, else a number with its places."""
    if score is None:
        return None
    return int(score) if score == score.to_integral_value() else float(score)


def _may_review(assignment: Assignment, by, now) -> None:
    """Refuse anyone but the assigned expert, an inactive assignment, a panel that is not
    reviewing, and a save after the deadline."""
    if not (scoping.has_role(by, Role.EXPERT) and assignment.expert.user_id == by.pk):
        raise _refuse(N_("Only the expert assigned to this application may review it."))
    if not assignment.active:
        raise _refuse(N_("This assignment is no longer active."))
    panel = assignment.panel
    if panel.state != PanelState.REVIEWING:
        raise _refuse(N_("The panel is not open for review (it is %(state)s)."),
                      state=str(panel.get_state_display()))
    if now >= panel.review_deadline:
        raise _refuse(N_("The review deadline passed on %(deadline)s; nothing was saved."),
                      deadline=deadline_text(panel.review_deadline))


def _locked(assignment: Assignment) -> tuple[Assignment, Review | None]:
    locked = (Assignment.objects.select_for_update(of=("self",))
              .select_related("panel__call_category__category__program", "expert", "application")
              .get(pk=assignment.pk))
    review = Review.objects.select_for_update().filter(assignment=locked).first()
    return locked, review


def _cleaned(rubric: dict, scores: dict, comments: dict, comment: str, *,
             complete: bool) -> tuple[dict, dict, str]:
    """Scores, comments and the overall comment as they will be stored, or Refused with
    every problem (bounds are checked even on a draft)."""
    scores = {code: value for code, value in (scores or {}).items()
              if not (isinstance(value, str) and not value.strip())}
    codes = criterion_codes(rubric)
    comments = {code: str(text).strip() for code, text in (comments or {}).items()
                if code in codes and str(text or "").strip()}
    comment = (comment or "").strip()
    problems = scoring.review_problems(rubric, scores, comments, complete=complete)
    for code, text in comments.items():
        if len(text) > COMMENT_MAX:
            problems.append(Failure("comment_too_long", N_(
                "%(criterion)s: the comment is too long (at most %(count)s characters)."),
                {"criterion": code, "count": COMMENT_MAX}))
    if len(comment) > OVERALL_COMMENT_MAX:
        problems.append(Failure("comment_too_long", N_(
            "The overall comment is too long (at most %(count)s characters)."),
            {"count": OVERALL_COMMENT_MAX}))
    if problems:
        raise Refused(problems)
    stored = {code: _score_value(scoring.score_parse(scores[code])) for code in codes if code in scores}
    return stored, comments, comment


def review_save(*, assignment: Assignment, by, scores: dict, comments: dict | None = None,
                comment: str = "") -> Review:
    """Save the expert's draft: the scores, comments and overall comment replace the ones
    kept. Refused for anyone but the assigned expert, an inactive assignment, a panel not
    reviewing, after the deadline (the message names it), for a submitted review, and for a
    score out of bounds or "not applicable" where the rubric does not allow it."""
    now = timezone.now()
    with transaction.atomic():
        locked, review = _locked(assignment)
        _may_review(locked, by, now)
        if review is not None and review.state == ReviewState.SUBMITTED:
            raise _refuse(N_("This review has been submitted; ask the bureau to reopen it to "
                             "change it."))
        rubric = panel_rubric(locked.panel)
        stored, kept, overall = _cleaned(rubric, scores, comments or {}, comment, complete=False)
        if review is None:
            review = Review(assignment=locked)
        review.scores, review.comments, review.comment = stored, kept, overall
        review.save()
        ReviewEvent.objects.create(review=review, action="save", by=by)
    return review


def review_submit(*, assignment: Assignment, by, scores: dict | None = None,
                  comments: dict | None = None, comment: str | None = None) -> Review:
    """Submit the review: what is given replaces the draft, then every criterion must be
    scored within bounds, "not applicable" only where allowed, and each required comment
    written; all problems are reported at once. Sets the weighted total and the submission
    time and locks the review. Refused as `review_save` is, and for a review already
    submitted."""
    now = timezone.now()
    with transaction.atomic():
        locked, review = _locked(assignment)
        _may_review(locked, by, now)
        if review is not None and review.state == ReviewState.SUBMITTED:
            raise _refuse(N_("This review has already been submitted."))
        rubric = panel_rubric(locked.panel)
        stored, kept, overall = _cleaned(
            rubric,
            scores if scores is not None else (review.scores if review else {}),
            comments if comments is not None else (review.comments if review else {}),
            comment if comment is not None else (review.comment if review else ""),
            complete=True,
        )
        if review is None:
            review = Review(assignment=locked)
        review.scores, review.comments, review.comment = stored, kept, overall
        review.total = scoring.weighted_total(rubric, stored)
        review.state = ReviewState.SUBMITTED
        review.submitted_at = now
        review.save()
        ReviewEvent.objects.create(review=review, action="submit", by=by)
        audit_log(action="review.submit", actor=by, obj=review,
                  after={"assignment": locked.pk, "application": locked.application_id,
                         "total": str(review.total),
                         "scores": {k: None if v is None else str(v) for k, v in stored.items()}})
    return review


def review_reopen(*, review: Review, by, reason: str) -> Review:
    """The bureau reopens a submitted review for the expert to change, with a written reason
    (logged, and the expert is told). Refused for anyone but the bureau, without a reason,
    for a review not submitted, and once the panel is closed or its deadline has passed (the
    expert could not submit again)."""
    reason = (reason or "").strip()
    if not scoping.has_role(by, Role.BUREAU_ADMIN):
        raise _refuse(N_("Only the city education bureau may reopen a review."))
    if not reason:
        raise _refuse(N_("Please give a reason."))
    with transaction.atomic():
        locked = (Review.objects.select_for_update(of=("self",))
                  .select_related("assignment__panel", "assignment__expert__user",
                                  "assignment__application")
                  .get(pk=review.pk))
        panel = locked.assignment.panel
        if locked.state != ReviewState.SUBMITTED:
            raise _refuse(N_("Only a submitted review can be reopened."))
        if panel.state != PanelState.REVIEWING:
            raise _refuse(N_("The panel is not open for review (it is %(state)s)."),
                          state=str(panel.get_state_display()))
        if timezone.now() >= panel.review_deadline:
            raise _refuse(N_("The review deadline passed on %(deadline)s; the expert could not "
                             "submit again."), deadline=deadline_text(panel.review_deadline))
        before = {"state": locked.state, "total": str(locked.total), "submitted_at":
                  locked.submitted_at.isoformat() if locked.submitted_at else None}
        locked.state = ReviewState.DRAFT
        locked.total = None
        locked.submitted_at = None
        locked.save()
        ReviewEvent.objects.create(review=locked, action="reopen", by=by, reason=reason)
        audit_log(action="review.reopen", actor=by, obj=locked, before=before,
                  after={"state": locked.state, "reason": reason})
        notice_send(
            users=[locked.assignment.expert.user],
            kind="review.reopen",
            params={"title": locked.assignment.application.title, "reason": reason},
            url=reverse("reviews:review_edit", args=[locked.assignment_id]),
        )
    return locked


def missing_reviews(panel: Panel) -> list[Assignment]:
    """The panel's active assignments whose review is not submitted."""
    return list(
        panel.assignments.filter(active=True)
        .exclude(review__state=ReviewState.SUBMITTED)
        .select_related("application", "expert")
        .order_by("application_id", "expert__code")
    )


def panel_close(*, panel: Panel, by, confirm: bool = False, reason: str = "") -> Panel:
    """Close the panel's review round: each of its applications under review moves to
    reviewed (`finish_review`; a check panel's stay approved, its round collects the
    scores) and the panel to closed. Refused for anyone but the bureau, for
    a panel not reviewing, and while reviews are missing before the deadline; after the
    deadline missing reviews are listed and the bureau must confirm with a reason."""
    reason = (reason or "").strip()
    if not scoping.has_role(by, Role.BUREAU_ADMIN):
        raise _refuse(N_("Only the city education bureau may close a panel."))
    now = timezone.now()
    with transaction.atomic():
        locked = Panel.objects.select_for_update().get(pk=panel.pk)
        if locked.state != PanelState.REVIEWING:
            raise _refuse(N_("The panel is not open for review (it is %(state)s)."),
                          state=str(locked.get_state_display()))
        missing = missing_reviews(locked)
        if missing and now < locked.review_deadline:
            raise _refuse(N_("%(count)s review(s) are still missing; the panel can be closed when "
                             "all are submitted, or after the deadline on %(deadline)s."),
                          count=len(missing), deadline=deadline_text(locked.review_deadline))
        if missing and not (confirm and reason):
            raise Refused([
                Failure("missing_reviews", N_(
                    "%(count)s review(s) are missing; confirm with a reason to close the panel "
                    "without them."), {"count": len(missing)}),
                *(Failure("missing_review", N_("Missing: %(application)s — %(expert)s"),
                          {"application": a.application.title,
                           "expert": f"{a.expert.code} {a.expert.name}"}) for a in missing),
            ])
        applications = [] if check_panels.is_check(locked) else list(
            locked.applications.filter(state=ApplicationState.UNDER_REVIEW).order_by("pk"))
        for application in applications:
            # The reason stays in the audit log: the application's history, which its school
            # reads, must not say whose review was missing.
            application_transition(application=application, action="finish_review", by=by)
        locked.state = PanelState.CLOSED
        locked.closed_at = now
        locked.save(update_fields=["state", "closed_at"])
        audit_log(action="panel.close", actor=by, obj=locked,
                  before={"state": PanelState.REVIEWING},
                  after={"state": PanelState.CLOSED, "reason": reason,
                         "reviewed": [a.pk for a in applications],
                         "missing": [[a.application_id, a.expert.code] for a in missing]})
    return locked
