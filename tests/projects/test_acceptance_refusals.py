"""R18, R31: every refusal of the acceptance services, each changing nothing."""

from datetime import date
from decimal import Decimal

import pytest

from tests.projects.acceptance_fixtures import *  # noqa: F403
from tests.projects.acceptance_fixtures import LATER, pay, school_of, tranche
from vetq.audit.models import AuditEntry
from vetq.funding.ledger import recovery_record
from vetq.funding.models import GrantState, LedgerEntry
from vetq.notices.models import Notice
from vetq.programs.models import Program
from vetq.projects.acceptance import (
    AcceptanceRefused,
    acceptance_record,
    rating_for_score,
    recovery_decide,
)
from vetq.projects.models import Acceptance, Project, ProjectEvent, ProjectState, RecoveryCase

BANDS = {"excellent_from": "90", "pass_from": "60"}


@pytest.mark.unit
@pytest.mark.parametrize(("score", "rating"), [
    ("100", "excellent"), ("90", "excellent"), ("89.99", "pass"), ("60", "pass"),
    ("59.99", "fail"), ("0", "fail"),
])
def test_rating_for_score_follows_the_bands(score, rating):
    assert rating_for_score(Decimal(score), BANDS) == rating


@pytest.mark.unit
def test_rating_for_score_takes_other_bands():
    bands = {"excellent_from": Decimal("85"), "pass_from": Decimal("70")}
    assert [rating_for_score(Decimal(s), bands) for s in ("85", "84.5", "70", "69")] == [
        "excellent", "pass", "pass", "fail"]


def snapshot(project: Project) -> dict:
    """Everything a rating or a recovery decision could change."""
    project.refresh_from_db()
    grant = project.grant
    grant.refresh_from_db()
    return {
        "project": (project.state, project.rating),
        "grant": grant.state,
        "tranches": list(grant.tranches.order_by("seq").values_list(
            "condition_met_at", "withheld_at")),
        "acceptances": Acceptance.objects.filter(project=project).count(),
        "cases": list(RecoveryCase.objects.filter(project=project).values_list(
            "state", "amount", "reason", "entry_id")),
        "events": ProjectEvent.objects.filter(project=project).count(),
        "entries": LedgerEntry.objects.filter(grant=grant).count(),
        "audit": AuditEntry.objects.count(),
        "notices": Notice.objects.count(),
    }


def refused(call, match: str, project: Project):
    before = snapshot(project)
    with pytest.raises(AcceptanceRefused, match=match):
        call()
    assert snapshot(project) == before



# --- recording a rating ---------------------------------------------------------------------

@pytest.mark.integration
@pytest.mark.parametrize("who", ["school", "finance", "region"])
def test_only_the_bureau_rates(make_project, finance_city, region_officer, who):
    project = make_project("master_teacher_studio")
    user = {"school": school_of(project, "the-school"), "finance": finance_city,
            "region": region_officer}[who]
    refused(lambda: acceptance_record(project=project, score=95, rating="excellent", by=user),
            "Only the education bureau", project)


@pytest.mark.integration
@pytest.mark.parametrize(("score", "match"), [
    ("-1", "from 0 to 100"), ("100.01", "from 0 to 100"), ("abc", "from 0 to 100"),
    ("", "from 0 to 100"), ("NaN", "from 0 to 100"), ("Infinity", "from 0 to 100"),
    ("85.555", "at most two decimals"),
])
def test_a_score_outside_0_to_100_is_refused(make_project, bureau_user, score, match):
    project = make_project()
    refused(lambda: acceptance_record(project=project, score=score, rating="pass",
                                      by=bureau_user), match, project)


@pytest.mark.integration
@pytest.mark.parametrize(("score", "rating", "expected"), [
    ("85", "excellent", "“Pass”"), ("89.99", "excellent", "“Pass”"), ("90", "pass", "“Excellent”"),
    ("59.5", "pass", "“Fail”"), ("60", "fail", "“Pass”"),
])
def test_a_rating_the_bands_do_not_give_is_refused_saying_which_they_give(
        make_project, bureau_user, score, rating, expected):
    project = make_project("master_teacher_studio")
    refused(lambda: acceptance_record(project=project, score=score, rating=rating,
                                      by=bureau_user),
            f"A score of {score.rstrip('0').rstrip('.') if '.' in score else score} gives the "
            f"rating {expected}", project)


@pytest.mark.integration
def test_the_bands_come_from_the_policy(make_project, bureau_user):
    project = make_project("master_teacher_studio")
    program = Program.objects.get(pk=project.category.program_id)
    program.policy = {**program.policy, "projects": {"excellent_from": "95", "pass_from": "70",
                                                     "extension_max_days": 366}}
    program.save(update_fields=["policy"])
    refused(lambda: acceptance_record(project=project, score=92, rating="excellent",
                                      by=bureau_user), "gives the rating “Pass”", project)
    refused(lambda: acceptance_record(project=project, score=65, rating="pass", by=bureau_user),
            "gives the rating “Fail”", project)
    acceptance_record(project=project, score=65, rating="fail", by=bureau_user)
    project.refresh_from_db()
    assert project.state == ProjectState.FAILED


@pytest.mark.integration
def test_an_unknown_rating_is_refused(make_project, bureau_user):
    project = make_project()
    refused(lambda: acceptance_record(project=project, score=95, rating="good", by=bureau_user),
            "Choose a rating", project)


@pytest.mark.integration
@pytest.mark.parametrize("first", [(95, "excellent"), (70, "pass"), (30, "fail")])
def test_a_rated_project_cannot_be_rated_again(make_project, bureau_user, first):
    project = make_project("master_teacher_studio")
    acceptance_record(project=project, score=first[0], rating=first[1], by=bureau_user)
    refused(lambda: acceptance_record(project=project, score=95, rating="excellent",
                                      by=bureau_user), "Only a project under construction", project)


@pytest.mark.integration
def test_a_rating_recorded_on_a_project_still_marked_active_is_not_repeated(make_project,
                                                                            bureau_user):
    project = make_project()
    acceptance_record(project=project, score=70, rating="pass", by=bureau_user)
    Project.objects.filter(pk=project.pk).update(state=ProjectState.ACTIVE)
    refused(lambda: acceptance_record(project=project, score=95, rating="excellent",
                                      by=bureau_user), "already been rated", project)


@pytest.mark.integration
def test_a_withdrawn_project_cannot_be_rated(make_project, bureau_user):
    project = make_project()
    Project.objects.filter(pk=project.pk).update(state=ProjectState.WITHDRAWN)
    refused(lambda: acceptance_record(project=project, score=95, rating="excellent",
                                      by=bureau_user), "this one is Withdrawn", project)


# --- deciding a recovery --------------------------------------------------------------------

@pytest.fixture
def failed(make_project, bureau_user, finance_city):
    """A brand major paid its first 60,000 and then rated fail: a recovery case is open."""
    project = make_project("brand_major")
    pay(project, 1, finance_city)
    acceptance_record(project=project, score=40, rating="fail", by=bureau_user, today=LATER)
    project.refresh_from_db()
    return project


@pytest.mark.integration
@pytest.mark.parametrize("who", ["school", "finance"])
def test_only_the_bureau_decides_a_recovery(failed, finance_city, who):
    user = school_of(failed, "the-school") if who == "school" else finance_city
    refused(lambda: recovery_decide(case=failed.recovery_case, amount="1000", reason="收回",
                                    by=user), "Only the education bureau", failed)


@pytest.mark.integration
@pytest.mark.parametrize("reason", ["", "   "])
def test_a_recovery_needs_a_reason(failed, bureau_user, reason):
    refused(lambda: recovery_decide(case=failed.recovery_case, amount="1000", reason=reason,
                                    by=bureau_user), "Please give a reason", failed)


@pytest.mark.integration
@pytest.mark.parametrize(("amount", "match"), [
    ("-1", "zero or more yuan"), ("12.345", "zero or more yuan"), ("lots", "is not an amount"),
    ("60000.01", "more than the 60,000 yuan paid"),
])
def test_a_recovery_amount_outside_0_to_paid_is_refused(failed, bureau_user, amount, match):
    refused(lambda: recovery_decide(case=failed.recovery_case, amount=amount, reason="收回",
                                    by=bureau_user), match, failed)


@pytest.mark.integration
def test_a_recovery_is_bounded_by_what_is_still_unrecovered(failed, bureau_user, finance_city):
    recovery_record(grant=failed.grant, amount="50000", reason="财政局先行收回", voucher_no="F-1",
                    on=date(2024, 1, 20), by=finance_city)
    refused(lambda: recovery_decide(case=failed.recovery_case, amount="20000", reason="收回",
                                    by=bureau_user), "more than the 10,000 yuan paid", failed)
    recovery_decide(case=failed.recovery_case, amount="10000", reason="收回余款", by=bureau_user)


@pytest.mark.integration
def test_a_recovery_is_decided_once(failed, bureau_user):
    recovery_decide(case=failed.recovery_case, amount="20000", reason="收回", by=bureau_user)
    refused(lambda: recovery_decide(case=failed.recovery_case, amount="10000", reason="再收回",
                                    by=bureau_user), "already been decided", failed)
    assert LedgerEntry.objects.filter(grant=failed.grant, kind="recovery").count() == 1


@pytest.mark.integration
def test_a_failed_grant_stays_failed_after_the_recovery(failed, bureau_user):
    recovery_decide(case=failed.recovery_case, amount="0", reason="免于收回", by=bureau_user)
    failed.grant.refresh_from_db()
    assert failed.grant.state == GrantState.FAILED
    assert tranche(failed, 2).withheld_at is not None
