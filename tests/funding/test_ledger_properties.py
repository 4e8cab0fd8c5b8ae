"""R29: ledger invariants under any sequence of payments, reversals and recoveries.

Each example runs a random sequence of operations through the real services against one
grant and rolls back at its end. A small model in plain Python predicts which operations the
services must refuse; after every step the balances are recomputed from the ledger rows and
compared, and the rows written earlier must be exactly as they were.
"""

from datetime import date
from decimal import ROUND_DOWN, Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vetq.funding.budget import budget_figures
from vetq.funding.ledger import (
    LedgerRefused,
    entry_reverse,
    grant_balances,
    payment_record,
    recovery_record,
    tranche_conditions_met,
    tranche_paid,
)
from vetq.funding.models import AppendOnlyError, EntryKind, LedgerEntry, Tranche

pytestmark = pytest.mark.integration

CENT = Decimal("0.01")
LATER = date(2100, 1, 1)  # every construction year's tranche is due by then
FIELDS = ("id", "grant_id", "tranche_id", "kind", "amount", "voucher_no", "paid_on",
          "payer_account", "reverses_id", "note", "recorded_by_id", "recorded_at")

# An operation: pay a share (‰, above 1000 overpays) of what a tranche still owes; reverse
# the n-th entry so far (any kind: only an unreversed payment may be); recover a share of
# the money paid and not yet recovered.
operations = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(0, 3), st.integers(1, 1100)),
        st.tuples(st.just("reverse"), st.integers(0, 30)),
        st.tuples(st.just("recover"), st.integers(1, 1100)),
    ),
    min_size=1, max_size=14,
)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The fixtures create users: hash their passwords cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def studio(approve, regions, bureau_user):
    """A municipal studio grant: 20,000 on approval, two construction years of 20,000 and the
    50,000 bonus, every condition holding."""
    grant = approve("master_teacher_studio", regions["binhu"])
    tranche_conditions_met(grant=grant, condition="excellent", by=bureau_user)
    assert [t.amount for t in grant.tranches.order_by("seq")] == [
        Decimal("20000.00"), Decimal("20000.00"), Decimal("20000.00"), Decimal("50000.00")]
    return grant


def share(amount: Decimal, permille: int) -> Decimal:
    return max((amount * permille / 1000).quantize(CENT, rounding=ROUND_DOWN), CENT)


def rows(grant) -> dict[int, tuple]:
    return {row[0]: row for row in LedgerEntry.objects.filter(grant=grant).values_list(*FIELDS)}


def check_invariants(grant, program, before: dict[int, tuple], written: bool) -> dict[int, tuple]:
    now = rows(grant)
    assert len(now) == len(before) + (1 if written else 0)
    assert {pk: now[pk] for pk in before} == before  # earlier rows byte for byte
    entries = list(LedgerEntry.objects.filter(grant=grant))
    moved = sum((e.amount for e in entries if e.kind in (EntryKind.PAYMENT, EntryKind.REVERSAL)),
                Decimal(0))
    recovered = sum((e.amount for e in entries if e.kind == EntryKind.RECOVERY), Decimal(0))
    balances = grant_balances(grant)
    assert balances["paid"] == moved
    assert balances["recovered"] == recovered
    assert balances["net"] == moved - recovered >= 0
    by_pk = {e.pk: e for e in entries}
    for reversal in (e for e in entries if e.kind == EntryKind.REVERSAL):
        payment = by_pk[reversal.reverses_id]
        assert payment.kind == EntryKind.PAYMENT
        assert payment.pk < reversal.pk
        assert (reversal.amount, reversal.tranche_id) == (-payment.amount, payment.tranche_id)
    assert all(e.reverses_id is None for e in entries if e.kind != EntryKind.REVERSAL)
    tranches = list(Tranche.objects.filter(grant=grant))
    for tranche in tranches:
        assert Decimal(0) <= tranche_paid(tranche) <= tranche.amount
    live = sum((t.amount for t in tranches if t.withheld_at is None), Decimal(0))
    assert budget_figures(program).committed == live - recovered
    return now


@settings(max_examples=75, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations)
def test_balances_are_the_sum_of_the_ledger_after_any_sequence(studio, program, finance_city, steps):
    with transaction.atomic():
        tranches = list(studio.tranches.order_by("seq"))
        owed = {t.pk: t.amount for t in tranches}  # the model: what each tranche still owes
        payments: dict[int, tuple[int, Decimal]] = {}  # unreversed payment pk → (tranche, amount)
        net = Decimal(0)
        snapshot = rows(studio)
        for number, step in enumerate(steps):
            refused = False
            try:
                if step[0] == "pay":
                    tranche = tranches[step[1]]
                    amount = share(owed[tranche.pk] or tranche.amount, step[2])
                    refused = amount > owed[tranche.pk]
                    entry = payment_record(
                        tranche=tranche, amount=amount, voucher_no=f"锡财教〔2017〕{number:04d}号",
                        paid_on=date(2017, 7, 1), payer_account="市财政局教育专户",
                        by=finance_city, today=LATER)
                    owed[tranche.pk] -= amount
                    payments[entry.pk] = (tranche.pk, amount)
                    net += amount
                elif step[0] == "reverse":
                    existing = sorted(snapshot)
                    if not existing:
                        continue
                    target = LedgerEntry.objects.get(pk=existing[step[1] % len(existing)])
                    # Refused: not an unreversed payment, or it would leave more money
                    # recovered than paid.
                    refused = target.pk not in payments or payments[target.pk][1] > net
                    entry_reverse(entry=target, reason="凭证号填错", by=finance_city,
                                  on=date(2017, 8, 1))
                    tranche_pk, amount = payments.pop(target.pk)
                    owed[tranche_pk] += amount
                    net -= amount
                else:
                    amount = share(net, step[1])
                    refused = amount > net
                    recovery_record(grant=studio, amount=amount, reason="验收未通过，收回结余资金",
                                    voucher_no=f"锡财收〔2018〕{number:04d}号", on=date(2018, 3, 1),
                                    by=finance_city)
                    net -= amount
                assert not refused, f"{step} should have been refused"
            except LedgerRefused:
                assert refused, f"{step} was refused though the model allows it"
            snapshot = check_invariants(studio, program, snapshot, written=not refused)
        transaction.set_rollback(True)


def test_orm_cannot_change_or_delete_a_ledger_entry(studio, finance_city):
    tranche = studio.tranches.get(seq=1)
    entry = payment_record(tranche=tranche, amount="20000", voucher_no="锡财教〔2017〕0001号",
                           paid_on=date(2017, 7, 1), payer_account="市财政局", by=finance_city)
    entry.amount = Decimal("1.00")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        LedgerEntry.objects.bulk_update([entry], ["amount"])
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("20000.00")
    assert grant_balances(studio)["paid"] == Decimal("20000.00")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_database_refuses_raw_update_and_delete_of_a_ledger_entry(studio, finance_city):
    tranche = studio.tranches.get(seq=1)
    entry = payment_record(tranche=tranche, amount="20000", voucher_no="锡财教〔2017〕0001号",
                           paid_on=date(2017, 7, 1), payer_account="市财政局", by=finance_city)
    with connection.cursor() as cursor:
        with pytest.raises(DatabaseError) as exc, transaction.atomic():
            cursor.execute("UPDATE funding_ledgerentry SET amount = 1 WHERE id = %s", [entry.pk])
        assert "ledger entries are append-only" in str(exc.value)
        with pytest.raises(DatabaseError) as exc, transaction.atomic():
            cursor.execute("DELETE FROM funding_ledgerentry WHERE id = %s", [entry.pk])
        assert "ledger entries are append-only" in str(exc.value)
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("20000.00")


def test_paying_exactly_what_is_left_after_a_reversal_is_accepted(studio, finance_city):
    """Found by the property test: SQLite sums decimals as floats, so 579.44 − 560.00 came
    back as 19.4400000000001 and the last 19,980.56 yuan seemed more than was payable."""
    tranche = studio.tranches.get(seq=1)
    pay = {"tranche": tranche, "paid_on": date(2017, 7, 1), "payer_account": "市财政局",
           "by": finance_city}
    first = payment_record(amount="560.00", voucher_no="锡财教〔2017〕0001号", **pay)
    payment_record(amount="19.44", voucher_no="锡财教〔2017〕0002号", **pay)
    entry_reverse(entry=first, reason="凭证号填错", by=finance_city)

    assert tranche_paid(tranche) == Decimal("19.44")
    payment_record(amount="19980.56", voucher_no="锡财教〔2017〕0003号", **pay)
    assert tranche_paid(tranche) == Decimal("20000.00")
    assert str(grant_balances(studio)["paid"]) == "20000.00"


def test_a_reversal_cannot_leave_more_recovered_than_paid(studio, finance_city):
    """Found by the property test: pay 20, recover 0.02, reverse the payment: the grant then
    shows −0.02 yuan net paid, recovered money that was never paid."""
    tranche = studio.tranches.get(seq=1)
    payment = payment_record(tranche=tranche, amount="20.00", voucher_no="锡财教〔2017〕0001号",
                             paid_on=date(2017, 7, 1), payer_account="市财政局", by=finance_city)
    recovery_record(grant=studio, amount="0.02", reason="收回结余", voucher_no="锡财收〔2018〕0001号",
                    on=date(2018, 3, 1), by=finance_city)

    with pytest.raises(LedgerRefused):
        entry_reverse(entry=payment, reason="凭证号填错", by=finance_city)
    assert grant_balances(studio)["net"] == Decimal("19.98")
