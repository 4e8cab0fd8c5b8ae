"""The program budget (R27): what municipal grants commit, pay and recover, as sums of
tranches and the ledger; and the guard that keeps commitments within the budget."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from vetq.programs.models import Program

from .models import BudgetAllocation, EntryKind, Grant, LedgerEntry, Tranche

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=15, decimal_places=2)


class BudgetExceeded(Exception):
    """A commitment that would take municipal money past the budget; nothing was changed."""

    def __init__(self, overrun: Decimal, limit_label: str):
        self.overrun = overrun
        self.limit_label = limit_label
        super().__init__(
            _("This would commit %(overrun)s yuan more than the %(limit)s allows.")
            % {"overrun": f"{overrun:,.2f}", "limit": limit_label}
        )


def _sum(queryset, field: str = "amount") -> Decimal:
    # SQLite sums decimals as floats (19.4400000000001): round back to fen; exact elsewhere.
    total = queryset.aggregate(total=Coalesce(Sum(field), Value(ZERO), output_field=MONEY))["total"]
    return total.quantize(ZERO)


def municipal_grants(program: Program, *, year: int | None = None):
    grants = Grant.objects.filter(program=program, payer_region__isnull=True)
    return grants.filter(year=year) if year is not None else grants


def committed(grants) -> Decimal:
    """Live tranches of the grants, less what was recovered from them."""
    promised = _sum(Tranche.objects.filter(grant__in=grants, withheld_at__isnull=True))
    return promised - recovered(grants)


def paid(grants) -> Decimal:
    return _sum(LedgerEntry.objects.filter(grant__in=grants).filter(
        Q(kind=EntryKind.PAYMENT) | Q(kind=EntryKind.REVERSAL)))


def recovered(grants) -> Decimal:
    return _sum(LedgerEntry.objects.filter(grant__in=grants, kind=EntryKind.RECOVERY))


@dataclass(frozen=True)
class BudgetFigures:
    budget: Decimal
    committed: Decimal
    paid: Decimal
    recovered: Decimal

    @property
    def free(self) -> Decimal:
        return self.budget - self.committed


def budget_figures(program: Program) -> BudgetFigures:
    grants = municipal_grants(program)
    return BudgetFigures(program.budget_yuan, committed(grants), paid(grants), recovered(grants))


def budget_check(program: Program, *, adding: Decimal, year: int) -> None:
    """Refuse a new municipal commitment that would pass the program budget, or the year's
    allocation where one is set. The caller holds the program's row lock."""
    figures = budget_figures(program)
    overrun = figures.committed + adding - program.budget_yuan
    if overrun > 0:
        raise BudgetExceeded(overrun, _("program budget"))
    allocation = BudgetAllocation.objects.filter(program=program, year=year).first()
    if allocation is not None:
        year_overrun = committed(municipal_grants(program, year=year)) + adding - allocation.amount
        if year_overrun > 0:
            raise BudgetExceeded(year_overrun, _("allocation for %(year)s") % {"year": year})


def budget_source(program: Program) -> dict:
    """Figures for the program pages (registered in programs.queries)."""
    figures = budget_figures(program)
    return {"committed": figures.committed, "paid": figures.paid, "recovered": figures.recovered}


def grants_by_category(program: Program) -> dict[int, int]:
    """Approved projects (grants not withdrawn) per category, for the targets (R1–R18)."""
    from django.db.models import Count

    from .models import GrantState

    rows = (Grant.objects.filter(program=program).exclude(state=GrantState.WITHDRAWN)
            .values("category_id").annotate(n=Count("id")))
    return {row["category_id"]: row["n"] for row in rows}
