"""R29 through the pages: payments on payable tranches, reversals, recoveries, the bureau's
plan; every refusal shown on the grant page with nothing written; no ledger edit in the admin."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, membership
from vetq.funding.ledger import grant_balances
from vetq.funding.models import Grant, LedgerEntry

pytestmark = pytest.mark.integration

NOT_PAYABLE = ("This tranche is not payable: its condition does not hold yet, or it is fully "
               "paid.")


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def grant(approve, regions):
    """A Liangxi brand major: 60,000 on approval (payable), 40,000 on passing acceptance."""
    return approve("brand_major", regions["liangxi"])


def pay(client, grant, seq=1, amount="60000", voucher="PZ-1", **extra):
    tranche = grant.tranches.get(seq=seq)
    data = {"amount": amount, "voucher_no": voucher, "paid_on": timezone.localdate().isoformat(),
            "payer_account": "无锡市财政局专户", **extra}
    return client.post(reverse("funding:payment_record", args=[tranche.pk]), data)


def reverse_entry(client, entry, reason="凭证号录错"):
    return client.post(reverse("funding:entry_reverse", args=[entry.pk]), {"reason": reason})


def recover(client, grant, amount, voucher="SH-1"):
    return client.post(reverse("funding:recovery_record", args=[grant.pk]), {
        "amount": amount, "reason": "验收不合格", "voucher_no": voucher,
        "on": timezone.localdate().isoformat()})


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def entries() -> list[tuple]:
    return list(LedgerEntry.objects.order_by("pk").values_list("kind", "amount", "voucher_no"))


def test_paying_a_payable_tranche(client, grant, finance_city):
    client.force_login(finance_city)
    response = pay(client, grant, amount="60,000")
    assert response.status_code == 302
    assert response["Location"] == reverse("funding:grant_detail", args=[grant.pk])
    assert flashed(response) == ["Payment of 60,000 yuan recorded on tranche 1."]
    assert entries() == [("payment", Decimal("60000.00"), "PZ-1")]
    assert grant_balances(grant)["paid"] == Decimal("60000.00")


def test_paying_a_tranche_whose_condition_does_not_hold_is_refused(client, grant, finance_city):
    client.force_login(finance_city)
    response = pay(client, grant, seq=2, amount="40000")  # acceptance not passed
    assert response.status_code == 200
    assert response.context["refusal"] == [NOT_PAYABLE]
    assert entries() == []


def test_paying_more_than_payable_is_refused(client, grant, finance_city):
    client.force_login(finance_city)
    response = pay(client, grant, amount="60000.01")
    assert response.context["refusal"] == [
        "60,000.01 yuan is more than the 60,000.00 yuan still payable on this tranche."]
    assert entries() == []


def test_paying_a_fully_paid_tranche_is_refused(client, grant, finance_city):
    client.force_login(finance_city)
    pay(client, grant, amount="60000")
    response = pay(client, grant, amount="1", voucher="PZ-2")
    assert response.context["refusal"] == [NOT_PAYABLE]
    assert len(entries()) == 1


def test_a_duplicate_voucher_is_refused(client, grant, finance_city):
    client.force_login(finance_city)
    pay(client, grant, amount="30000", voucher="PZ-7")
    response = pay(client, grant, amount="30000", voucher="PZ-7")
    assert response.context["refusal"] == ["The voucher number PZ-7 is already recorded."]
    assert entries() == [("payment", Decimal("30000.00"), "PZ-7")]


@pytest.mark.parametrize(("field", "value", "error"), [
    ("amount", "6e4", "Enter an amount in yuan, such as 100000 or 12,345.67 (at most two "
                      "decimals)."),
    ("amount", "100.005", "Enter an amount in yuan, such as 100000 or 12,345.67 (at most two "
                          "decimals)."),
    ("amount", "-5", "Enter an amount in yuan, such as 100000 or 12,345.67 (at most two "
                     "decimals)."),
    ("amount", "0", "The amount must be more than zero."),
    ("paid_on", (date.today() + timedelta(days=2)).isoformat(), "The date cannot be in the future."),
    ("voucher_no", "", "This field is required."),
])
def test_a_malformed_payment_is_shown_with_its_error(client, grant, finance_city, field, value,
                                                     error):
    client.force_login(finance_city)
    response = pay(client, grant, **{field: value})
    assert response.status_code == 200
    assert response.context["refusal"] == ["Nothing was recorded: please check the form below."]
    form = response.context["tranches"][0].pay_form
    assert form.errors == {field: [error]}
    assert entries() == []


def test_reversing_a_payment_restores_the_balance_and_keeps_the_payment(client, grant,
                                                                         finance_city):
    client.force_login(finance_city)
    pay(client, grant)
    payment = LedgerEntry.objects.get()
    before = (payment.amount, payment.voucher_no, payment.paid_on, payment.recorded_at)
    response = reverse_entry(client, payment)
    assert flashed(response) == ["Payment of 60,000 yuan recorded on tranche 1.",
                                 "The payment with voucher PZ-1 is reversed."]
    payment.refresh_from_db()
    assert (payment.amount, payment.voucher_no, payment.paid_on, payment.recorded_at) == before
    assert entries() == [("payment", Decimal("60000.00"), "PZ-1"),
                         ("reversal", Decimal("-60000.00"), "PZ-1")]
    assert grant_balances(grant)["paid"] == Decimal("0.00")
    assert pay(client, grant, voucher="PZ-2").status_code == 302  # payable again


def test_a_second_reversal_is_refused(client, grant, finance_city):
    client.force_login(finance_city)
    pay(client, grant)
    payment = LedgerEntry.objects.get()
    reverse_entry(client, payment)
    response = reverse_entry(client, payment)
    assert response.context["refusal"] == ["This payment has already been reversed."]
    assert len(entries()) == 2


def test_a_reversal_needs_a_reason(client, grant, finance_city):
    client.force_login(finance_city)
    pay(client, grant)
    response = reverse_entry(client, LedgerEntry.objects.get(), reason="")
    assert response.context["bound"]["reverse"].errors == {"reason": ["This field is required."]}
    assert len(entries()) == 1


def test_reversing_a_reversal_is_refused(client, grant, finance_city):
    client.force_login(finance_city)
    pay(client, grant)
    reverse_entry(client, LedgerEntry.objects.get())
    response = reverse_entry(client, LedgerEntry.objects.get(kind="reversal"))
    assert response.context["refusal"] == ["Only a payment can be reversed."]


def test_only_the_payer_reverses(client, grant, finance_city, bureau_user):
    client.force_login(finance_city)
    pay(client, grant)
    client.force_login(bureau_user)
    assert reverse_entry(client, LedgerEntry.objects.get()).status_code == 403
    assert len(entries()) == 1


def test_recovery_up_to_net_paid_and_no_more(client, grant, finance_city, bureau_user):
    client.force_login(finance_city)
    pay(client, grant)
    response = recover(client, grant, "50000")
    assert flashed(response) == ["Payment of 60,000 yuan recorded on tranche 1.",
                                 "Recovery of 50,000 yuan recorded."]
    client.force_login(bureau_user)
    response = recover(client, grant, "10000.01", voucher="SH-2")
    assert response.context["refusal"] == [
        "10,000.01 yuan is more than the 10,000.00 yuan paid and not yet recovered."]
    assert recover(client, grant, "10000", voucher="SH-3").status_code == 302
    assert grant_balances(grant)["net"] == Decimal("0.00")
    assert entries()[1:] == [("recovery", Decimal("50000.00"), "SH-1"),
                             ("recovery", Decimal("10000.00"), "SH-3")]


def test_school_cannot_record_a_recovery(client, grant):
    school = UserFactory()
    membership(school, "school_user", institution=grant.institution)
    client.force_login(school)
    assert recover(client, grant, "1").status_code == 403
    assert entries() == []


def plan(client, grant, rows):
    data = {"amount": [r[0] for r in rows], "due_date": [r[1] for r in rows],
            "condition": [r[2] for r in rows]}
    return client.post(reverse("funding:plan_set", args=[grant.pk]), data)


def live_plan(grant) -> list[tuple]:
    return list(grant.tranches.filter(withheld_at__isnull=True).order_by("seq")
                .values_list("amount", "due_date", "condition"))


def test_bureau_changes_a_plan_that_adds_up(client, grant, bureau_user):
    client.force_login(bureau_user)
    response = plan(client, grant, [("50000", "2021-06-30", "on_approval"),
                                    ("30,000", "2022-06-30", "midterm_passed"),
                                    ("20000", "2023-06-30", "acceptance_passed"),
                                    ("", "", "on_approval")])
    assert flashed(response) == ["The tranche plan is saved."]
    assert live_plan(grant) == [
        (Decimal("50000.00"), date(2021, 6, 30), "on_approval"),
        (Decimal("30000.00"), date(2022, 6, 30), "midterm_passed"),
        (Decimal("20000.00"), date(2023, 6, 30), "acceptance_passed"),
    ]


def test_a_plan_that_does_not_add_up_is_refused(client, grant, bureau_user):
    client.force_login(bureau_user)
    before = live_plan(grant)
    response = plan(client, grant, [("50000", "2021-06-30", "on_approval"),
                                    ("49999.99", "2022-06-30", "acceptance_passed")])
    assert response.context["refusal"] == [
        "the tranches add up to 99,999.99 yuan, not the grant's 100,000 yuan"]
    assert response.context["plan_rows"] == [
        {"amount": "50000", "due_date": "2021-06-30", "condition": "on_approval"},
        {"amount": "49999.99", "due_date": "2022-06-30", "condition": "acceptance_passed"}]
    assert live_plan(grant) == before


def test_a_malformed_plan_row_is_refused(client, grant, bureau_user):
    client.force_login(bureau_user)
    before = live_plan(grant)
    response = plan(client, grant, [("100000", "2021-13-01", "whenever")])
    assert response.context["refusal"] == [
        "Row 1, Due date: Enter a valid date.",
        "Row 1, Condition: Select a valid choice. whenever is not one of the available choices.",
    ]
    assert live_plan(grant) == before


def test_a_plan_after_a_payment_is_refused(client, grant, bureau_user, finance_city):
    client.force_login(finance_city)
    pay(client, grant)
    reverse_entry(client, LedgerEntry.objects.get())
    client.force_login(bureau_user)
    before = live_plan(grant)
    response = plan(client, grant, [("100000", "2021-06-30", "on_approval")])
    assert response.status_code == 200
    assert response.context["refusal"] == [
        "Tranches with ledger entries cannot be re-planned, even after a reversal."]
    assert live_plan(grant) == before


def test_finance_officer_cannot_change_the_plan(client, grant, finance_city):
    client.force_login(finance_city)
    before = live_plan(grant)
    response = plan(client, grant, [("100000", "2021-06-30", "on_approval")])
    assert response.status_code == 403
    assert live_plan(grant) == before


def test_payment_views_take_only_post(client, grant, finance_city):
    client.force_login(finance_city)
    tranche = grant.tranches.get(seq=1)
    assert client.get(reverse("funding:payment_record", args=[tranche.pk])).status_code == 405


def test_admin_cannot_add_change_or_delete_ledger_rows(client, grant, finance_city):
    client.force_login(finance_city)
    pay(client, grant)
    entry = LedgerEntry.objects.get()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    change = reverse("admin:funding_ledgerentry_change", args=[entry.pk])
    assert client.get(change).status_code == 200  # to read
    assert client.post(change, {"amount": "1"}).status_code == 403
    assert client.get(reverse("admin:funding_ledgerentry_add")).status_code == 403
    assert client.post(reverse("admin:funding_ledgerentry_delete", args=[entry.pk]),
                       {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:funding_grant_change", args=[grant.pk]),
                       {"commissioned": "on"}).status_code == 403
    assert client.post(reverse("admin:funding_grant_delete", args=[grant.pk]),
                       {"post": "yes"}).status_code == 403
    assert entries() == [("payment", Decimal("60000.00"), "PZ-1")]
    assert Grant.objects.get().commissioned is False


def test_the_plan_form_is_hidden_once_a_tranche_is_paid(client, grant, bureau_user,
                                                        finance_city):
    client.force_login(finance_city)
    pay(client, grant, amount="1000")
    client.force_login(bureau_user)
    response = client.get(reverse("funding:grant_detail", args=[grant.pk]))
    assert response.context["plan_locked"] is True
    assert reverse("funding:plan_set", args=[grant.pk]) not in response.content.decode()
