"""Reads about programs that several pages share."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from .models import Category, Program


def current_program() -> Program | None:
    """The program whose period holds this year, else the most recent one loaded."""
    year = timezone.localdate().year
    programs = Program.objects.order_by("-period_start", "code")
    return (
        programs.filter(period_start__lte=year, period_end__gte=year).first() or programs.first()
    )


@dataclass(frozen=True)
class CategoryProgress:
    category: Category
    target: int | None
    approved: int
    rule_summary: dict

    @property
    def remaining(self) -> int | None:
        return None if self.target is None else max(self.target - self.approved, 0)

    @property
    def percent(self) -> int:
        if not self.target:
            return 0
        return min(100, round(100 * self.approved / self.target))


@dataclass(frozen=True)
class BudgetSummary:
    budget: Decimal
    committed: Decimal
    paid: Decimal
    recovered: Decimal

    @property
    def free(self) -> Decimal:
        # `committed` is already net of recoveries: money taken back is free again.
        return self.budget - self.committed


# Later features register what they count here (approved projects per category, committed
# money); until a feature exists its figures are zero, read from nothing.
APPROVED_COUNTERS: list = []
BUDGET_SOURCES: list = []


def program_progress(program: Program) -> list[CategoryProgress]:
    """Target and approved count of each active category of a program (R1–R18)."""
    categories = list(
        program.categories.filter(active=True).prefetch_related("subsidy_rules").order_by("order")
    )
    approved: dict[int, int] = {}
    for counter in APPROVED_COUNTERS:
        for category_id, count in counter(program).items():
            approved[category_id] = approved.get(category_id, 0) + count
    result = []
    for category in categories:
        rule = category.current_rule
        result.append(
            CategoryProgress(
                category=category,
                target=category.target,
                approved=approved.get(category.pk, 0),
                rule_summary=rule.as_mapping() if rule else {},
            )
        )
    return result


def program_budget(program: Program) -> BudgetSummary:
    """The municipal budget (R27) and what is committed, paid and recovered against it."""
    committed = paid = recovered = Decimal(0)
    for source in BUDGET_SOURCES:
        figures = source(program)
        committed += figures.get("committed", 0)
        paid += figures.get("paid", 0)
        recovered += figures.get("recovered", 0)
    return BudgetSummary(program.budget_yuan, committed, paid, recovered)


def full_target_cost(program: Program) -> Decimal:
    """What every target costs at municipal rates, for categories whose rule fixes the amount."""
    total = Decimal(0)
    for category in program.categories.filter(active=True, target__isnull=False).prefetch_related(
        "subsidy_rules"
    ):
        rule = category.current_rule
        unit = rule.municipal_amount_at_target_rate if rule else None
        if unit is not None:
            total += unit * category.target
    return total
