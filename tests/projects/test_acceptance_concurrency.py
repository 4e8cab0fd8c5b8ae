"""R18, R31 under concurrency (PostgreSQL): a rating and a payment, or two ratings, at the same
instant. The row locks on the project and the grant make one wait: a project is rated once,
and a recovery case opens on exactly what was paid, never with a payment slipping in after."""

import threading
from decimal import Decimal
from functools import partial

import pytest
from django.db import connection

from tests.projects.acceptance_fixtures import *  # noqa: F403
from tests.projects.acceptance_fixtures import LATER, pay, tranche
from vetq.funding.ledger import LedgerRefused, grant_balances
from vetq.projects.acceptance import AcceptanceRefused, acceptance_record
from vetq.projects.models import Acceptance

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROUNDS = 20


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (SQLite serialises writers)")


def race(*actions) -> list[str]:
    """Run the actions in threads released together; each gives "ok" or its refusal's name."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []

    def run(action):
        barrier.wait()
        try:
            action()
            outcomes.append("ok")
        except (AcceptanceRefused, LedgerRefused) as refusal:
            outcomes.append(type(refusal).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_ratings_at_once_rate_the_project_once(make_project, bureau_user):
    for round_ in range(ROUNDS):
        project = make_project("master_teacher_studio")
        outcomes = race(
            partial(acceptance_record, project=project, score=95, rating="excellent",
                    by=bureau_user, today=LATER),
            partial(acceptance_record, project=project, score=30, rating="fail",
                    by=bureau_user, today=LATER),
        )
        assert outcomes == ["AcceptanceRefused", "ok"], f"round {round_}"
        rating = Acceptance.objects.get(project=project).rating
        project.refresh_from_db()
        assert project.rating == rating
        bonus = tranche(project, 4)
        if rating == "excellent":
            assert (bonus.condition_met_at is not None, bonus.withheld_at) == (True, None)
        else:
            assert (bonus.condition_met_at, bonus.withheld_at is not None) == (None, True)


def test_a_payment_racing_a_failed_rating_is_either_counted_or_refused(make_project, bureau_user,
                                                                      finance_city):
    for round_ in range(ROUNDS):
        project = make_project("master_teacher_studio")
        pay(project, 1, finance_city)
        outcomes = race(
            partial(pay, project, 2, finance_city),
            partial(acceptance_record, project=project, score=30, rating="fail",
                    by=bureau_user, today=LATER),
        )
        project.refresh_from_db()
        case = project.recovery_case
        second = tranche(project, 2)
        paid = grant_balances(project.grant)["net"]
        assert case.paid_when_opened == paid, f"round {round_}"
        if outcomes == ["ok", "ok"]:  # the payment went first
            assert (paid, second.withheld_at) == (Decimal("40000.00"), None)
        else:
            assert outcomes == ["LedgerRefused", "ok"], f"round {round_}"
            assert paid == Decimal("20000.00")
            assert second.withheld_at is not None
