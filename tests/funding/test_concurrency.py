"""R27, R29 under concurrency (PostgreSQL): two people acting at the same instant cannot
together take the budget or a tranche past its limit; the row locks make one of them wait
and then refuse."""

import threading
from decimal import Decimal
from functools import partial

import pytest
from django.db import connection

from vetq.applications.models import Application
from vetq.funding.budget import BudgetExceeded, budget_figures
from vetq.funding.grants import application_approve
from vetq.funding.ledger import LedgerRefused, payment_record, tranche_paid
from vetq.funding.models import Grant, LedgerEntry
from vetq.programs.models import Program

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BRAND_MAJOR = Decimal("100000.00")
APPROVAL_ROUNDS = 100
PAYMENT_ROUNDS = 100


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (SQLite serialises writers)")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Every application here comes with a new school user: hash their passwords cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def race(*actions) -> list[str]:
    """Run the actions in threads released together; each returns "ok" or the name of the
    refusal it met. Every thread closes its own database connection."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []

    def run(action):
        barrier.wait()
        try:
            action()
            outcomes.append("ok")
        except (BudgetExceeded, LedgerRefused) as refusal:
            outcomes.append(type(refusal).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_approvals_of_the_last_affordable_project_approve_one(in_publicity, regions,
                                                                   bureau_user, program):
    program.categories.filter(code="brand_major").update(target=None)
    for round_ in range(APPROVAL_ROUNDS):
        # Each round the budget grows by one brand major: exactly one of the two fits.
        budget = BRAND_MAJOR * (round_ + 1)
        Program.objects.filter(pk=program.pk).update(budget_yuan=budget)
        first = in_publicity("brand_major", regions["liangxi"])
        second = in_publicity("brand_major", regions["xinwu"])

        outcomes = race(*(partial(application_approve, application=a, by=bureau_user)
                          for a in (first, second)))

        assert outcomes == ["BudgetExceeded", "ok"], f"round {round_}"
        program.refresh_from_db()
        assert budget_figures(program).committed == budget
        assert Grant.objects.filter(application__in=[first, second]).count() == 1
        assert sorted(Application.objects.filter(pk__in=[first.pk, second.pk])
                      .values_list("state", flat=True)) == ["approved", "in_publicity"]
    assert Grant.objects.count() == APPROVAL_ROUNDS


def test_two_payments_that_together_exceed_a_tranche_pay_one(approve, regions, bureau_user,
                                                             finance_city, program):
    program.categories.filter(code="brand_major").update(target=None)
    for round_ in range(PAYMENT_ROUNDS):
        grant = approve("brand_major", regions["binhu"])
        tranche = grant.tranches.get(seq=1)  # 60,000 on approval
        vouchers = [f"锡财教〔2017〕{round_:03d}{n}号" for n in (1, 2)]

        outcomes = race(*(partial(payment_record, tranche=tranche, amount="40000", voucher_no=v,
                                  paid_on=grant.created_at.date(), payer_account="市财政局教育专户",
                                  by=finance_city) for v in vouchers))

        assert outcomes == ["LedgerRefused", "ok"], f"round {round_}"
        assert tranche_paid(tranche) == Decimal("40000.00")
        assert LedgerEntry.objects.filter(tranche=tranche).count() == 1
