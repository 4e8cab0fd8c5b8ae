"""Expenditure reports (R29) and co-funding (R30): what a school spent from a grant on each
budget item of its application, the co-funding it received, and how that compares with the
budget plan of the application."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from vetq.accounts.roles import Role
from vetq.accounts.scoping import memberships
from vetq.applications.forms_spec import choice_label
from vetq.audit.services import audit_log
from vetq.core.money import to_yuan

from .budget import ZERO
from .models import Expenditure, Grant

AMOUNTS = ("spent", "school_cofunding", "partner_cofunding")
NOTE_MAX = 2000
AMOUNT_LIMIT = Decimal(10) ** 13  # what a MoneyField holds
DEFAULT_TOLERANCE = Decimal("0.10")


class ExpenditureRefused(Exception):
    """A report the rules do not allow; `messages` say why. Nothing was written."""

    def __init__(self, messages: list[str]):
        self.messages = [str(m) for m in messages]
        super().__init__(" ".join(self.messages))


def construction_years(grant: Grant) -> range:
    """The years a school reports on: the grant's year through its construction period."""
    return range(grant.year, grant.year + (grant.construction_years or 1))


def reports_for(user, grant: Grant) -> bool:
    """Whether `user` is a school user of the grant's school (may report its spending)."""
    return any(m.role == Role.SCHOOL_USER and m.institution_id == grant.institution_id
               for m in memberships(user))


def budget_items(grant: Grant) -> list[dict]:
    """The budget items of the application's own form copy, in form order."""
    return list(grant.application.form.get("budget_items", []))


def _amount(value, item: str, errors: list[str]) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ZERO
    try:
        amount = to_yuan(value.strip() if isinstance(value, str) else value)
        exact = amount == Decimal(str(value).strip())
    except (TypeError, ValueError, ArithmeticError):
        amount, exact = ZERO, False
    if not exact:
        errors.append(_("%(item)s: “%(value)s” is not an amount in yuan with at most two "
                        "decimals.") % {"item": item, "value": value})
    elif amount < 0:
        errors.append(_("%(item)s: an amount cannot be negative.") % {"item": item})
    elif amount >= AMOUNT_LIMIT:
        errors.append(_("%(item)s: “%(value)s” is too large.") % {"item": item, "value": value})
    return amount


def _clean(grant: Grant, year, lines: list[dict]) -> tuple[int, list[dict]]:
    errors: list[str] = []
    years = construction_years(grant)
    if not isinstance(year, int) or year not in years:
        errors.append(_("%(year)s is outside the construction period %(first)s–%(last)s.")
                      % {"year": year, "first": years[0], "last": years[-1]})
    if not lines:
        errors.append(_("Enter the spending of at least one budget item."))
    names = {item["code"]: choice_label(item) for item in budget_items(grant)}
    clean, seen = [], set()
    for line in lines:
        code = str(line.get("item", ""))
        if code not in names:
            errors.append(_("“%(item)s” is not a budget item of this application.")
                          % {"item": code})
            continue
        if code in seen:
            errors.append(_("%(item)s is reported twice.") % {"item": names[code]})
            continue
        seen.add(code)
        note = str(line.get("note") or "").strip()
        if len(note) > NOTE_MAX:
            errors.append(_("%(item)s: the note is longer than %(count)d characters.")
                          % {"item": names[code], "count": NOTE_MAX})
        amounts = {part: _amount(line.get(part), names[code], errors) for part in AMOUNTS}
        clean.append({"item": code, **amounts, "note": note})
    if errors:
        raise ExpenditureRefused(errors)
    return year, clean


def _snapshot(row: Expenditure) -> dict:
    return {**{part: str(getattr(row, part)) for part in AMOUNTS}, "note": row.note}


def expenditure_report(*, grant: Grant, year: int, lines: list[dict], by) -> list[Expenditure]:
    """Write (or update) a school's report of one year's spending on a grant, per budget item.

    Each line: item (a budget item code of the application's form copy), spent,
    school_cofunding, partner_cofunding (yuan, blank for zero) and note. Rows of other items
    stay as they are. Refuses, writing nothing: anyone but a school user of the grant's
    school, an item not in the form or given twice, a negative or malformed amount, and a
    year outside the construction period.
    """
    if not reports_for(by, grant):
        raise ExpenditureRefused([_("Only the school's own users can report its spending.")])
    year, clean = _clean(grant, year, lines)
    with transaction.atomic():
        Grant.objects.select_for_update().get(pk=grant.pk)
        existing = {row.item: row for row in
                    Expenditure.objects.filter(grant=grant, year=year,
                                               item__in=[line["item"] for line in clean])}
        before, after, rows = {}, {}, []
        for line in clean:
            row = existing.get(line["item"])
            if row is None:
                row = Expenditure(grant=grant, year=year, item=line["item"])
            else:
                before[line["item"]] = _snapshot(row)
            for part in AMOUNTS:
                setattr(row, part, line[part])
            row.note = line["note"]
            row.reported_by = by
            row.save()
            after[line["item"]] = _snapshot(row)
            rows.append(row)
        audit_log(action="expenditure.report", actor=by, obj=grant,
                  before={"year": year, "items": before} if before else None,
                  after={"year": year, "items": after})
    return rows


@dataclass(frozen=True)
class ItemRow:
    item: str
    label: str
    planned: Decimal
    planned_school: Decimal
    planned_partner: Decimal
    spent: Decimal
    school_cofunding: Decimal
    partner_cofunding: Decimal
    overspent: bool

    @property
    def difference(self) -> Decimal:
        """Spent less planned: positive when over the plan."""
        return self.spent - self.planned


@dataclass(frozen=True)
class PlanVsActual:
    rows: list[ItemRow]
    total: ItemRow
    tolerance: Decimal

    @property
    def tolerance_percent(self) -> str:
        return percent_text(self.tolerance)

    @property
    def cofunding_promised(self) -> Decimal:
        return self.total.planned_school + self.total.planned_partner

    @property
    def cofunding_received(self) -> Decimal:
        return self.total.school_cofunding + self.total.partner_cofunding

    @property
    def cofunding_difference(self) -> Decimal:
        """Received less promised: negative while co-funding is still short (R30)."""
        return self.cofunding_received - self.cofunding_promised

    @property
    def flagged(self) -> list[ItemRow]:
        return [row for row in self.rows if row.overspent]


def percent_text(share: Decimal) -> str:
    """A share as a percentage people write: 0.10 → "10", 0.125 → "12.5"."""
    text = f"{share * 100:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def overspend_tolerance(grant: Grant) -> Decimal:
    value = grant.program.policy.get("funding", {}).get("overspend_tolerance")
    return DEFAULT_TOLERANCE if value is None else Decimal(str(value))


def _plan_amount(line: dict, part: str) -> Decimal:
    try:
        return to_yuan(line.get(part) or 0)
    except (TypeError, ValueError):
        return ZERO


def plan_vs_actual(grant: Grant) -> PlanVsActual:
    """Per budget item: the plan of the application, the totals reported over all years, and
    whether spending passes the plan by more than the policy's tolerance (R29), which flags
    any spending on an item planned at zero. The total row also carries the co-funding
    promised and received (R30). Reads the grant's application and program and one query."""
    tolerance = overspend_tolerance(grant)
    plan = {line.get("item"): line for line in grant.application.budget or []}
    actual = {row["item"]: row for row in Expenditure.objects.filter(grant=grant)
              .values("item").annotate(**{part: Sum(part) for part in AMOUNTS}).order_by()}
    labels = {item["code"]: choice_label(item) for item in budget_items(grant)}
    codes = list(labels) + [c for c in [*plan, *actual] if c not in labels]
    rows = []
    for code in dict.fromkeys(codes):
        line, done = plan.get(code, {}), actual.get(code, {})
        planned = _plan_amount(line, "amount")
        spent = done.get("spent") or ZERO
        rows.append(ItemRow(
            item=code, label=labels.get(code, code), planned=planned,
            planned_school=_plan_amount(line, "school"),
            planned_partner=_plan_amount(line, "partner"), spent=spent,
            school_cofunding=done.get("school_cofunding") or ZERO,
            partner_cofunding=done.get("partner_cofunding") or ZERO,
            overspent=spent > planned * (1 + tolerance),
        ))
    total = ItemRow(
        item="", label=_("Total"),
        **{field: sum((getattr(r, field) for r in rows), ZERO)
           for field in ("planned", "planned_school", "planned_partner", *AMOUNTS)},
        overspent=False,
    )
    return PlanVsActual(rows=rows, total=total, tolerance=tolerance)
