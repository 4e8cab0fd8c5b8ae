"""Graduate employment metrics (R33): pure arithmetic, no database.

The definitions (docs/employment.md; domain-notes.md, MyCOS practice and the 计分卡):

- graduates needing work = all graduates of the group less those in further study;
- employment rate = (employed + self-employed) ÷ graduates needing work;
- self-employment rate = self-employed ÷ all graduates; further-study rate likewise;
- in-field rate = graduates in work (employed or self-employed) working in the field they
  studied ÷ graduates in work whose answer is recorded;
- contract rate = employees with a labour contract ÷ employees whose answer is recorded
  (the self-employed have no employer to sign one with);
- location shares = graduates in work at each place ÷ graduates in work with a place recorded;
- pay = the median and the mean of the monthly pay recorded for graduates in work;
- satisfaction (4 very satisfied … 1 very dissatisfied) = the mean answer and the share
  answering 3 or 4, "cannot judge" (no answer) left out of both; the same for employers.

Small cells (docs/employment.md): a group of fewer than MIN_CELL graduates publishes nothing
but its size, and a figure whose own denominator is below MIN_CELL is not published either,
so no figure can reveal one person's answer.
"""

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

MIN_CELL = 5

EMPLOYED, SELF_EMPLOYED, FURTHER_STUDY, NOT_EMPLOYED = (
    "employed", "self_employed", "further_study", "not_employed")
DESTINATIONS = (EMPLOYED, SELF_EMPLOYED, FURTHER_STUDY, NOT_EMPLOYED)
WORKING = frozenset({EMPLOYED, SELF_EMPLOYED})
LOCATIONS = ("local", "province", "elsewhere", "abroad")
POINTS = ("graduation", "half_year", "one_year", "three_years")
SATISFIED_FROM = 3  # answers 3 (satisfied) and 4 (very satisfied) count as satisfied

RATE = Decimal("0.0001")
MEAN = Decimal("0.01")
YUAN = Decimal("0.01")

# Example grading of the employment rate (domain-notes.md): 优 ≥ 95 %, 良 ≥ 90 %, 合格 ≥ 80 %.
GRADES = ((Decimal("0.95"), "excellent"), (Decimal("0.90"), "good"), (Decimal("0.80"), "pass"))
BELOW_PASS = "below_pass"

# When each tracking point is reached: (years after the graduation year, month). Graduates
# leave in June; "half a year" is asked in December.
POINT_REACHED = {
    "graduation": (0, 6), "half_year": (0, 12), "one_year": (1, 6), "three_years": (3, 6),
}


def point_date(cohort: int, point: str) -> date:
    """The first day on which a cohort's tracking point can be surveyed."""
    years, month = POINT_REACHED[point]
    return date(cohort + years, month, 1)


def point_reached(cohort: int, point: str, today: date) -> bool:
    return point_date(cohort, point) <= today


@dataclass(frozen=True)
class Outcome:
    """One graduate at one tracking point, as the metrics need it."""

    destination: str
    in_field: bool | None = None
    location: str = ""
    contract: bool | None = None
    pay: Decimal | None = None
    satisfaction: int | None = None  # 1–4; None: cannot judge, or not asked
    employer_satisfaction: int | None = None


@dataclass(frozen=True)
class Tally:
    """The counts behind the metrics of a group; tallies of groups add up."""

    graduates: int = 0
    employed: int = 0
    self_employed: int = 0
    further_study: int = 0
    not_employed: int = 0
    in_field: int = 0
    in_field_known: int = 0
    contract: int = 0
    contract_known: int = 0
    local: int = 0
    province: int = 0
    elsewhere: int = 0
    abroad: int = 0
    satisfaction_sum: int = 0
    satisfaction_answers: int = 0
    satisfied: int = 0
    employer_sum: int = 0
    employer_answers: int = 0
    employer_satisfied: int = 0
    pays: tuple[Decimal, ...] = ()

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(**{
            f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(Tally)
        })

    @property
    def working(self) -> int:
        return self.employed + self.self_employed

    @property
    def located(self) -> int:
        return self.local + self.province + self.elsewhere + self.abroad


def tally(outcomes: Iterable[Outcome]) -> Tally:
    """Count outcomes into a Tally (the database does the same with one grouped query)."""
    counts = dict.fromkeys((f.name for f in fields(Tally) if f.name != "pays"), 0)
    pays: list[Decimal] = []
    for outcome in outcomes:
        counts["graduates"] += 1
        counts[outcome.destination] += 1
        if outcome.destination in WORKING:
            if outcome.in_field is not None:
                counts["in_field_known"] += 1
                counts["in_field"] += outcome.in_field
            if outcome.location:
                counts[outcome.location] += 1
            if outcome.pay is not None:
                pays.append(outcome.pay)
        if outcome.destination == EMPLOYED and outcome.contract is not None:
            counts["contract_known"] += 1
            counts["contract"] += outcome.contract
        if outcome.satisfaction is not None:
            counts["satisfaction_answers"] += 1
            counts["satisfaction_sum"] += outcome.satisfaction
            counts["satisfied"] += outcome.satisfaction >= SATISFIED_FROM
        if outcome.employer_satisfaction is not None:
            counts["employer_answers"] += 1
            counts["employer_sum"] += outcome.employer_satisfaction
            counts["employer_satisfied"] += outcome.employer_satisfaction >= SATISFIED_FROM
    return Tally(**counts, pays=tuple(pays))


def _share(part: int, whole: int, min_cell: int) -> Decimal | None:
    if whole < max(min_cell, 1):
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE, rounding=ROUND_HALF_UP)


def _mean(total: int, count: int, min_cell: int) -> Decimal | None:
    if count < max(min_cell, 1):
        return None
    return (Decimal(total) / Decimal(count)).quantize(MEAN, rounding=ROUND_HALF_UP)


def grade(employment_rate: Decimal | None) -> str:
    """The example grade of an employment rate: excellent, good, pass or below_pass."""
    if employment_rate is None:
        return ""
    for floor, name in GRADES:
        if employment_rate >= floor:
            return name
    return BELOW_PASS


@dataclass(frozen=True)
class Metrics:
    """A group's published figures; None where the group or the denominator is too small."""

    graduates: int
    suppressed: bool
    needing_work: int | None
    employment_rate: Decimal | None
    self_employment_rate: Decimal | None
    further_study_rate: Decimal | None
    in_field_rate: Decimal | None
    contract_rate: Decimal | None
    local_share: Decimal | None
    province_share: Decimal | None
    elsewhere_share: Decimal | None
    abroad_share: Decimal | None
    pay_median: Decimal | None
    pay_mean: Decimal | None
    satisfaction_mean: Decimal | None
    satisfied_share: Decimal | None
    employer_satisfaction_mean: Decimal | None
    employer_satisfied_share: Decimal | None

    @property
    def grade(self) -> str:
        return grade(self.employment_rate)


RATE_FIELDS = ("employment_rate", "self_employment_rate", "further_study_rate", "in_field_rate",
               "contract_rate", "local_share", "province_share", "elsewhere_share",
               "abroad_share", "satisfied_share", "employer_satisfied_share")


def metrics(counts: Tally, *, min_cell: int = MIN_CELL) -> Metrics:
    """The figures of a tally, with small cells suppressed (min_cell=0 turns that off)."""
    if counts.graduates < min_cell:
        return Metrics(counts.graduates, True, *([None] * (len(fields(Metrics)) - 2)))
    needing_work = counts.graduates - counts.further_study
    pays = counts.pays
    enough_pay = len(pays) >= max(min_cell, 1)
    located = counts.located
    return Metrics(
        graduates=counts.graduates,
        suppressed=False,
        needing_work=needing_work,
        employment_rate=_share(counts.working, needing_work, min_cell),
        self_employment_rate=_share(counts.self_employed, counts.graduates, min_cell),
        further_study_rate=_share(counts.further_study, counts.graduates, min_cell),
        in_field_rate=_share(counts.in_field, counts.in_field_known, min_cell),
        contract_rate=_share(counts.contract, counts.contract_known, min_cell),
        local_share=_share(counts.local, located, min_cell),
        province_share=_share(counts.province, located, min_cell),
        elsewhere_share=_share(counts.elsewhere, located, min_cell),
        abroad_share=_share(counts.abroad, located, min_cell),
        pay_median=(Decimal(statistics.median(pays)).quantize(YUAN, rounding=ROUND_HALF_UP)
                    if enough_pay else None),
        pay_mean=((sum(pays, Decimal(0)) / len(pays)).quantize(YUAN, rounding=ROUND_HALF_UP)
                  if enough_pay else None),
        satisfaction_mean=_mean(counts.satisfaction_sum, counts.satisfaction_answers, min_cell),
        satisfied_share=_share(counts.satisfied, counts.satisfaction_answers, min_cell),
        employer_satisfaction_mean=_mean(counts.employer_sum, counts.employer_answers, min_cell),
        employer_satisfied_share=_share(counts.employer_satisfied, counts.employer_answers,
                                        min_cell),
    )
