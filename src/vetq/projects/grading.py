"""Performance evaluation arithmetic (绩效评价, R29): the total of an evaluation from its
per-indicator scores, the subtotal of each first-level indicator, and the grade the policy's
bands give the total. Pure: no Django, no database, no translation.

An indicator set (as the policy file writes it, or as an evaluation copied it) carries its
points: the third-level points under each first-level indicator sum to its weight and the
weights to 100, so the total is the plain sum of the scores, on 0–100, to the cent; no
rescaling, no rounding of the scores themselves (each has at most two decimals).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)
GRADES = ("excellent", "good", "fair", "poor")


class GradingError(ValueError):
    """Scores that cannot be graded: `missing` indicators left unscored, `unknown` codes
    that are no third-level indicator of the set, `out_of_range` scores outside 0..points."""

    def __init__(self, *, missing=(), unknown=(), out_of_range=()):
        self.missing = list(missing)
        self.unknown = list(unknown)
        self.out_of_range = list(out_of_range)
        super().__init__(f"missing {self.missing}, unknown {self.unknown}, "
                         f"out of range {self.out_of_range}")


@dataclass(frozen=True)
class Indicator:
    """A third-level indicator with its place in the tree."""

    code: str
    name: str
    name_en: str
    points: Decimal
    help: str
    help_en: str
    first: str  # the code of its first-level indicator
    second: str  # the code of its second-level indicator


@dataclass(frozen=True)
class Graded:
    total: Decimal
    subtotals: dict[str, Decimal]  # by first-level code, in the set's order
    grade: str


def indicators_of(indicator_set: Mapping) -> list[Indicator]:
    """The set's third-level indicators in the order of the file, each with its parents."""
    parents = {item["code"]: item["parent"] for item in indicator_set.get("second", [])}
    return [
        Indicator(code=item["code"], name=item["name"], name_en=item.get("name_en", ""),
                  points=Decimal(str(item["points"])), help=item.get("help", ""),
                  help_en=item.get("help_en", ""), first=parents.get(item["parent"], ""),
                  second=item["parent"])
        for item in indicator_set.get("indicators", [])
    ]


def score_problems(indicator_set: Mapping, scores: Mapping[str, Decimal],
                   *, complete: bool = True) -> GradingError | None:
    """What keeps `scores` (by third-level code) from being graded, or None: indicators
    without a score (when `complete` is asked), codes the set does not have, and scores
    below 0 or above the indicator's points."""
    indicators = {i.code: i for i in indicators_of(indicator_set)}
    missing = [code for code in indicators if code not in scores] if complete else []
    unknown = [code for code in scores if code not in indicators]
    out_of_range = [code for code, value in scores.items()
                    if code in indicators and not ZERO <= value <= indicators[code].points]
    if missing or unknown or out_of_range:
        return GradingError(missing=missing, unknown=unknown, out_of_range=out_of_range)
    return None


def score_text(value: Decimal) -> str:
    """85.00 → '85', 90.50 → '90.5'."""
    text = f"{value:.2f}"
    return text.rstrip("0").rstrip(".")


def grade_for(total: Decimal, bands: Mapping) -> str:
    """excellent at `excellent_from` or more, good at `good_from`, fair at `fair_from`,
    poor below."""
    for grade, key in (("excellent", "excellent_from"), ("good", "good_from"),
                       ("fair", "fair_from")):
        if total >= Decimal(str(bands[key])):
            return grade
    return "poor"


def subtotals_of(indicator_set: Mapping, scores: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """The sum of the scores under each first-level indicator (unscored ones count nothing),
    in the set's order."""
    subtotals = {item["code"]: ZERO for item in indicator_set.get("first", [])}
    for indicator in indicators_of(indicator_set):
        if indicator.code in scores and indicator.first in subtotals:
            subtotals[indicator.first] += scores[indicator.code]
    return {code: value.quantize(CENT, ROUND_HALF_UP) for code, value in subtotals.items()}


def evaluation_grade(indicator_set: Mapping, scores: Mapping[str, Decimal],
                     bands: Mapping) -> Graded:
    """The total, first-level subtotals and grade of a complete set of scores. Raises
    GradingError when a score is missing, unknown or outside its indicator's range."""
    problem = score_problems(indicator_set, scores)
    if problem is not None:
        raise problem
    subtotals = subtotals_of(indicator_set, scores)
    total = sum(scores.values(), ZERO).quantize(CENT, ROUND_HALF_UP)
    return Graded(total=total, subtotals=subtotals, grade=grade_for(total, bands))
