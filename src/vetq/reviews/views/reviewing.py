"""The expert's review pages (its list of assignments, the review form) and the bureau's
progress page of a panel with its reopen and close actions. Assignments are looked up
through `scoping.assignments_for` (outside it: 404); writes go through `reviews.reviewing`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.applications import forms as application_forms
from vetq.applications.services import Refused

from .. import progress
from ..models import PanelState, Review, ReviewState
from ..reviewing import deadline_text, panel_close, review_reopen, review_save, review_submit
from ..rubrics import criterion_help, criterion_label, panel_rubric, rubric_label

REASON_MAX = 2000


def require_bureau(user) -> None:
    if not scoping.has_role(user, Role.BUREAU_ADMIN):
        raise PermissionDenied


def _require_expert(user) -> None:
    if not scoping.has_role(user, Role.EXPERT):
        raise PermissionDenied


def decline_url(assignment) -> str | None:
    """The panel seat's decline page, where the panels feature provides one."""
    try:
        return reverse("reviews:member_decline", args=[assignment.panel_id])
    except NoReverseMatch:
        return None


@require_GET
@login_required
def my_assignments(request):
    """The expert's applications to review: panel, application, school, deadline, state."""
    _require_expert(request.user)
    assignments = list(progress.my_assignments(request.user))
    return render(request, "reviews/reviewing/my_assignments.html",
                  {"assignments": assignments, "now": timezone.now()})


def _posted(request, rubric: dict) -> tuple[dict, dict, str]:
    """Scores, comments and the overall comment as the form sent them: a ticked "not
    applicable" box is None, an empty score is left out (a draft may be partial)."""
    scores, comments = {}, {}
    for criterion in rubric.get("criteria", []):
        code = criterion["code"]
        if criterion.get("allow_na") and request.POST.get(f"na-{code}"):
            scores[code] = None
        else:
            value = request.POST.get(f"score-{code}", "").strip()
            if value:
                scores[code] = value
        comments[code] = request.POST.get(f"comment-{code}", "")
    return scores, comments, request.POST.get("comment", "")


def _rows(rubric: dict, scores: dict, comments: dict) -> list[dict]:
    rows = []
    for criterion in rubric.get("criteria", []):
        code = criterion["code"]
        score = scores.get(code, "")
        rows.append({
            "code": code,
            "label": criterion_label(criterion),
            "help": criterion_help(criterion),
            "weight": criterion["weight"],
            "max": criterion.get("max", 10),
            "allow_na": criterion.get("allow_na", False),
            "comment_required": criterion.get("comment_required", False),
            "na": code in scores and score is None,
            "score": "" if score is None else score,
            "comment": comments.get(code, ""),
        })
    return rows


def _review_page(request, assignment, *, posted: tuple | None = None, refusal=None,
                 status: int = 200):
    review = getattr(assignment, "review", None)
    rubric = panel_rubric(assignment.panel)
    if posted is not None:
        scores, comments, comment = posted
    elif review is not None:
        scores, comments, comment = review.scores, review.comments, review.comment
    else:
        scores, comments, comment = {}, {}, ""
    panel = assignment.panel
    now = timezone.now()
    submitted = review is not None and review.state == ReviewState.SUBMITTED
    open_for_review = (assignment.active and panel.state == PanelState.REVIEWING
                       and now < panel.review_deadline)
    application = assignment.application
    context = {
        "assignment": assignment,
        "application": application,
        "panel": panel,
        "review": review,
        "rubric": rubric,
        "rubric_name": rubric_label(rubric),
        "rows": _rows(rubric, scores, comments),
        "comment": comment,
        "submitted": submitted,
        "editable": open_for_review and not submitted,
        "deadline": deadline_text(panel.review_deadline),
        "deadline_passed": now >= panel.review_deadline,
        "refusal": refusal.messages() if refusal else [],
        "decline_url": decline_url(assignment) if not submitted else None,
    }
    if panel.check_round_id:
        # A check panel scores a project under construction: its plan, yearly reports,
        # self-assessment and evidence, not the application it was approved on.
        from vetq.projects.check_queries import check_material

        context["check"] = check_material(assignment)
    if context.get("check") is None:
        context.update(answers=application_forms.answers_shown(application),
                       budget=application_forms.budget_table(application),
                       attachments=list(application.attachments.select_related("file")))
    return render(request, "reviews/reviewing/review_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def review_edit(request, pk: int):
    """The review form of one of the expert's assignments: per criterion a score (or "not
    applicable" where allowed) and a comment, an overall comment; save a draft or submit.
    A submitted review is shown read-only."""
    _require_expert(request.user)
    assignment = get_object_or_404(progress.assignment_for_review(request.user), pk=pk)
    if request.method == "GET":
        return _review_page(request, assignment)
    rubric = panel_rubric(assignment.panel)
    posted = _posted(request, rubric)
    scores, comments, comment = posted
    submit = request.POST.get("action") == "submit"
    try:
        if submit:
            review_submit(assignment=assignment, by=request.user, scores=scores,
                          comments=comments, comment=comment)
        else:
            review_save(assignment=assignment, by=request.user, scores=scores,
                        comments=comments, comment=comment)
    except Refused as refusal:
        assignment = get_object_or_404(progress.assignment_for_review(request.user), pk=pk)
        return _review_page(request, assignment, posted=posted, refusal=refusal, status=400)
    messages.success(request, _("Your review is submitted.") if submit else _("The draft is saved."))
    return redirect("reviews:review_edit", pk=assignment.pk)


def _panel(pk: int):
    return get_object_or_404(progress.panels_listed(), pk=pk)


def _progress_page(request, panel, *, refusal: list[str] | None = None, status: int = 200,
                   close_reason: str = ""):
    context = {
        "progress": progress.panel_progress(panel),
        "panel": panel,
        "deadline": deadline_text(panel.review_deadline),
        "deadline_passed": timezone.now() >= panel.review_deadline,
        "refusal": refusal or [],
        "close_reason": close_reason,
        "reviewing": panel.state == PanelState.REVIEWING,
    }
    return render(request, "reviews/reviewing/panel_progress.html", context, status=status)


@require_GET
@login_required
def panel_progress_view(request, pk: int):
    """The bureau's view of a panel's round: per application the reviews submitted of those
    assigned, the totals so far and a spread flag; per expert done of assigned; reopen and
    close."""
    require_bureau(request.user)
    return _progress_page(request, _panel(pk))


def _reason(request) -> str | None:
    reason = request.POST.get("reason", "").strip()
    if len(reason) > REASON_MAX:
        messages.warning(request, _("The reason is too long (at most %(count)d characters).")
                         % {"count": REASON_MAX})
        return None
    return reason


@require_POST
@login_required
def review_reopen_view(request, pk: int):
    """Reopen one submitted review, with a reason, then back to the panel's progress."""
    require_bureau(request.user)
    review = get_object_or_404(
        Review.objects.filter(assignment__in=scoping.assignments_for(request.user))
        .select_related("assignment__panel"),
        pk=pk,
    )
    reason = _reason(request)
    if reason is not None:
        try:
            review_reopen(review=review, by=request.user, reason=reason)
        except Refused as refusal:
            for message in refusal.messages():
                messages.warning(request, message)
        else:
            messages.success(request, _("The review is reopened; the expert has been told."))
    return redirect(f"{reverse('reviews:panel_progress', args=[review.assignment.panel_id])}"
                    f"#application-{review.assignment.application_id}")


@require_POST
@login_required
def panel_close_view(request, pk: int):
    """Close the panel's round; missing reviews after the deadline need a confirmed reason."""
    require_bureau(request.user)
    panel = _panel(pk)
    reason = _reason(request)
    if reason is None:
        return redirect("reviews:panel_progress", pk=panel.pk)
    try:
        panel_close(panel=panel, by=request.user, confirm=bool(request.POST.get("confirm")),
                    reason=reason)
    except Refused as refusal:
        return _progress_page(request, panel, refusal=refusal.messages(), status=400,
                              close_reason=reason)
    if panel.check_round_id:
        messages.success(request, _("The panel is closed; collect its scores on the check "
                                    "round's page."))
        return redirect("projects:check_round_detail", pk=panel.check_round_id)
    messages.success(request, _("The panel is closed; its applications are reviewed."))
    return redirect("reviews:ranking", call_category_pk=panel.call_category_id)


urlpatterns = [
    path("my/", my_assignments, name="my_assignments"),
    path("my/<int:pk>/", review_edit, name="review_edit"),
    path("panels/<int:pk>/progress/", panel_progress_view, name="panel_progress"),
    path("panels/<int:pk>/close/", panel_close_view, name="panel_close"),
    path("reviews/<int:pk>/reopen/", review_reopen_view, name="review_reopen"),
]
