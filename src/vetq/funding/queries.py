"""Reads for the grant pages: the filtered grant list with its sums in one query, and the
tranches of one grant with what was paid on each. Scoping is the caller's: pass the
queryset from `scoping.grants_for`."""

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import QueryDict

from vetq.programs.subsidy import CITY

from .budget import MONEY, ZERO
from .models import EntryKind, GrantState, LedgerEntry, Tranche, TrancheCondition

MOVEMENTS = (EntryKind.PAYMENT, EntryKind.REVERSAL)
QUICK_FILTERS = ("due", "overdue")


def _total(queryset: QuerySet, group: str):
    """The sum of `amount` over `queryset` per `group`, as a correlated subquery (zero if none)."""
    rows = queryset.order_by().values(group).annotate(total=Sum("amount")).values("total")
    return Coalesce(Subquery(rows, output_field=MONEY), Value(ZERO), output_field=MONEY)


def tranche_paid_sum():
    """Net money paid on the outer tranche: payments less their reversals."""
    return _total(LedgerEntry.objects.filter(tranche=OuterRef("pk"), kind__in=MOVEMENTS),
                  "tranche")


def _condition_holds(today: date) -> Q:
    """The SQL form of `ledger.tranche_condition_holds`: live, and its condition met (a
    construction year's tranche from its due date)."""
    return Q(withheld_at__isnull=True) & (
        Q(condition=TrancheCondition.CONSTRUCTION_YEAR, due_date__lte=today)
        | (~Q(condition=TrancheCondition.CONSTRUCTION_YEAR) & Q(condition_met_at__isnull=False))
    )


def _open_tranches(today: date, *, overdue: bool) -> QuerySet:
    """Tranches of the outer grant that are payable today and not fully paid; with
    `overdue`, only those whose due date has passed."""
    tranches = (Tranche.objects.filter(grant=OuterRef("pk")).filter(_condition_holds(today))
                .annotate(paid=tranche_paid_sum()).filter(paid__lt=F("amount")))
    if overdue:
        tranches = tranches.filter(due_date__lt=today)
    return tranches


def positive_int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and 0 < int(value) < 2**31 else None


@dataclass(frozen=True)
class GrantFilters:
    """The grant list's filters as the query string gives them; anything malformed is
    ignored. `payer` is "city" or a region code; `quick` is "due" or "overdue"."""

    payer: str = ""
    category: str = ""
    region: str = ""
    year: int | None = None
    state: str = ""
    quick: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> "GrantFilters":
        state = query.get("state", "")
        quick = query.get("quick", "")
        return cls(
            payer=query.get("payer", "").strip()[:40],
            category=query.get("category", "").strip()[:60],
            region=query.get("region", "").strip()[:40],
            year=positive_int(query.get("year", "")),
            state=state if state in GrantState.values else "",
            quick=quick if quick in QUICK_FILTERS else "",
        )

    def condition(self, today: date) -> Q:
        condition = Q()
        if self.payer == CITY:
            condition &= Q(payer_region__isnull=True)
        elif self.payer:
            condition &= Q(payer_region__code=self.payer)
        if self.category:
            condition &= Q(category__code=self.category)
        if self.region:
            condition &= Q(institution__region__code=self.region)
        if self.year is not None:
            condition &= Q(year=self.year)
        if self.state:
            condition &= Q(state=self.state)
        if self.quick:
            condition &= Q(state=GrantState.ACTIVE) & Q(
                Exists(_open_tranches(today, overdue=self.quick == "overdue")))
        return condition


def grants_listed(grants: QuerySet, filters: GrantFilters, today: date) -> QuerySet:
    """The grants that pass the filters, each with `promised` (live tranches), `paid` (net of
    reversals) and `recovered` summed in the same query; newest year first."""
    entries = LedgerEntry.objects.filter(grant=OuterRef("pk"))
    return (
        grants.filter(filters.condition(today))
        .select_related("application", "category", "institution__region", "payer_region")
        .annotate(
            promised=_total(Tranche.objects.filter(grant=OuterRef("pk"), withheld_at__isnull=True),
                            "grant"),
            paid=_total(entries.filter(kind__in=MOVEMENTS), "grant"),
            recovered=_total(entries.filter(kind=EntryKind.RECOVERY), "grant"),
        )
        .order_by("-year", "institution__region__order", "pk")
    )


def grant_years(grants: QuerySet) -> list[int]:
    return list(grants.order_by("-year").values_list("year", flat=True).distinct())


def grant_tranches(grant) -> list[Tranche]:
    """The grant's tranches in order, each with `paid` summed in the same query."""
    return list(grant.tranches.annotate(paid=tranche_paid_sum()).order_by("seq"))


def grant_entries(grant) -> list[LedgerEntry]:
    """Every ledger entry of the grant, oldest first, with its tranche, its recorder and the
    reversal that corrected it (if any)."""
    return list(grant.entries.select_related("tranche", "recorded_by", "reversed_by",
                                             "reverses").order_by("recorded_at", "pk"))
