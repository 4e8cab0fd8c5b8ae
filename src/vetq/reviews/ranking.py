"""The ranking (排序) of one call category's applications by their aggregated review scores
(fair-review.md §4): the trimmed mean is the score, the plain mean and the reviewer-offset
calibrated score are shown beside it, and a spread above the policy's threshold is flagged.

Only submitted reviews of active assignments count: a review whose assignment was
deactivated (a conflict found later) is left out. A fixed number of queries, however many
applications and reviews there are.

A call category's ranking (the one selection reads) is over its review panels only; a check
panel (a project's mid-term check or acceptance) is ranked on its own (`panel_ranking_sheet`).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vetq.applications.models import Application
from vetq.applications.states import ApplicationState
from vetq.core.excel import Column, SheetSpec, workbook_build

from . import scoring
from .models import Panel, Review, ReviewState
from .rubrics import criterion_label, panel_rubric, panel_rules, review_rules, rubric_for

SCORE_FORMAT = "0.00"
_HEAVY_FIELDS = ("form", "answers", "budget", "team", "milestones", "goals")


@dataclass
class RankedApplication:
    application: Application
    score: Decimal | None  # the trimmed mean: what ranks
    mean: Decimal | None
    calibrated: Decimal | None
    reviews: int
    spread: Decimal | None
    disagreement: bool
    rank: int | None = None
    totals: tuple[Decimal, ...] = ()
    criteria: dict[str, Decimal | None] = field(default_factory=dict)


@dataclass
class RankingSheet:
    """A ranking with the rubric and the rules it was computed under, for pages and files."""

    rows: list[RankedApplication]
    rubric: dict
    rules: dict


def _panels(call_category) -> list[Panel]:
    """The call category's review panels (not its check panels)."""
    return list(Panel.objects.filter(call_category=call_category, check_round__isnull=True)
                .order_by("created_at", "pk"))


def _rubric_and_rules(call_category, panels: list[Panel]) -> tuple[dict, dict]:
    """The latest panel's copies (what its experts scored against), else the policy's."""
    if panels:
        return panel_rubric(panels[-1]), panel_rules(panels[-1])
    category = call_category.category
    return rubric_for(category), review_rules(category.program)


def _applications(panels: list[Panel]) -> QuerySet:
    return (
        Application.objects.filter(panels__in=panels)
        .exclude(state=ApplicationState.WITHDRAWN)
        .select_related("institution__region", "call_category__category")
        .defer(*_HEAVY_FIELDS)
        .distinct()
        .order_by("pk")
    )


def _sort_key(row: RankedApplication):
    missing = row.score is None
    return (missing, -(row.score or 0), -(row.calibrated or 0), -(row.mean or 0),
            row.application.pk)


def ranking_sheet(call_category) -> RankingSheet:
    """The ranking of `call_category` with its rubric and rules. Four queries."""
    panels = _panels(call_category)
    rubric, rules = _rubric_and_rules(call_category, panels)
    return _sheet(panels, rubric, rules)


def panel_ranking_sheet(panel: Panel) -> RankingSheet:
    """The ranking of one panel's applications by its own reviews, with its rubric and rules
    (a check panel's scores, computed as a call category's are). Three queries."""
    return _sheet([panel], panel_rubric(panel), panel_rules(panel))


def _sheet(panels: list[Panel], rubric: dict, rules: dict) -> RankingSheet:
    if not panels:
        return RankingSheet([], rubric, rules)
    applications = list(_applications(panels))
    reviews = (
        Review.objects.filter(assignment__panel__in=panels, assignment__active=True,
                              state=ReviewState.SUBMITTED, total__isnull=False)
        .values_list("assignment__application_id", "assignment__expert_id", "total", "scores")
    )
    totals: dict[tuple[int, int], Decimal] = {}
    scores_of: dict[int, list[dict]] = {}
    for application_id, expert_id, total, scores in reviews:
        totals[(application_id, expert_id)] = total
        scores_of.setdefault(application_id, []).append(scores or {})
    calibrated = scoring.calibrated_scores(totals)
    per_application: dict[int, list[Decimal]] = {}
    for (application_id, _expert), total in totals.items():
        per_application.setdefault(application_id, []).append(total)
    trim_from, trim = int(rules["trim_from"]), int(rules["trim"])
    threshold = Decimal(str(rules["disagreement_spread"]))
    rows = []
    for application in applications:
        summary = scoring.summarise(per_application.get(application.pk, []),
                                    trim_from=trim_from, trim=trim, threshold=threshold)
        rows.append(RankedApplication(
            application=application, score=summary.score, mean=summary.mean,
            calibrated=calibrated.get(application.pk), reviews=summary.reviews,
            spread=summary.spread, disagreement=summary.disagreement, totals=summary.totals,
            criteria=scoring.criterion_averages(rubric, scores_of.get(application.pk, [])),
        ))
    rows.sort(key=_sort_key)
    _ranks(rows)
    return RankingSheet(rows, rubric, rules)


def _ranks(rows: list[RankedApplication]) -> None:
    """Competition ranks by score (equal scores share a rank: 1, 2, 2, 4); none unscored."""
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        if row.score is None:
            continue
        if row.score != previous:
            rank, previous = position, row.score
        row.rank = rank


def ranking_for(call_category) -> list[RankedApplication]:
    """The applications of `call_category`'s panels, best first (trimmed mean, then the
    calibrated score, the plain mean and the application id); those without a submitted
    review last, with no score."""
    return ranking_sheet(call_category).rows


def ranking_export(sheet: RankingSheet) -> bytes:
    """The ranking as an .xlsx: one row per application with its scores and, per criterion,
    the average score given. Headers in the active language."""
    criteria = sheet.rubric.get("criteria", [])
    columns = [
        Column("rank", _("Rank"), width=6),
        Column("application", _("Application"), width=40),
        Column("school", _("School"), width=30),
        Column("region", _("Region"), width=12),
        Column("reviews", _("Reviews"), width=8),
        Column("score", _("Score (trimmed mean)"), width=12, number_format=SCORE_FORMAT),
        Column("mean", _("Raw mean"), width=10, number_format=SCORE_FORMAT),
        Column("calibrated", _("Calibrated"), width=10, number_format=SCORE_FORMAT),
        Column("spread", _("Spread"), width=8, number_format=SCORE_FORMAT),
        Column("disagreement", _("Disagreement"), width=10),
        *(Column(f"criterion_{c['code']}", criterion_label(c), width=12, number_format=SCORE_FORMAT)
          for c in criteria),
    ]
    rows = [
        [row.rank, row.application.title, row.application.institution.name,
         row.application.institution.region.name, row.reviews, row.score, row.mean,
         row.calibrated, row.spread, _("yes") if row.disagreement else "",
         *(row.criteria.get(c["code"]) for c in criteria)]
        for row in sheet.rows
    ]
    return workbook_build(SheetSpec(_("Ranking"), columns, rows))
