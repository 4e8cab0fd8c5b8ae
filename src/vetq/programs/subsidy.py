"""Subsidy arithmetic (补助标准) as pure functions: no Django, no database.

A rule is one of four kinds, each read from the policy file:

- ``fixed``: one amount per project (R1–R6, R9–R11, R13);
- ``range``: the amount is set when the project is determined, within bounds (R7, R15);
- ``per_year_plus_bonus``: an amount per construction year plus a one-off bonus when the
  acceptance rating qualifies (R18);
- ``total_in_tranches``: one total paid in tranches that must add up to it exactly (R12).

Amounts are Decimal yuan to the fen; floats are refused, and so are fractions of a fen, which
would otherwise be rounded into or out of a rule's bounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation

# Marks message ids for the catalogue; needs no settings and no database.
from django.utils.translation import gettext_noop as N_

CENT = Decimal("0.01")
RATINGS = ("fail", "pass", "excellent")  # acceptance ratings (R31), lowest first


class SubsidyError(ValueError):
    """An amount or split that the rule does not allow; the message says why.

    The message is an English message id with %(name)s parameters, so a page can show it in
    the reader's language (`translated`) while this module stays free of Django settings.
    """

    def __init__(self, message: str, **params: str):
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)

    def translated(self) -> str:
        from django.utils.translation import gettext

        text = gettext(self.message)
        return text % self.params if self.params else text


def _yuan(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float | bool):
        raise TypeError(f"money must not be a {type(value).__name__}")
    try:
        amount = Decimal(value)
        if not amount.is_finite():
            raise ValueError
        exact = amount.quantize(CENT)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise SubsidyError(f"not an amount of yuan: {value!r}") from exc
    if exact != amount:
        raise SubsidyError(f"{value} yuan is not a whole number of fen")
    return exact


def _fmt(value: Decimal) -> str:
    text = f"{value:,.2f}"
    return text[:-3] if text.endswith(".00") else text


@dataclass(frozen=True)
class FixedRule:
    amount: Decimal
    kind: str = "fixed"

    def municipal_amount(self, **_: object) -> Decimal:
        return _yuan(self.amount)


@dataclass(frozen=True)
class RangeRule:
    minimum: Decimal
    maximum: Decimal
    kind: str = "range"

    def municipal_amount(self, *, amount: Decimal | int | str | None = None, **_: object) -> Decimal:
        if amount is None:
            raise SubsidyError(
                N_("this subsidy is set at determination: give an amount between %(low)s and "
                   "%(high)s yuan"),
                low=_fmt(self.minimum), high=_fmt(self.maximum),
            )
        value = _yuan(amount)
        if not (self.minimum <= value <= self.maximum):
            raise SubsidyError(
                N_("%(amount)s yuan is outside the allowed range %(low)s–%(high)s yuan"),
                amount=_fmt(value), low=_fmt(self.minimum), high=_fmt(self.maximum),
            )
        return value


@dataclass(frozen=True)
class PerYearPlusBonusRule:
    per_year: Decimal
    bonus: Decimal
    bonus_if: str = "excellent"
    kind: str = "per_year_plus_bonus"

    def base_amount(self, *, years: int) -> Decimal:
        if years < 1:
            raise SubsidyError("the construction period must be at least one year")
        return _yuan(self.per_year) * years

    def earns_bonus(self, rating: str | None) -> bool:
        """A rating earns the bonus if it is at least ``bonus_if``: excellent beats pass."""
        if rating not in RATINGS:
            return False
        return RATINGS.index(rating) >= RATINGS.index(self.bonus_if)

    def municipal_amount(self, *, years: int, rating: str | None = None, **_: object) -> Decimal:
        """Per-year amount times the construction years, plus the bonus if the rating earns it."""
        total = self.base_amount(years=years)
        if self.earns_bonus(rating):
            total += _yuan(self.bonus)
        return total


@dataclass(frozen=True)
class TotalInTranchesRule:
    total: Decimal
    tranches: int = 1
    kind: str = "total_in_tranches"

    def municipal_amount(self, **_: object) -> Decimal:
        return _yuan(self.total)

    def default_split(self, parts: int | None = None) -> list[Decimal]:
        return split_evenly(self.total, self.tranches if parts is None else parts)

    def check_split(self, amounts: Sequence[Decimal | int | str]) -> list[Decimal]:
        return check_split_adds_up(amounts, self.total)


Rule = FixedRule | RangeRule | PerYearPlusBonusRule | TotalInTranchesRule


def rule_from_mapping(data: dict) -> Rule:
    """Build a rule from the policy file's subsidy table (already schema-validated)."""
    kind = data["kind"]
    if kind == "fixed":
        return FixedRule(amount=_yuan(data["amount_yuan"]))
    if kind == "range":
        return RangeRule(minimum=_yuan(data["min_yuan"]), maximum=_yuan(data["max_yuan"]))
    if kind == "per_year_plus_bonus":
        return PerYearPlusBonusRule(
            per_year=_yuan(data["per_year_yuan"]),
            bonus=_yuan(data["bonus_yuan"]),
            bonus_if=data.get("bonus_if", "excellent"),
        )
    if kind == "total_in_tranches":
        return TotalInTranchesRule(total=_yuan(data["total_yuan"]), tranches=int(data["tranches"]))
    raise SubsidyError(f"unknown subsidy kind {kind!r}")


def split_evenly(total: Decimal | int | str, parts: int) -> list[Decimal]:
    """Split a total into `parts` positive amounts to the fen; the last part takes the remainder.

    Refuses a total too small to give every part at least one fen.
    """
    if parts < 1:
        raise SubsidyError("a plan needs at least one tranche")
    total = _yuan(total)
    if total < CENT * parts:
        raise SubsidyError(f"{_fmt(total)} yuan cannot be split into {parts} positive tranches")
    share = (total / parts).quantize(CENT, rounding=ROUND_DOWN)
    amounts = [share] * (parts - 1)
    amounts.append(total - share * (parts - 1))
    return amounts


def check_split_adds_up(amounts: Sequence[Decimal | int | str], total: Decimal | int | str) -> list[Decimal]:
    """Refuse a tranche split that does not add up to the total exactly, or has a non-positive part."""
    values = [_yuan(a) for a in amounts]
    if not values:
        raise SubsidyError(N_("a plan needs at least one tranche"))
    if any(v <= 0 for v in values):
        raise SubsidyError(N_("every tranche must be a positive amount"))
    expected = _yuan(total)
    actual = sum(values, Decimal(0))
    if actual != expected:
        raise SubsidyError(
            N_("the tranches add up to %(actual)s yuan, not the grant's %(expected)s yuan"),
            actual=_fmt(actual), expected=_fmt(expected),
        )
    return values


def check_county_rate(*, municipal: Decimal | int | str, proposed: Decimal | int | str) -> Decimal:
    """R28: a county-level city pays no less than the municipal rate."""
    municipal_value, proposed_value = _yuan(municipal), _yuan(proposed)
    if proposed_value < municipal_value:
        raise SubsidyError(
            N_("%(proposed)s yuan is below the municipal rate of %(municipal)s yuan; a "
               "county-level city may not pay less (R28)"),
            proposed=_fmt(proposed_value), municipal=_fmt(municipal_value),
        )
    return proposed_value


CITY = "city"


def payer_for(
    *,
    region_code: str,
    self_funded_regions: Sequence[str],
    commissioned: bool,
    commissioned_paid_by_city: bool = True,
) -> str:
    """R28: who pays a project's subsidy — ``"city"`` or the code of a self-funded region."""
    if region_code in self_funded_regions and not (commissioned and commissioned_paid_by_city):
        return region_code
    return CITY


def municipal_share(*, payer: str, amount: Decimal | int | str) -> Decimal:
    """R27/R28: what a grant takes from the municipal budget — all of it if the city pays, else nothing."""
    return _yuan(amount) if payer == CITY else Decimal("0.00")


def target_allows(*, approved_so_far: int, target: int | None, adding: int = 1) -> bool:
    """A category's target caps approvals over the whole program period; None means no cap."""
    return target is None or approved_so_far + adding <= target
