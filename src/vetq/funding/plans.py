"""Default tranche plans as pure functions: no Django, no database.

A plan is a list of (amount, due date, condition). Amounts add up to the grant exactly
(the last step takes the rounding remainder); per-year subsidies get one tranche per
construction year plus the conditional bonus (R18); totals in tranches are split evenly
over the construction years (R12).
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from vetq.programs import subsidy

CENT = Decimal("0.01")


@dataclass(frozen=True)
class PlannedTranche:
    amount: Decimal
    due_date: date
    condition: str


def _due(year: int, offset_years: int) -> date:
    """Yearly tranches fall due on 30 June of each construction year."""
    return date(year + offset_years, 6, 30)


def _by_shares(total: Decimal, steps: list[dict], start: date, years: int) -> list[PlannedTranche]:
    planned: list[PlannedTranche] = []
    remaining = total
    for index, step in enumerate(steps):
        last = index == len(steps) - 1
        share = Decimal(str(step["share"]))
        amount = remaining if last else (total * share).quantize(CENT, rounding=ROUND_DOWN)
        remaining -= amount
        condition = step["condition"]
        if condition == "on_approval":
            due = start
        elif condition == "midterm_passed":
            due = _due(start.year, max(years // 2, 1) - 1 if years > 1 else 0)
        else:
            due = _due(start.year, max(years - 1, 0))
        planned.append(PlannedTranche(amount, due, condition))
    return [p for p in planned if p.amount > 0]


def default_plan(*, rule: subsidy.Rule, amount: Decimal, start: date, years: int | None,
                 funding: dict) -> list[PlannedTranche]:
    """The tranche plan of a new grant of `amount` under `rule`, starting on `start`."""
    years = years or 1
    if isinstance(rule, subsidy.PerYearPlusBonusRule):
        base = rule.base_amount(years=years)
        per_year = subsidy.split_evenly(base, years)
        plan = [PlannedTranche(per_year[i], start if i == 0 else _due(start.year, i),
                               "on_approval" if i == 0 else "construction_year")
                for i in range(years)]
        bonus = amount - base
        if bonus > 0:
            plan.append(PlannedTranche(bonus, _due(start.year, years - 1), "excellent"))
        return plan
    if isinstance(rule, subsidy.TotalInTranchesRule):
        parts = subsidy.split_evenly(amount, rule.tranches)
        return [PlannedTranche(parts[i], start if i == 0 else _due(start.year, i),
                               "on_approval" if i == 0 else "construction_year")
                for i in range(len(parts))]
    steps = funding.get("range_plan" if isinstance(rule, subsidy.RangeRule) else "fixed_plan")
    steps = steps or [{"share": "1", "condition": "on_approval"}]
    return _by_shares(amount, steps, start, years)
