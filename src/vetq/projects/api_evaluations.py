"""Performance evaluations and project changes in the JSON API (read only), scoped as the
pages are: evaluations through `evaluation_queries.evaluations_for` (a draft only to its own
evaluator's side), change requests through their project (`queries.projects_for`); anything
outside is an empty list or a 404."""

from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from .evaluation_queries import (
    EvaluationFilters,
    evaluation_table,
    evaluations_for,
    evaluations_listed,
)
from .models import EvaluationScore, PerformanceEvaluation
from .queries import projects_for

router = Router(tags=["evaluations"])


class EvaluationOut(Schema):
    id: int
    project: int | None = Field(alias="project_id")
    institution: str = Field(alias="institution.code")
    institution_name: str = Field(alias="institution.name")
    region: str = Field(alias="institution.region.code")
    year: int
    evaluator: str
    state: str
    indicator_set: str
    total: Decimal | None
    grade: str
    submitted_at: datetime | None

    @staticmethod
    def resolve_indicator_set(obj: PerformanceEvaluation) -> str:
        return obj.indicator_set.get("code", "")


class IndicatorScoreOut(Schema):
    code: str
    first: str
    second: str
    points: Decimal
    score: Decimal | None
    evidence: str
    has_file: bool


class FirstLevelOut(Schema):
    code: str
    weight: Decimal
    subtotal: Decimal


class EvaluationDetailOut(EvaluationOut):
    conclusion: str
    first_levels: list[FirstLevelOut]
    scores: list[IndicatorScoreOut]

    @staticmethod
    def resolve_first_levels(obj: PerformanceEvaluation) -> list[dict]:
        return [{"code": first.code, "weight": first.weight, "subtotal": first.subtotal}
                for first in evaluation_table(obj)]

    @staticmethod
    def resolve_scores(obj: PerformanceEvaluation) -> list[dict]:
        return [
            {"code": row.code, "first": first.code, "second": group.code,
             "points": row.points, "score": row.score.score if row.score else None,
             "evidence": row.score.evidence if row.score else "",
             "has_file": bool(row.score and row.score.file_id)}
            for first in evaluation_table(obj) for group in first.groups
            for row in group.indicators
        ]


class ChangeOut(Schema):
    id: int
    kind: str
    state: str
    before: dict
    after: dict
    reason: str
    requested_at: datetime
    decided_at: datetime | None
    decision_comment: str


def _scoped(request):
    return evaluations_for(request.user).prefetch_related(
        Prefetch("scores", queryset=EvaluationScore.objects.order_by("pk")))


@router.get("/evaluations", response=list[EvaluationOut])
@paginate
def list_evaluations(request, year: int | None = None, institution: str = "",
                     project: int | None = None):
    """The performance evaluations the caller may read, latest year first; `institution` is a
    school's code, `project` a project's id."""
    filters = EvaluationFilters.from_query({"year": str(year or ""), "school": institution})
    evaluations = evaluations_listed(evaluations_for(request.user), filters)
    if project is not None:
        evaluations = evaluations.filter(project_id=project)
    return evaluations


@router.get("/evaluations/{pk}", response=EvaluationDetailOut)
def get_evaluation(request, pk: int):
    """One evaluation with its first-level subtotals and each third-level indicator's score
    and evidence."""
    return get_object_or_404(
        _scoped(request).select_related("institution__region"), pk=pk)


@router.get("/projects/{pk}/changes", response=list[ChangeOut])
def list_project_changes(request, pk: int):
    """A project's change requests, latest first, with what they change before and after."""
    project = get_object_or_404(projects_for(request.user), pk=pk)
    return list(project.changes.all())
