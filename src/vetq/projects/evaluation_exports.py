"""Performance evaluations as Excel, over the evaluations the caller may read and its
filters: one row per evaluation with its total, grade and first-level subtotals. Headers are
Chinese whatever the interface language; every text cell is escaped by `core.excel`."""

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from vetq.core.excel import Column, SheetSpec, workbook_build

from .evaluation_queries import EvaluationFilters, evaluations_listed
from .evaluations import grade_name
from .grading import score_text, subtotals_of
from .models import EvaluationScore

EVALUATIONS_SHEET = "绩效评价"
SCORE_FORMAT = "0.00"

EVALUATION_COLUMNS = (
    Column("year", "年度", width=8),
    Column("subject", "评价对象", width=40),
    Column("category", "项目类别", width=28),
    Column("school", "学校", width=30),
    Column("region", "市（县）区", width=12),
    Column("evaluator", "评价主体", width=14),
    Column("state", "状态", width=10),
    Column("total", "总分", width=8, number_format=SCORE_FORMAT),
    Column("grade", "等级", width=8),
    Column("subtotals", "一级指标得分", width=40),
    Column("conclusion", "评价结论", width=40),
    Column("created_by", "评价人", width=12),
    Column("submitted_at", "提交时间", width=17),
)


def _subtotals(evaluation) -> str:
    scores = {row.indicator: row.score for row in evaluation.scores.all()}
    subtotals = subtotals_of(evaluation.indicator_set, scores)
    names = {first["code"]: first["name"] for first in evaluation.indicator_set.get("first", [])}
    return "；".join(f"{names.get(code, code)} {score_text(value)}"
                    for code, value in subtotals.items())


def evaluations_export(evaluations: QuerySet, filters: EvaluationFilters) -> bytes:
    """One row per evaluation of `evaluations` (already scoped) that passes `filters`, in
    the list's order; grades by the policy's own (Chinese) names."""
    listed = evaluations_listed(evaluations, filters).prefetch_related(
        Prefetch("scores", queryset=EvaluationScore.objects.order_by("pk")))
    rows = (
        (
            evaluation.year,
            evaluation.project.title if evaluation.project_id else "学校年度",
            evaluation.project.category.name if evaluation.project_id else "",
            evaluation.institution.name,
            evaluation.institution.region.name,
            str(evaluation.get_evaluator_display()),
            str(evaluation.get_state_display()),
            evaluation.total,
            grade_name(evaluation.indicator_set, evaluation.grade, english=False)
            if evaluation.grade else "",
            _subtotals(evaluation),
            evaluation.conclusion,
            evaluation.created_by.display_name,
            timezone.localtime(evaluation.submitted_at).replace(tzinfo=None)
            if evaluation.submitted_at else None,
        )
        for evaluation in listed
    )
    return workbook_build(SheetSpec(EVALUATIONS_SHEET, EVALUATION_COLUMNS, rows))
