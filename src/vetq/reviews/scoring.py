"""Scores keep their parts (fair-review.md §4): weighted totals, checks of a review against
its rubric, trimmed means, reviewer-offset calibration and disagreement. Pure: no Django
models, no database.

A rubric is the plain dict of `rubrics.rubric_for` (weights and maxima may be numbers or
the strings the policy's JSON dump holds). Scores map a criterion code to a number, or to
None for "not applicable", which drops out of the total — the other weights are rescaled,
it never counts as zero.

Arithmetic is exact (fractions) and rounded once, to two places, at the end: so marking a
criterion "not applicable" gives exactly the total of the rubric without it, and shifting
one expert's totals shifts its offset by exactly the shift.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

# Marks messages for the translation catalogue; it needs no settings and no database.
from django.utils.translation import gettext_noop as N_

from vetq.applications.eligibility import Failure
from vetq.applications.forms_spec import label

HUNDRED = Fraction(100)
# A score is given to at most two decimal places (8, 8.5, 8.25).
SCORE_PLACES = 2


def _fraction(value) -> Fraction:
    if isinstance(value, float):
        value = str(value)
    return Fraction(Decimal(value)) if isinstance(value, str) else Fraction(value)


def round2(value: Fraction) -> Decimal:
    """`value` to two places, halves upwards (toward +∞; the same as ROUND_HALF_UP for the
    non-negative totals). Rounding on a grid this way commutes with adding a grid value."""
    cents = math.floor(value * 100 + Fraction(1, 2))
    return Decimal(cents).scaleb(-2)


def score_parse(value) -> Decimal | None:
    """A score as sent (number or text); None for "not applicable"; ValueError for anything
    that is not a finite number with at most two decimal places."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).strip())
        if not number.is_finite() or abs(number) >= 10**6 \
                or number != number.quantize(Decimal(1).scaleb(-SCORE_PLACES)):
            raise ValueError(value)
    except InvalidOperation as error:
        raise ValueError(value) from error
    return number


def criteria(rubric: Mapping) -> list[Mapping]:
    return list(rubric.get("criteria", []))


def weighted_total(rubric: Mapping, scores: Mapping) -> Decimal:
    """The review's total on 0–100: Σ weight × score / max over the criteria scored, divided
    by Σ of their weights, × 100; two places, halves up. A criterion scored None is "not
    applicable" and drops out. Raises ValueError when a criterion has no entry at all, a
    score is outside [0, max], or nothing is applicable."""
    numerator = Fraction(0)
    weights = Fraction(0)
    for criterion in criteria(rubric):
        code = criterion["code"]
        if code not in scores:
            raise ValueError(f"criterion {code!r} is not scored")
        raw = scores[code]
        if raw is None:
            continue
        score = _fraction(score_parse(raw))
        top = _fraction(criterion.get("max", 10))
        if not 0 <= score <= top:
            raise ValueError(f"criterion {code!r}: {raw} is outside 0–{criterion.get('max', 10)}")
        weight = _fraction(criterion["weight"])
        numerator += weight * score / top
        weights += weight
    if weights == 0:
        raise ValueError("no criterion is applicable")
    return round2(numerator / weights * HUNDRED)


def review_problems(rubric: Mapping, scores: Mapping, comments: Mapping, *,
                    complete: bool = True) -> list[Failure]:
    """Everything wrong with a review, all at once, as failures with message ids.

    Always checked: a criterion the rubric does not have, a score that is not a number or is
    outside [0, max], "not applicable" on a criterion that does not allow it. With
    `complete` (on submission) also: a criterion left unscored, a required comment missing.
    """
    problems: list[Failure] = []
    known = {c["code"] for c in criteria(rubric)}
    for code in sorted(set(scores) - known):
        problems.append(Failure("unknown_criterion", N_("The rubric has no criterion %(code)s."),
                                {"code": code}))
    for criterion in criteria(rubric):
        code = criterion["code"]
        name = label(criterion, "name")
        top = criterion.get("max", 10)
        params = {"criterion": name, "max": str(top)}
        if code not in scores:
            if complete:
                problems.append(Failure("score_missing", N_("%(criterion)s: give a score."), params))
        else:
            try:
                score = score_parse(scores[code])
            except ValueError:
                problems.append(Failure(
                    "score_invalid",
                    N_("%(criterion)s: the score must be a number with at most two decimals."),
                    params))
                score = Decimal(0)
            else:
                if score is None and not criterion.get("allow_na", False):
                    problems.append(Failure(
                        "na_not_allowed",
                        N_("%(criterion)s may not be marked “not applicable”."), params))
                elif score is not None and not 0 <= _fraction(score) <= _fraction(top):
                    problems.append(Failure(
                        "score_out_of_bounds",
                        N_("%(criterion)s: the score must be between 0 and %(max)s."), params))
        if complete and criterion.get("comment_required", False) \
                and not str(comments.get(code) or "").strip():
            problems.append(Failure("comment_missing",
                                    N_("%(criterion)s: a comment is required."), params))
    return problems


def _mean(values: list[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


def aggregate(totals: Iterable, *, trim_from: int, trim: int) -> Decimal:
    """The ranking score: the mean of the totals, after dropping the `trim` highest and the
    `trim` lowest when there are at least `trim_from` of them. ValueError when empty."""
    values = sorted(_fraction(t) for t in totals)
    if not values:
        raise ValueError("no totals to aggregate")
    if trim and len(values) >= trim_from and len(values) > 2 * trim:
        values = values[trim:-trim]
    return round2(_mean(values))


def mean(totals: Iterable) -> Decimal:
    """The plain mean of the totals, two places. ValueError when empty."""
    values = [_fraction(t) for t in totals]
    if not values:
        raise ValueError("no totals")
    return round2(_mean(values))


def spread(totals: Iterable) -> Decimal:
    """Highest minus lowest total (0 for one review)."""
    values = [Decimal(t) if not isinstance(t, Decimal) else t for t in totals]
    if not values:
        raise ValueError("no totals")
    return max(values) - min(values)


def disagreement(totals: Iterable, threshold) -> bool:
    """Whether the spread of the totals is above the threshold."""
    values = list(totals)
    return bool(values) and _fraction(spread(values)) > _fraction(threshold)


def _exact_offsets(totals: Mapping[tuple, object]) -> dict:
    by_application: dict = defaultdict(dict)
    for (application, expert), total in totals.items():
        by_application[application][expert] = _fraction(total)
    deviations: dict = defaultdict(list)
    for given in by_application.values():
        if len(given) < 2:
            continue
        for expert, total in given.items():
            others = [t for e, t in given.items() if e != expert]
            deviations[expert].append(total - _mean(others))
    experts = {expert for _application, expert in totals}
    return {expert: _mean(deviations[expert]) if deviations[expert] else Fraction(0)
            for expert in experts}


def reviewer_offsets(totals: Mapping[tuple, object]) -> dict:
    """Each expert's offset: its mean deviation from the other reviewers' mean total, over the
    applications it shares with at least one other reviewer (0 when it shares none).

    `totals` maps (application, expert) to that expert's total for that application.
    """
    return {expert: round2(offset) for expert, offset in _exact_offsets(totals).items()}


def calibrated_scores(totals: Mapping[tuple, object]) -> dict:
    """Per application, the mean of its totals each corrected by its reviewer's offset."""
    offsets = _exact_offsets(totals)
    corrected: dict = defaultdict(list)
    for (application, expert), total in totals.items():
        corrected[application].append(_fraction(total) - offsets[expert])
    return {application: round2(_mean(values)) for application, values in corrected.items()}


@dataclass(frozen=True)
class Summary:
    """What the ranking shows of one application's submitted totals."""

    reviews: int
    mean: Decimal | None = None
    score: Decimal | None = None
    spread: Decimal | None = None
    disagreement: bool = False
    totals: tuple[Decimal, ...] = field(default_factory=tuple)


def summarise(totals: list[Decimal], *, trim_from: int, trim: int, threshold) -> Summary:
    if not totals:
        return Summary(reviews=0)
    ordered = tuple(sorted(totals, reverse=True))
    return Summary(
        reviews=len(totals),
        mean=mean(totals),
        score=aggregate(totals, trim_from=trim_from, trim=trim),
        spread=spread(totals),
        disagreement=disagreement(totals, threshold),
        totals=ordered,
    )


def criterion_averages(rubric: Mapping, reviews: Iterable[Mapping]) -> dict[str, Decimal | None]:
    """Per criterion code, the mean score given over the reviews (N/A left out; None when
    nobody scored it)."""
    given: dict[str, list[Fraction]] = {c["code"]: [] for c in criteria(rubric)}
    for scores in reviews:
        for code, values in given.items():
            value = scores.get(code)
            if value is not None:
                try:
                    values.append(_fraction(score_parse(value)))
                except ValueError:
                    continue
    return {code: round2(_mean(values)) if values else None for code, values in given.items()}
