"""The budget forecast (R27) as pure functions: no Django, no database.

How much municipal money the projects still to come will need to the end of the program
period, against the money still free:

    needed = Σ over categories of  remaining projects × municipal amount × (1 − county share)

- The municipal amount per project comes from the category's subsidy rule, at the prudent
  maximum: the fixed amount; the total of a tranche rule; per year × construction years plus
  the bonus for a studio (R18), as if every studio were rated excellent; the top of the range
  for an award (R7, R15) unless a typical amount is given.
- Remaining projects: a category with a target has its target less the projects approved so
  far; once every year left has a call, no more than the quota those calls still leave. A
  category without a target (awards, pilots) has only what quotas give it: the quota its
  calls still leave, plus its latest yearly quota for each year left that has no call yet.
- The county share is the part of projects that county-level cities pay for themselves
  (R28): their money does not come from the municipal budget.

Amounts are Decimal yuan; each category's need is rounded to the fen, half up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from vetq.programs import subsidy

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ONE = Decimal(1)


class ForecastError(ValueError):
    """An input the forecast cannot use; the message says which."""


def unit_amount(rule: subsidy.Rule, *, years: int | None,
                typical: Decimal | None = None) -> Decimal:
    """The municipal amount one more project of a category is expected to cost.

    A typical amount replaces the range maximum of a range rule (it must lie in the range);
    for other rules the rule fixes the amount and a typical one is ignored.
    """
    if isinstance(rule, subsidy.RangeRule):
        return rule.municipal_amount(amount=typical) if typical is not None else rule.maximum
    if isinstance(rule, subsidy.PerYearPlusBonusRule):
        return rule.municipal_amount(years=years or 1, rating=rule.bonus_if)
    return rule.municipal_amount()


@dataclass(frozen=True)
class CategoryInput:
    """What the forecast knows about one category.

    quota_left: places the calls of this year and later years still leave (quota less the
    projects they approved). yearly_quota: the category's quota in its latest call, the best
    guess for a year without a call (None: it never had one). years_without_call: years of
    the period left, this one included, for which no call exists yet.
    """

    code: str
    name: str
    target: int | None
    approved: int
    amount: Decimal
    quota_left: int = 0
    yearly_quota: int | None = None
    years_without_call: int = 0

    def remaining(self) -> int:
        """How many more projects the category may still fund in the period."""
        if self.years_without_call == 0:
            capacity: int | None = self.quota_left
        elif self.target is None and self.yearly_quota is not None:
            capacity = self.quota_left + self.yearly_quota * self.years_without_call
        else:
            # A target category with years still to call: the target is the plan.
            capacity = None
        if self.target is None:
            return capacity or 0
        left = max(self.target - self.approved, 0)
        return left if capacity is None else min(left, capacity)


@dataclass(frozen=True)
class CategoryForecast:
    code: str
    name: str
    target: int | None
    approved: int
    remaining: int
    amount: Decimal
    needed: Decimal


@dataclass(frozen=True)
class Forecast:
    rows: tuple[CategoryForecast, ...]
    county_share: Decimal
    free: Decimal

    @property
    def needed(self) -> Decimal:
        return sum((row.needed for row in self.rows), ZERO)

    @property
    def headroom(self) -> Decimal:
        """Free money left after the projection; negative when the budget falls short."""
        return self.free - self.needed

    @property
    def shortfall(self) -> Decimal:
        return max(self.needed - self.free, ZERO)

    @property
    def remaining(self) -> int:
        return sum(row.remaining for row in self.rows)


def share_from_percent(percent: Decimal | int | str) -> Decimal:
    """A county share typed as a percentage (0–100) as a fraction; refuses anything else."""
    if isinstance(percent, float | bool):
        raise TypeError(f"a share must not be a {type(percent).__name__}")
    try:
        value = Decimal(percent)
    except ArithmeticError as exc:
        raise ForecastError(f"not a percentage: {percent!r}") from exc
    if not value.is_finite() or not (0 <= value <= 100):
        raise ForecastError(f"the county share must lie between 0 and 100%, not {percent}")
    return value / 100


def category_forecast(category: CategoryInput, *, county_share: Decimal) -> CategoryForecast:
    remaining = category.remaining()
    needed = (remaining * category.amount * (ONE - county_share)).quantize(
        CENT, rounding=ROUND_HALF_UP)
    return CategoryForecast(category.code, category.name, category.target, category.approved,
                            remaining, category.amount, needed)


def forecast(categories: Iterable[CategoryInput], *, free: Decimal,
             county_share: Decimal) -> Forecast:
    """The municipal money the remaining projects need, per category and in total, against
    the free budget. `county_share` is a fraction from 0 to 1."""
    if isinstance(county_share, float | bool) or not (0 <= county_share <= 1):
        raise ForecastError(f"the county share must lie between 0 and 1, not {county_share!r}")
    rows = tuple(category_forecast(c, county_share=county_share) for c in categories)
    return Forecast(rows, Decimal(county_share), free)


def county_share_so_far(*, county_grants: int, all_grants: int, county_schools: int,
                        all_schools: int) -> Decimal:
    """The share of projects county-level cities pay for: of the grants so far, or, before
    the first grant, the share of schools in the self-funded regions; zero with neither."""
    if all_grants:
        return Decimal(county_grants) / Decimal(all_grants)
    if all_schools:
        return Decimal(county_schools) / Decimal(all_schools)
    return Decimal(0)

