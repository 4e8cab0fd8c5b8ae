"""The payment ledger (R29): payments against payable tranches, reversals of mistakes, and
recoveries (收回). Append-only; every balance is a sum of entries."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vetq.audit.services import audit_log
from vetq.core.money import to_yuan

from .budget import ZERO, _sum
from .models import EntryKind, Grant, GrantState, LedgerEntry, Tranche, TrancheCondition


class LedgerRefused(Exception):
    """A ledger entry the rules do not allow; the message says why. Nothing was written."""


def tranche_paid(tranche: Tranche) -> Decimal:
    """Net money paid on a tranche: payments less their reversals."""
    return _sum(LedgerEntry.objects.filter(
        tranche=tranche, kind__in=[EntryKind.PAYMENT, EntryKind.REVERSAL]))


def tranche_condition_holds(tranche: Tranche, today: date) -> bool:
    """On approval and the rating conditions hold once recorded; a construction year's
    tranche holds from its due date."""
    if not tranche.live:
        return False
    if tranche.condition == TrancheCondition.CONSTRUCTION_YEAR:
        return tranche.due_date <= today
    return tranche.condition_met_at is not None


def tranche_payable_amount(tranche: Tranche, today: date) -> Decimal:
    """What may still be paid on a tranche today (zero unless its condition holds)."""
    if tranche.grant.state != GrantState.ACTIVE or not tranche_condition_holds(tranche, today):
        return ZERO
    return max(tranche.amount - tranche_paid(tranche), ZERO)


def grant_balances(grant: Grant) -> dict[str, Decimal]:
    entries = LedgerEntry.objects.filter(grant=grant)
    paid = _sum(entries.filter(kind__in=[EntryKind.PAYMENT, EntryKind.REVERSAL]))
    recovered = _sum(entries.filter(kind=EntryKind.RECOVERY))
    promised = _sum(grant.tranches.filter(withheld_at__isnull=True))
    return {"promised": promised, "paid": paid, "recovered": recovered,
            "unpaid": promised - paid, "net": paid - recovered}


def _amount(value) -> Decimal:
    try:
        amount = to_yuan(value)
    except (TypeError, ValueError) as exc:
        raise LedgerRefused(_("“%(value)s” is not an amount.") % {"value": value}) from exc
    if amount != Decimal(str(value)).quantize(Decimal("0.01")) or amount <= 0:
        raise LedgerRefused(_("Enter a positive amount in yuan with at most two decimals."))
    return amount


def _entry_snapshot(entry: LedgerEntry) -> dict:
    return {"kind": entry.kind, "amount": str(entry.amount), "voucher": entry.voucher_no,
            "date": entry.paid_on.isoformat(), "tranche": entry.tranche_id,
            "reverses": entry.reverses_id}


def payment_record(*, tranche: Tranche, amount, voucher_no: str, paid_on: date,
                   payer_account: str, by, today: date | None = None) -> LedgerEntry:
    """Record money paid on a payable tranche. Refuses a tranche whose condition does not hold,
    an amount larger than what is still payable, and a voucher number already used."""
    today = today or timezone.localdate()
    amount = _amount(amount)
    if not voucher_no.strip():
        raise LedgerRefused(_("Enter the voucher number."))
    with transaction.atomic():
        Grant.objects.select_for_update().get(pk=tranche.grant_id)
        tranche = Tranche.objects.select_related("grant").get(pk=tranche.pk)
        payable = tranche_payable_amount(tranche, today)
        if payable == 0:
            raise LedgerRefused(_("This tranche is not payable: its condition does not hold yet, "
                                  "or it is fully paid."))
        if amount > payable:
            raise LedgerRefused(_("%(amount)s yuan is more than the %(payable)s yuan still "
                                  "payable on this tranche.")
                                % {"amount": f"{amount:,.2f}", "payable": f"{payable:,.2f}"})
        if LedgerEntry.objects.filter(grant__program=tranche.grant.program_id,
                                      voucher_no=voucher_no.strip(),
                                      kind=EntryKind.PAYMENT).exists():
            raise LedgerRefused(_("The voucher number %(voucher)s is already recorded.")
                                % {"voucher": voucher_no.strip()})
        entry = LedgerEntry.objects.create(
            grant=tranche.grant, tranche=tranche, kind=EntryKind.PAYMENT, amount=amount,
            voucher_no=voucher_no.strip(), paid_on=paid_on, payer_account=payer_account.strip(),
            recorded_by=by,
        )
        audit_log(action="ledger.payment", actor=by, obj=tranche.grant,
                  after=_entry_snapshot(entry))
    return entry


def entry_reverse(*, entry: LedgerEntry, reason: str, by, on: date | None = None) -> LedgerEntry:
    """Correct a payment by a reversing entry of the opposite amount; the payment stays.
    Refuses a reversal of anything but a payment, a second reversal, and no reason."""
    if not reason.strip():
        raise LedgerRefused(_("Please give a reason."))
    with transaction.atomic():
        Grant.objects.select_for_update().get(pk=entry.grant_id)
        entry = LedgerEntry.objects.get(pk=entry.pk)
        if entry.kind != EntryKind.PAYMENT:
            raise LedgerRefused(_("Only a payment can be reversed."))
        if LedgerEntry.objects.filter(reverses=entry).exists():
            raise LedgerRefused(_("This payment has already been reversed."))
        balances = grant_balances(entry.grant)
        if balances["paid"] - entry.amount < balances["recovered"]:
            raise LedgerRefused(_("Reversing this payment would leave more recovered than paid; "
                                  "correct the recovery first."))
        reversal = LedgerEntry.objects.create(
            grant_id=entry.grant_id, tranche_id=entry.tranche_id, kind=EntryKind.REVERSAL,
            amount=-entry.amount, voucher_no=entry.voucher_no, paid_on=on or timezone.localdate(),
            payer_account=entry.payer_account, reverses=entry, note=reason.strip(),
            recorded_by=by,
        )
        audit_log(action="ledger.reversal", actor=by, obj=entry.grant,
                  after={**_entry_snapshot(reversal), "reason": reason.strip()})
    return reversal


def recovery_record(*, grant: Grant, amount, reason: str, voucher_no: str, on: date,
                    by) -> LedgerEntry:
    """Record money taken back from a school (a failed acceptance, a withdrawal). Refuses an
    amount larger than the net money paid and not yet recovered, and no reason."""
    amount = _amount(amount)
    if not reason.strip():
        raise LedgerRefused(_("Please give a reason."))
    with transaction.atomic():
        locked = Grant.objects.select_for_update().get(pk=grant.pk)
        balances = grant_balances(locked)
        if amount > balances["net"]:
            raise LedgerRefused(_("%(amount)s yuan is more than the %(net)s yuan paid and not yet "
                                  "recovered.")
                                % {"amount": f"{amount:,.2f}", "net": f"{balances['net']:,.2f}"})
        entry = LedgerEntry.objects.create(
            grant=locked, kind=EntryKind.RECOVERY, amount=amount, voucher_no=voucher_no.strip(),
            paid_on=on, note=reason.strip(), recorded_by=by,
        )
        audit_log(action="ledger.recovery", actor=by, obj=locked,
                  after={**_entry_snapshot(entry), "reason": reason.strip()})
    return entry


def tranche_conditions_met(*, grant: Grant, condition: str, by) -> int:
    """Record that a condition now holds for a grant (the mid-term check passed, acceptance
    passed, an excellent rating): its tranches with that condition become payable."""
    with transaction.atomic():
        updated = Tranche.objects.filter(
            grant=grant, condition=condition, condition_met_at__isnull=True,
            withheld_at__isnull=True,
        ).update(condition_met_at=timezone.now())
        if updated:
            audit_log(action="grant.condition", actor=by, obj=grant,
                      after={"condition": condition, "tranches": updated})
    return updated


def tranches_withhold(*, grant: Grant, reason: str, by, conditions: list[str] | None = None) -> int:
    """Withhold a grant's unpaid tranches (all, or those with the given conditions): after a
    failed acceptance, or the bonus when a studio is rated pass. Releases the commitment."""
    with transaction.atomic():
        locked = Grant.objects.select_for_update().get(pk=grant.pk)
        tranches = locked.tranches.filter(withheld_at__isnull=True)
        if conditions:
            tranches = tranches.filter(condition__in=conditions)
        withheld = [t for t in tranches if tranche_paid(t) == 0]
        now = timezone.now()
        for tranche in withheld:
            tranche.withheld_at = now
            tranche.withheld_reason = reason
            tranche.save(update_fields=["withheld_at", "withheld_reason"])
        if withheld:
            audit_log(action="grant.withhold", actor=by, obj=locked,
                      after={"tranches": [t.seq for t in withheld], "reason": reason})
    return len(withheld)
