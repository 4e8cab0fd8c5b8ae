"""Reads for the budget dashboards and the forecast (R27, R28), and the yearly allocations.

Every figure is a handful of grouped sums over tranches and the ledger, the same
definitions as budget.py: promised = live tranches, committed = promised less recoveries,
paid = payments less reversals. The municipal figures count only the grants the city pays;
county-paid grants are tracked against their own payer (R28), never against the 1亿.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vetq.accounts.roles import Role
from vetq.accounts.scoping import memberships
from vetq.audit.services import audit_log
from vetq.core.money import format_money, to_yuan
from vetq.institutions.models import Institution
from vetq.programs.models import CallCategory, Program

from . import budget, forecast
from .budget import MONEY, ZERO
from .models import BudgetAllocation, EntryKind, Grant, GrantState, LedgerEntry, Tranche, TrancheCondition
from .queries import tranche_paid_sum

PAID_KINDS = [EntryKind.PAYMENT, EntryKind.REVERSAL]
COUNTING_STATES = [state for state in GrantState.values if state != GrantState.WITHDRAWN]


@dataclass(frozen=True)
class Row:
    """Money of a group of grants: one year, category, region, payer or school."""

    key: object
    label: str
    grants: int = 0
    promised: Decimal = ZERO
    paid: Decimal = ZERO
    recovered: Decimal = ZERO
    budget: Decimal | None = None  # the program budget, or a year's allocation
    note: str = ""  # a school's region

    @property
    def committed(self) -> Decimal:
        return self.promised - self.recovered

    @property
    def free(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.committed

    @property
    def unpaid(self) -> Decimal:
        return self.promised - self.paid

    @property
    def net_paid(self) -> Decimal:
        return self.paid - self.recovered


@dataclass(frozen=True)
class DashboardScope:
    """What a user's dashboard covers: the whole program, or only the grants of the
    county-level cities whose finance officer it is (R28)."""

    whole: bool
    payers: tuple = ()

    def grants(self, program: Program) -> QuerySet:
        grants = Grant.objects.filter(program=program)
        return grants if self.whole else grants.filter(payer_region__in=self.payers)


def dashboard_scope(user) -> DashboardScope:
    """The bureau, department viewers and the city's finance officers see the whole program;
    a county-level city's finance officer sees its own payer's grants only."""
    county = []
    for membership in memberships(user):
        if membership.role in (Role.BUREAU_ADMIN, Role.DEPARTMENT_VIEWER) or (
                membership.role == Role.FINANCE_OFFICER and membership.region_id is None):
            return DashboardScope(whole=True)
        if membership.role == Role.FINANCE_OFFICER:
            county.append(membership.region)
    return DashboardScope(whole=False, payers=tuple(county))


def _sums(grants: QuerySet, key: str, *labels: str) -> dict:
    """Grant count and money per value of `key` (a Grant field path), in three queries.
    Each value maps to {"grants", "promised", "paid", "recovered", *labels}."""
    result: dict = {}
    for row in grants.order_by().values(key, *labels).annotate(n=Count("id")):
        result[row[key]] = {"grants": row["n"], **{name: row[name] for name in labels}}
    tranches = (Tranche.objects.filter(grant__in=grants, withheld_at__isnull=True).order_by()
                .values(k=F(f"grant__{key}")).annotate(total=Sum("amount")))
    for row in tranches:
        result[row["k"]]["promised"] = row["total"]
    ledger = (LedgerEntry.objects.filter(grant__in=grants).order_by().values(k=F(f"grant__{key}"))
              .annotate(paid=Sum("amount", filter=Q(kind__in=PAID_KINDS)),
                        recovered=Sum("amount", filter=Q(kind=EntryKind.RECOVERY))))
    for row in ledger:
        result[row["k"]]["paid"] = row["paid"] or ZERO
        result[row["k"]]["recovered"] = row["recovered"] or ZERO
    return result


def _row(key, label: str, sums: dict, allocation: Decimal | None = None, note: str = "") -> Row:
    data = sums.get(key, {})
    return Row(key, label, data.get("grants", 0), data.get("promised", ZERO),
               data.get("paid", ZERO), data.get("recovered", ZERO), allocation, note)


def by_year(program: Program, grants: QuerySet) -> list[Row]:
    """Per year of approval: every year of the period (with its allocation, where one is set)
    and any other year that has grants."""
    sums = _sums(grants, "year")
    allocations = dict(BudgetAllocation.objects.filter(program=program).values_list("year", "amount"))
    years = sorted(set(program.years) | set(sums))
    return [_row(year, str(year), sums, allocations.get(year)) for year in years]


def by_category(grants: QuerySet) -> list[Row]:
    sums = _sums(grants, "category_id", "category__name", "category__order")
    keys = sorted(sums, key=lambda k: (sums[k]["category__order"], sums[k]["category__name"]))
    return [_row(k, sums[k]["category__name"], sums) for k in keys]


def by_region(grants: QuerySet) -> list[Row]:
    """Per region of the school (a commissioned project in a county-level city included)."""
    sums = _sums(grants, "institution__region_id", "institution__region__name",
                 "institution__region__order")
    keys = sorted(sums, key=lambda k: (sums[k]["institution__region__order"],
                                       sums[k]["institution__region__name"]))
    return [_row(k, sums[k]["institution__region__name"], sums) for k in keys]


def by_payer(program: Program, grants: QuerySet) -> list[Row]:
    """The city first, then each self-funded region (shown even before its first grant)."""
    sums = _sums(grants, "payer_region_id", "payer_region__name", "payer_region__order")
    for region in program.self_funded_regions.all():
        sums.setdefault(region.pk, {"payer_region__name": region.name,
                                    "payer_region__order": region.order})
    counties = sorted((k for k in sums if k is not None),
                      key=lambda k: (sums[k]["payer_region__order"], sums[k]["payer_region__name"]))
    return [_row(None, _("the city"), sums)] + [_row(k, sums[k]["payer_region__name"], sums)
                                                for k in counties]


def by_school(grants: QuerySet) -> list[Row]:
    """Each school's grants: how many, promised and paid (payments less reversals)."""
    sums = _sums(grants, "institution_id", "institution__name", "institution__region__name")
    keys = sorted(sums, key=lambda k: sums[k]["institution__name"])
    return [_row(k, sums[k]["institution__name"], sums, note=sums[k]["institution__region__name"])
            for k in keys]


def headline(program: Program, scope: DashboardScope) -> Row:
    """The whole program: the municipal budget (R27). A county: its own payer's money."""
    if scope.whole:
        figures = budget.budget_figures(program)
        return Row(None, "", promised=figures.committed + figures.recovered, paid=figures.paid,
                   recovered=figures.recovered, budget=figures.budget)
    grants = scope.grants(program)
    taken_back = budget.recovered(grants)
    return Row(None, "", promised=budget.committed(grants) + taken_back,
               paid=budget.paid(grants), recovered=taken_back)


def tranches_due(grants: QuerySet, today: date) -> QuerySet:
    """Tranches payable today and not fully paid, each with `outstanding`: the rule of
    ledger.tranche_payable_amount, as one query."""
    holds = (Q(condition=TrancheCondition.CONSTRUCTION_YEAR, due_date__lte=today)
             | (~Q(condition=TrancheCondition.CONSTRUCTION_YEAR) & Q(condition_met_at__isnull=False)))
    return (Tranche.objects.filter(grant__in=grants, grant__state=GrantState.ACTIVE,
                                   withheld_at__isnull=True).filter(holds)
            .annotate(paid_so_far=tranche_paid_sum())
            .annotate(outstanding=ExpressionWrapper(F("amount") - F("paid_so_far"),
                                                    output_field=MONEY))
            # Half a fen, not zero: SQLite sums decimals as floats.
            .filter(outstanding__gt=Decimal("0.005"))
            .select_related("grant__application", "grant__institution", "grant__payer_region")
            .order_by("due_date", "grant_id", "seq"))


def tranches_overdue(grants: QuerySet, today: date) -> QuerySet:
    """Payable tranches whose due date has passed and that are still not fully paid."""
    return tranches_due(grants, today).filter(due_date__lt=today)


def forecast_year(program: Program, today: date | None = None) -> int:
    """This year, within the program period (its last year once the period is over)."""
    year = (today or timezone.localdate()).year
    return min(max(year, program.period_start), program.period_end)


def forecast_inputs(program: Program, *, year: int) -> list[forecast.CategoryInput]:
    """Each active category's target, approvals, quotas left and municipal amount."""
    approved = budget.grants_by_category(program)
    quotas = (CallCategory.objects.filter(call__program=program).order_by()
              .values("category_id", "call__year", "quota")
              .annotate(used=Count("applications__grant",
                                   filter=Q(applications__grant__state__in=COUNTING_STATES))))
    quota_left: dict[int, int] = {}
    latest: dict[int, tuple[int, int]] = {}
    called_years = set()
    for row in quotas:
        category, call_year = row["category_id"], row["call__year"]
        called_years.add(call_year)
        if call_year >= year:
            quota_left[category] = quota_left.get(category, 0) + max(row["quota"] - row["used"], 0)
        if category not in latest or latest[category][0] < call_year:
            latest[category] = (call_year, row["quota"])
    uncalled = sum(1 for y in range(year, program.period_end + 1) if y not in called_years)
    inputs = []
    for category in (program.categories.filter(active=True).prefetch_related("subsidy_rules")
                     .order_by("order", "code")):
        rule = category.current_rule
        if rule is None:
            continue
        inputs.append(forecast.CategoryInput(
            code=category.code, name=category.name, target=category.target,
            approved=approved.get(category.pk, 0),
            amount=forecast.unit_amount(rule.rule, years=category.construction_years),
            quota_left=quota_left.get(category.pk, 0),
            yearly_quota=latest[category.pk][1] if category.pk in latest else None,
            years_without_call=uncalled,
        ))
    return inputs


def county_share(program: Program) -> Decimal:
    """Grants paid by county-level cities ÷ all grants so far (withdrawn ones left out);
    before the first grant, the share of active schools in the self-funded regions."""
    counts = Grant.objects.filter(program=program, state__in=COUNTING_STATES).aggregate(
        all=Count("id"), county=Count("id", filter=Q(payer_region__isnull=False)))
    schools = {"all": 0, "county": 0}
    if not counts["all"]:
        schools = Institution.objects.filter(active=True).aggregate(
            all=Count("id"),
            county=Count("id", filter=Q(region__in=program.self_funded_regions.all())))
    return forecast.county_share_so_far(
        county_grants=counts["county"], all_grants=counts["all"],
        county_schools=schools["county"], all_schools=schools["all"])


def program_forecast(program: Program, *, share: Decimal | None = None,
                     today: date | None = None) -> forecast.Forecast:
    """The forecast of the program from today, with the share so far unless one is given."""
    share = county_share(program) if share is None else share
    return forecast.forecast(forecast_inputs(program, year=forecast_year(program, today)),
                             free=budget.budget_figures(program).free, county_share=share)


def _money(value: Decimal) -> str:
    return format_money(value, get_language() or "zh-hans")


class AllocationRefused(Exception):
    """Allocations the budget does not allow; the message says why. Nothing changed."""


def allocations_set(*, program: Program, amounts: dict[int, Decimal | None], by) -> None:
    """Set the yearly allocations of the program budget (R27); None removes a year's.

    Refuses a year outside the period, allocations adding up to more than the program
    budget, and an allocation below what approvals of that year already commit. Runs under
    the program's row lock, the lock approvals take, and is audited.
    """
    with transaction.atomic():
        locked = Program.objects.select_for_update().get(pk=program.pk)
        outside = sorted(set(amounts) - set(locked.years))
        if outside:
            raise AllocationRefused(_("%(year)s is not a year of the program.") % {"year": outside[0]})
        wanted = {year: to_yuan(amount) for year, amount in amounts.items() if amount is not None}
        total = sum(wanted.values(), ZERO)
        if total > locked.budget_yuan:
            raise AllocationRefused(
                _("The allocations add up to %(total)s, %(over)s more than the program budget "
                  "of %(budget)s.") % {"total": _money(total), "budget": _money(locked.budget_yuan),
                                       "over": _money(total - locked.budget_yuan)})
        spent = {row.key: row.committed for row in by_year(locked, budget.municipal_grants(locked))}
        for year, amount in sorted(wanted.items()):
            if amount < spent.get(year, ZERO):
                raise AllocationRefused(
                    _("The allocation for %(year)s cannot be less than the %(committed)s that "
                      "year's approvals already commit.")
                    % {"year": year, "committed": _money(spent[year])})
        current = {a.year: a.amount for a in BudgetAllocation.objects.filter(program=locked)}
        BudgetAllocation.objects.filter(program=locked).exclude(year__in=wanted).delete()
        for year, amount in wanted.items():
            BudgetAllocation.objects.update_or_create(program=locked, year=year,
                                                      defaults={"amount": amount})
        audit_log(action="budget.allocations", actor=by, obj=locked,
                  before={str(y): str(a) for y, a in sorted(current.items())},
                  after={str(y): str(a) for y, a in sorted(wanted.items())})
