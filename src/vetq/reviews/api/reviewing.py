"""Experts' reviews and the bureau's rankings in the JSON API.

An expert lists its own active assignments and reads, saves and submits its review of
each; any other assignment is a 404, and no response names another reviewer. Rankings are
the bureau's. A refused save or submit answers `{"detail": [reasons]}` in the caller's
language: 409 when the review or panel no longer allows it, 400 when what was sent fails
the rubric's checks.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.applications.services import Refused
from vetq.programs.models import CallCategory

from .. import progress
from ..ranking import ranking_for
from ..reviewing import review_save, review_submit
from ..rubrics import panel_rubric

router = Router(tags=["reviews"])


class Refusal(Schema):
    detail: list[str]


class AssignmentOut(Schema):
    id: int
    panel: int = Field(alias="panel_id")
    panel_name: str = Field(alias="panel.name")
    panel_state: str = Field(alias="panel.state")
    review_deadline: datetime = Field(alias="panel.review_deadline")
    application: int = Field(alias="application_id")
    title: str = Field(alias="application.title")
    category: str = Field(alias="application.call_category.category.code")
    institution: str = Field(alias="application.institution.name")
    review_state: str
    total: Decimal | None

    @staticmethod
    def resolve_review_state(obj) -> str:
        review = getattr(obj, "review", None)
        return review.state if review is not None else "new"

    @staticmethod
    def resolve_total(obj) -> Decimal | None:
        review = getattr(obj, "review", None)
        return review.total if review is not None else None


class CriterionOut(Schema):
    code: str
    name: str
    name_en: str = ""
    weight: Decimal
    max: Decimal
    allow_na: bool = False
    comment_required: bool = False


class ReviewOut(Schema):
    assignment: int
    application: int
    review_deadline: datetime
    state: str
    scores: dict[str, Any]
    comments: dict[str, str]
    comment: str
    total: Decimal | None
    submitted_at: datetime | None
    criteria: list[CriterionOut]


class ReviewIn(Schema):
    """Scores by criterion code (null: "not applicable"), comments by criterion code, an
    overall comment. A save replaces the whole draft."""

    scores: dict[str, Decimal | None] = {}
    comments: dict[str, str] = {}
    comment: str = ""


def _refused(messages: list[str]) -> dict:
    return {"detail": [str(m) for m in messages]}


def _refusal_status(refusal: Refused) -> int:
    return 409 if all(r.code == "refused" for r in refusal.reasons) else 400


def _expert_only(request):
    if not scoping.has_role(request.user, Role.EXPERT):
        return Status(403, _refused([_("Only review experts have assignments.")]))
    return None


def _assignment(request, pk: int):
    return get_object_or_404(progress.assignment_for_review(request.user), pk=pk)


def _review_out(assignment) -> dict:
    review = getattr(assignment, "review", None)
    return {
        "assignment": assignment.pk,
        "application": assignment.application_id,
        "review_deadline": assignment.panel.review_deadline,
        "state": review.state if review is not None else "new",
        "scores": review.scores if review is not None else {},
        "comments": review.comments if review is not None else {},
        "comment": review.comment if review is not None else "",
        "total": review.total if review is not None else None,
        "submitted_at": review.submitted_at if review is not None else None,
        "criteria": panel_rubric(assignment.panel).get("criteria", []),
    }


def _scores(payload: ReviewIn) -> dict:
    return {code: (None if value is None else str(value)) for code, value in payload.scores.items()}


@router.get("/my/assignments", response={200: list[AssignmentOut], 403: Refusal})
def my_assignments(request):
    """The caller's own active assignments, nearest deadline first."""
    refused = _expert_only(request)
    if refused is not None:
        return refused
    return list(progress.my_assignments(request.user))


@router.get("/my/assignments/{pk}/review", response={200: ReviewOut, 403: Refusal})
def get_review(request, pk: int):
    """The caller's review of one of its assignments, with the rubric it is scored against."""
    refused = _expert_only(request)
    if refused is not None:
        return refused
    return _review_out(_assignment(request, pk))


@router.put("/my/assignments/{pk}/review",
            response={200: ReviewOut, 400: Refusal, 403: Refusal, 409: Refusal})
def save_review(request, pk: int, payload: ReviewIn):
    """Save the draft (bounds and "not applicable" are checked even now)."""
    refused = _expert_only(request)
    if refused is not None:
        return refused
    assignment = _assignment(request, pk)
    try:
        review_save(assignment=assignment, by=request.user, scores=_scores(payload),
                    comments=payload.comments, comment=payload.comment)
    except Refused as refusal:
        return Status(_refusal_status(refusal), _refused(refusal.messages()))
    return Status(200, _review_out(_assignment(request, pk)))


@router.post("/my/assignments/{pk}/review/submit",
             response={200: ReviewOut, 400: Refusal, 403: Refusal, 409: Refusal})
def submit_review(request, pk: int, payload: ReviewIn | None = None):
    """Submit the review: with a body, what it holds replaces the draft first; every problem
    is reported at once."""
    refused = _expert_only(request)
    if refused is not None:
        return refused
    assignment = _assignment(request, pk)
    given: dict = {}
    if payload is not None:
        sent = payload.model_fields_set
        if "scores" in sent:
            given["scores"] = _scores(payload)
        if "comments" in sent:
            given["comments"] = payload.comments
        if "comment" in sent:
            given["comment"] = payload.comment
    try:
        review_submit(assignment=assignment, by=request.user, **given)
    except Refused as refusal:
        return Status(_refusal_status(refusal), _refused(refusal.messages()))
    return Status(200, _review_out(_assignment(request, pk)))


class RankedOut(Schema):
    rank: int | None
    application: int
    title: str
    institution: str
    region: str
    reviews: int
    score: Decimal | None
    mean: Decimal | None
    calibrated: Decimal | None
    spread: Decimal | None
    disagreement: bool
    criteria: dict[str, Decimal | None]


@router.get("/rankings/{call_category_id}", response={200: list[RankedOut], 403: Refusal})
def get_ranking(request, call_category_id: int):
    """The ranking of one call category (bureau only), best first."""
    if not scoping.has_role(request.user, Role.BUREAU_ADMIN):
        return Status(403, _refused([_("Only the city education bureau may read rankings.")]))
    call_category = get_object_or_404(
        CallCategory.objects.select_related("call__program", "category__program"),
        pk=call_category_id,
    )
    return [
        {"rank": row.rank, "application": row.application.pk, "title": row.application.title,
         "institution": row.application.institution.name,
         "region": row.application.institution.region.code, "reviews": row.reviews,
         "score": row.score, "mean": row.mean, "calibrated": row.calibrated,
         "spread": row.spread, "disagreement": row.disagreement, "criteria": row.criteria}
        for row in ranking_for(call_category)
    ]
