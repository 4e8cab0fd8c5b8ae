"""Grants, tranches, the ledger and the budget in the JSON API (read only), scoped by payer as
the pages are (R28): the bureau reads every grant, a finance officer the grants its payer
pays, a region officer its schools', a school its own; anything else is a 404.

The budget endpoint gives the municipal figures of the program (R27) to the bureau, the
city's finance officer and department viewers; a county-level city's finance officer gets
the same figures over the grants its own city pays, with no budget or free amount (those
grants are not held against the 1亿). Anyone else is refused with 403.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AfterValidator

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.core.money import to_yuan
from vetq.programs.models import Program
from vetq.programs.subsidy import CITY

from . import budget
from .exports import payable_now, payer_code, payer_name
from .models import Grant, LedgerEntry, Tranche
from .queries import GrantFilters, grant_entries, grant_tranches, grants_listed, positive_int

router = Router(tags=["funding"])

# Yuan with two places whatever the database's sums return ("100000.00", never "100000").
Money = Annotated[Decimal, AfterValidator(to_yuan)]


class Refusal(Schema):
    detail: list[str]


class GrantOut(Schema):
    id: int
    application: int = Field(alias="application_id")
    title: str = Field(alias="application.title")
    category: str = Field(alias="category.code")
    category_name: str = Field(alias="category.name")
    institution: str = Field(alias="institution.code")
    institution_name: str = Field(alias="institution.name")
    region: str = Field(alias="institution.region.code")
    payer: str
    payer_name: str
    commissioned: bool
    year: int
    construction_years: int | None
    state: str
    promised: Money
    paid: Money
    recovered: Money

    @staticmethod
    def resolve_payer(obj: Grant) -> str:
        return payer_code(obj)

    @staticmethod
    def resolve_payer_name(obj: Grant) -> str:
        return payer_name(obj)


class TrancheOut(Schema):
    seq: int
    amount: Money
    due_date: date
    condition: str
    condition_met_at: datetime | None
    withheld: bool
    paid: Money
    payable: Money
    payable_now: bool

    @staticmethod
    def resolve_withheld(obj: Tranche) -> bool:
        return not obj.live

    @staticmethod
    def resolve_payable(obj: Tranche) -> Decimal:
        return payable_now(obj, timezone.localdate())

    @staticmethod
    def resolve_payable_now(obj: Tranche) -> bool:
        return payable_now(obj, timezone.localdate()) > 0


class GrantDetailOut(GrantOut):
    tranches: list[TrancheOut]

    @staticmethod
    def resolve_tranches(obj: Grant) -> list[Tranche]:
        return grant_tranches(obj)


class EntryOut(Schema):
    id: int
    kind: str
    amount: Money
    voucher_no: str
    paid_on: date
    payer_account: str
    tranche: int | None
    reverses: int | None = Field(alias="reverses_id")
    note: str
    recorded_by: str
    recorded_at: datetime

    @staticmethod
    def resolve_tranche(obj: LedgerEntry) -> int | None:
        return obj.tranche.seq if obj.tranche_id else None

    @staticmethod
    def resolve_recorded_by(obj: LedgerEntry) -> str:
        return obj.recorded_by.full_name or obj.recorded_by.get_username()


class BudgetOut(Schema):
    program: str
    payers: list[str]
    budget: Money | None
    committed: Money
    paid: Money
    recovered: Money
    free: Money | None


def _grant(request, pk: int) -> Grant:
    listed = grants_listed(scoping.grants_for(request.user), GrantFilters(), timezone.localdate())
    return get_object_or_404(listed, pk=pk)


@router.get("/grants", response=list[GrantOut])
@paginate
def list_grants(request, payer: str = "", category: str = "", year: int | None = None,
                state: str = ""):
    """The grants the caller may read, with payer ("city" or the paying region's code) and
    the money promised (live tranches), paid (net of reversals) and recovered."""
    filters = GrantFilters(payer=payer.strip(), category=category.strip(),
                           year=positive_int(str(year)) if year is not None else None,
                           state=state.strip())
    return grants_listed(scoping.grants_for(request.user), filters, timezone.localdate())


@router.get("/grants/{pk}", response=GrantDetailOut)
def get_grant(request, pk: int):
    """One grant with every tranche: what was paid on it and what is payable today."""
    return _grant(request, pk)


@router.get("/grants/{pk}/ledger", response=list[EntryOut])
def get_grant_ledger(request, pk: int):
    """The grant's ledger, oldest first: payments, reversals (negative) and recoveries."""
    return grant_entries(_grant(request, pk))


def _program(code: str) -> Program:
    """The program `code`, or without one the latest; 404 when there is none."""
    if code:
        return get_object_or_404(Program, code=code)
    program = Program.objects.order_by("-period_start", "code").first()
    if program is None:
        raise Http404
    return program


@router.get("/budget", response={200: BudgetOut, 403: Refusal})
def get_budget(request, program: str = ""):
    """The program's municipal budget figures (R27), or a county payer's own figures."""
    user = request.user
    finance = [m for m in scoping.memberships(user) if m.role == Role.FINANCE_OFFICER]
    municipal = (scoping.has_role(user, Role.BUREAU_ADMIN)
                 or scoping.has_role(user, Role.DEPARTMENT_VIEWER)
                 or any(m.region_id is None for m in finance))
    regions = [m.region for m in finance if m.region_id is not None]
    if not municipal and not regions:
        return Status(403, {"detail": [_("You may not read the budget.")]})
    chosen = _program(program)
    if municipal:
        figures = budget.budget_figures(chosen)
        return BudgetOut(program=chosen.code, payers=[CITY], budget=figures.budget,
                         committed=figures.committed, paid=figures.paid,
                         recovered=figures.recovered, free=figures.free)
    grants = Grant.objects.filter(program=chosen, payer_region__in=regions)
    return BudgetOut(program=chosen.code, payers=sorted(r.code for r in regions), budget=None,
                     committed=budget.committed(grants), paid=budget.paid(grants),
                     recovered=budget.recovered(grants), free=None)
