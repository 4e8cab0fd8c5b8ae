"""Excel sheets for the finance bureau (R29): the payment schedule of every live tranche and
the payment ledger. Callers pass grants already narrowed by `accounts.scoping`; nothing
here widens them. Headers are Chinese whatever the interface language, as the bureau's own
sheets are; amounts are numbers in yuan to the fen, and every text cell is escaped."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vetq.core.excel import Column, SheetSpec, workbook_build
from vetq.core.money import to_yuan
from vetq.programs.subsidy import CITY

from .budget import ZERO
from .ledger import tranche_condition_holds
from .models import Grant, GrantState, LedgerEntry, Tranche
from .queries import tranche_paid_sum

SCHEDULE_SHEET = "拨付计划"
LEDGER_SHEET = "拨付台账"

# Yuan to the fen, with thousands separators, as the finance bureau reads them.
YUAN_FORMAT = "#,##0.00"

SCHEDULE_COLUMNS = (
    Column("grant", "项目名称", width=40),
    Column("school", "学校", width=30),
    Column("payer", "拨付方", width=12),
    Column("category", "项目类别", width=30),
    Column("seq", "批次", width=6),
    Column("due_date", "计划拨付日期", width=14),
    Column("condition", "拨付条件", width=22),
    Column("amount", "计划金额（元）", width=14, number_format=YUAN_FORMAT),
    Column("paid", "已拨付（元）", width=14, number_format=YUAN_FORMAT),
    Column("outstanding", "未拨付（元）", width=14, number_format=YUAN_FORMAT),
    Column("payable", "当前可拨付", width=10),
)

LEDGER_COLUMNS = (
    Column("date", "日期", width=12),
    Column("kind", "类型", width=10),
    Column("amount", "金额（元）", width=14, number_format=YUAN_FORMAT),
    Column("voucher", "凭证号", width=18),
    Column("payer_account", "付款账户", width=24),
    Column("grant", "项目名称", width=40),
    Column("school", "学校", width=30),
    Column("payer", "拨付方", width=12),
    Column("note", "备注", width=30),
    Column("recorded_by", "经办人", width=12),
)


def payer_name(grant: Grant) -> str:
    """Who pays the grant (R28), as shown wherever a grant appears."""
    return grant.payer_region.name if grant.payer_region_id else _("the city")


def payer_code(grant: Grant) -> str:
    return grant.payer_region.code if grant.payer_region_id else CITY


@dataclass(frozen=True)
class ExportFilters:
    payer: str = ""  # "city" or a self-funded region's code; blank for all
    year: int | None = None  # the schedule's due year, the ledger's date year

    @classmethod
    def from_query(cls, params) -> "ExportFilters":
        """The filters of a query string; a year that is not one (or not 1–9999) is ignored."""
        year = params.get("year", "").strip()
        return cls(payer=params.get("payer", "").strip()[:40],
                   year=int(year) if year.isdigit() and 0 < int(year) < 10_000 else None)


def grants_paid_by(grants: QuerySet, payer: str) -> QuerySet:
    if not payer:
        return grants
    if payer == CITY:
        return grants.filter(payer_region__isnull=True)
    return grants.filter(payer_region__code=payer)


def _money(value: Decimal) -> Decimal:
    return to_yuan(value)


def _person(user) -> str:
    return (user.full_name or user.get_username()) if user else ""


def tranches_scheduled(grants: QuerySet, filters: ExportFilters) -> QuerySet:
    """The live tranches of `grants`, each with `paid` (payments less reversals)."""
    tranches = Tranche.objects.filter(
        grant__in=grants_paid_by(grants, filters.payer), withheld_at__isnull=True,
    )
    if filters.year is not None:
        tranches = tranches.filter(due_date__year=filters.year)
    return tranches.select_related(
        "grant__application", "grant__institution", "grant__category", "grant__payer_region",
    ).annotate(paid=tranche_paid_sum()).order_by("due_date", "grant_id", "seq")


def payable_now(tranche: Tranche, today: date) -> Decimal:
    """What may be paid on a tranche annotated by `tranches_scheduled` today: the rule of
    `ledger.tranche_payable_amount`, read from the annotation instead of a query per row."""
    if tranche.grant.state != GrantState.ACTIVE or not tranche_condition_holds(tranche, today):
        return ZERO
    return max(tranche.amount - tranche.paid, ZERO)


def schedule_export(grants: QuerySet, filters: ExportFilters, today: date) -> bytes:
    """One row per live tranche of `grants` matching `filters`, by due date."""
    rows = (
        (
            tranche.grant.application.title,
            tranche.grant.institution.name,
            payer_name(tranche.grant),
            tranche.grant.category.name,
            tranche.seq,
            tranche.due_date,
            str(tranche.get_condition_display()),
            _money(tranche.amount),
            _money(tranche.paid),
            _money(tranche.amount - tranche.paid),
            _("Yes") if payable_now(tranche, today) > 0 else _("No"),
        )
        for tranche in tranches_scheduled(grants, filters).iterator(chunk_size=2000)
    )
    return workbook_build(SheetSpec(SCHEDULE_SHEET, SCHEDULE_COLUMNS, rows))


def entries_listed(grants: QuerySet, filters: ExportFilters) -> QuerySet:
    entries = LedgerEntry.objects.filter(grant__in=grants_paid_by(grants, filters.payer))
    if filters.year is not None:
        entries = entries.filter(paid_on__year=filters.year)
    return entries.select_related(
        "grant__application", "grant__institution", "grant__payer_region", "recorded_by",
    ).order_by("paid_on", "pk")


def ledger_export(grants: QuerySet, filters: ExportFilters) -> bytes:
    """One row per ledger entry of `grants` matching `filters`, in date order. A reversal
    carries the negative of the payment it corrects; a recovery is positive, of its kind."""
    rows = (
        (
            entry.paid_on,
            str(entry.get_kind_display()),
            _money(entry.amount),
            entry.voucher_no,
            entry.payer_account,
            entry.grant.application.title,
            entry.grant.institution.name,
            payer_name(entry.grant),
            entry.note,
            _person(entry.recorded_by),
        )
        for entry in entries_listed(grants, filters).iterator(chunk_size=2000)
    )
    return workbook_build(SheetSpec(LEDGER_SHEET, LEDGER_COLUMNS, rows))
