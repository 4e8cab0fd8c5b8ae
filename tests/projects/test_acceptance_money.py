"""R18, R31: each acceptance rating's consequences on the money, seen from the ledger's side
(what becomes payable, what is withheld, the balances) and from the project's."""

from datetime import date
from decimal import Decimal

import pytest

from tests.projects.acceptance_fixtures import *  # noqa: F403
from tests.projects.acceptance_fixtures import LATER, pay, school_of, tranche
from vetq.audit.models import AuditEntry
from vetq.funding.ledger import LedgerRefused, grant_balances, tranche_payable_amount
from vetq.funding.models import EntryKind, GrantState, LedgerEntry
from vetq.notices.models import Notice
from vetq.projects.acceptance import acceptance_record, recovery_decide
from vetq.projects.models import ProjectEvent, ProjectState, RecoveryCase

pytestmark = pytest.mark.integration


def payable(project, seq: int, today: date = LATER) -> Decimal:
    return tranche_payable_amount(tranche(project, seq), today)


def rate(project, by, score, rating, **kwargs):
    return acceptance_record(project=project, score=score, rating=rating, summary="建设总结",
                             self_assessment="自评优秀", by=by, today=LATER, **kwargs)


def balances(project) -> dict:
    project.grant.refresh_from_db()
    return grant_balances(project.grant)


# --- the studio (R18: 20,000 a construction year, 50,000 more on an excellent rating) --------

def test_studio_plan_is_three_years_and_a_bonus_waiting_for_the_rating(make_project):
    project = make_project("master_teacher_studio")
    assert [(t.seq, t.amount, t.condition) for t in project.grant.tranches.order_by("seq")] == [
        (1, Decimal("20000.00"), "on_approval"),
        (2, Decimal("20000.00"), "construction_year"),
        (3, Decimal("20000.00"), "construction_year"),
        (4, Decimal("50000.00"), "excellent"),
    ]
    assert payable(project, 4) == Decimal("0")


def test_studio_bonus_cannot_be_paid_before_the_rating(make_project, finance_city):
    project = make_project("master_teacher_studio")
    with pytest.raises(LedgerRefused, match="not payable"):
        pay(project, 4, finance_city)
    assert LedgerEntry.objects.filter(grant=project.grant).count() == 0


def test_studio_rated_excellent_is_paid_110000_in_all(make_project, bureau_user, finance_city):
    project = make_project("master_teacher_studio")
    for seq in (1, 2, 3):
        pay(project, seq, finance_city)
    rate(project, bureau_user, "92.5", "excellent")
    assert payable(project, 4) == Decimal("50000.00")
    pay(project, 4, finance_city)
    assert balances(project) == {
        "promised": Decimal("110000.00"), "paid": Decimal("110000.00"),
        "recovered": Decimal("0.00"), "unpaid": Decimal("0.00"), "net": Decimal("110000.00"),
    }
    project.refresh_from_db()
    assert (project.state, project.rating) == (ProjectState.CLOSED, "excellent")
    assert project.grant.state == GrantState.ACTIVE


def test_studio_rated_pass_is_paid_60000_and_the_bonus_is_withheld(make_project, bureau_user,
                                                                    finance_city):
    project = make_project("master_teacher_studio")
    for seq in (1, 2, 3):
        pay(project, seq, finance_city)
    rate(project, bureau_user, 75, "pass")
    bonus = tranche(project, 4)
    assert bonus.withheld_at is not None
    assert "pass" in bonus.withheld_reason
    assert payable(project, 4) == Decimal("0")
    with pytest.raises(LedgerRefused, match="not payable"):
        pay(project, 4, finance_city)
    assert balances(project) == {
        "promised": Decimal("60000.00"), "paid": Decimal("60000.00"),
        "recovered": Decimal("0.00"), "unpaid": Decimal("0.00"), "net": Decimal("60000.00"),
    }
    project.refresh_from_db()
    assert (project.state, project.rating) == (ProjectState.CLOSED, "pass")


def test_a_year_unpaid_at_a_pass_stays_payable_after_the_project_closed(make_project, bureau_user,
                                                                        finance_city):
    project = make_project("master_teacher_studio")
    pay(project, 1, finance_city)
    rate(project, bureau_user, 60, "pass")
    assert [payable(project, seq) for seq in (2, 3, 4)] == [
        Decimal("20000.00"), Decimal("20000.00"), Decimal("0")]
    pay(project, 2, finance_city)
    pay(project, 3, finance_city)
    assert balances(project)["paid"] == Decimal("60000.00")
    assert balances(project)["unpaid"] == Decimal("0.00")


def test_excellent_releases_the_bonus_while_a_construction_year_is_not_yet_due(
        make_project, bureau_user):
    project = make_project("master_teacher_studio")
    acceptance_record(project=project, score=95, rating="excellent", by=bureau_user,
                      today=date(2021, 1, 1))
    early = date(2021, 1, 1)
    assert payable(project, 4, early) == Decimal("50000.00")
    assert payable(project, 3, early) == Decimal("0")  # its year is not due until mid-2022
    assert payable(project, 3, date(2022, 6, 30)) == Decimal("20000.00")


# --- a fixed subsidy (60% on approval, 40% after acceptance) ----------------------------------

def test_fixed_subsidy_pays_60_percent_first_and_40_only_after_acceptance(make_project,
                                                                          finance_city):
    project = make_project("brand_major")
    assert payable(project, 1) == Decimal("60000.00")
    assert payable(project, 2) == Decimal("0")
    with pytest.raises(LedgerRefused, match="not payable"):
        pay(project, 2, finance_city)


@pytest.mark.parametrize(("score", "rating"), [(88, "pass"), (96, "excellent")])
def test_fixed_subsidy_passed_or_excellent_is_paid_in_full(make_project, bureau_user,
                                                           finance_city, score, rating):
    project = make_project("brand_major")
    pay(project, 1, finance_city)
    rate(project, bureau_user, score, rating)
    assert payable(project, 2) == Decimal("40000.00")
    pay(project, 2, finance_city)
    assert balances(project) == {
        "promised": Decimal("100000.00"), "paid": Decimal("100000.00"),
        "recovered": Decimal("0.00"), "unpaid": Decimal("0.00"), "net": Decimal("100000.00"),
    }
    assert tranche(project, 2).withheld_at is None


def test_county_fixed_subsidy_passed_becomes_payable_and_its_payer_is_told(
        make_project, bureau_user, finance_yixing, finance_city):
    project = make_project("brand_major", "yixing", county_amount=Decimal("120000"))
    pay(project, 1, finance_yixing)
    rate(project, bureau_user, 70, "pass")
    assert payable(project, 2) == Decimal("48000.00")
    told = Notice.objects.filter(kind="project.rated_pass", user__memberships__role="finance_officer")
    assert list(told.values_list("user__username", flat=True)) == ["finance-yixing"]


# --- fail: unpaid tranches withheld, the grant failed, a recovery for the bureau -------------

def test_failed_studio_withholds_what_is_unpaid_and_opens_a_recovery(make_project, bureau_user,
                                                                      finance_city):
    project = make_project("master_teacher_studio")
    pay(project, 1, finance_city)
    pay(project, 2, finance_city)
    rate(project, bureau_user, "45", "fail", comment="建设目标未完成")
    assert [tranche(project, seq).withheld_at is not None for seq in (1, 2, 3, 4)] == [
        False, False, True, True]
    assert [payable(project, seq) for seq in (1, 2, 3, 4)] == [Decimal("0")] * 4
    with pytest.raises(LedgerRefused, match="not payable"):
        pay(project, 3, finance_city)
    assert balances(project) == {
        "promised": Decimal("40000.00"), "paid": Decimal("40000.00"),
        "recovered": Decimal("0.00"), "unpaid": Decimal("0.00"), "net": Decimal("40000.00"),
    }
    project.refresh_from_db()
    assert (project.state, project.rating) == (ProjectState.FAILED, "fail")
    assert project.grant.state == GrantState.FAILED
    case = project.recovery_case
    assert (case.state, case.paid_when_opened, case.amount) == (
        RecoveryCase.State.OPEN, Decimal("40000.00"), None)


def test_failed_project_with_a_tranche_part_paid_pays_nothing_more(make_project, bureau_user,
                                                                   finance_city):
    project = make_project("brand_major")
    pay(project, 1, finance_city, amount=Decimal("30000"))
    rate(project, bureau_user, 10, "fail")
    assert tranche(project, 1).withheld_at is None  # it carries money: the ledger keeps it
    assert tranche(project, 2).withheld_at is not None
    assert payable(project, 1) == Decimal("0")
    with pytest.raises(LedgerRefused, match="not payable"):
        pay(project, 1, finance_city, amount=Decimal("30000"))
    assert project.recovery_case.paid_when_opened == Decimal("30000.00")


def test_recovery_decided_records_it_in_the_ledger(make_project, bureau_user, finance_city):
    project = make_project("master_teacher_studio")
    pay(project, 1, finance_city)
    pay(project, 2, finance_city)
    rate(project, bureau_user, 30, "fail")
    case = recovery_decide(case=project.recovery_case, amount="30000", reason="未通过验收，收回部分经费",
                           voucher_no="SH-2024-01", on=date(2024, 2, 1), by=bureau_user)
    assert (case.state, case.amount, case.decided_by) == (
        RecoveryCase.State.DECIDED, Decimal("30000.00"), bureau_user)
    entry = case.entry
    assert (entry.kind, entry.amount, entry.voucher_no, entry.paid_on, entry.note) == (
        EntryKind.RECOVERY, Decimal("30000.00"), "SH-2024-01", date(2024, 2, 1),
        "未通过验收，收回部分经费")
    assert balances(project) == {
        "promised": Decimal("40000.00"), "paid": Decimal("40000.00"),
        "recovered": Decimal("30000.00"), "unpaid": Decimal("0.00"), "net": Decimal("10000.00"),
    }


def test_recovery_of_everything_paid_leaves_nothing_net(make_project, bureau_user, finance_city):
    project = make_project("brand_major")
    pay(project, 1, finance_city)
    rate(project, bureau_user, 59.99, "fail")
    recovery_decide(case=project.recovery_case, amount="60000.00", reason="全额收回",
                    by=bureau_user)
    assert balances(project)["net"] == Decimal("0.00")
    assert balances(project)["recovered"] == Decimal("60000.00")


def test_recovery_of_nothing_writes_no_ledger_entry(make_project, bureau_user):
    project = make_project("brand_major")
    rate(project, bureau_user, 0, "fail")
    case = project.recovery_case
    assert case.paid_when_opened == Decimal("0.00")
    decided = recovery_decide(case=case, amount="0", reason="首笔经费未拨付，无需收回",
                              by=bureau_user)
    assert (decided.state, decided.amount, decided.entry) == (
        RecoveryCase.State.DECIDED, Decimal("0.00"), None)
    assert not LedgerEntry.objects.filter(grant=project.grant).exists()


# --- the history, the audit trail and the notices ------------------------------------------

def test_rating_writes_the_history_the_audit_and_tells_the_school(make_project, bureau_user,
                                                                   finance_city):
    project = make_project("master_teacher_studio")
    school_user = school_of(project, "studio-school")
    rate(project, bureau_user, 91, "excellent", comment="成效显著")
    event = ProjectEvent.objects.get(project=project, action="rated")
    assert event.before == {"state": "active", "rating": ""}
    assert event.after == {"state": "closed", "rating": "excellent", "score": "91.00",
                           "released": 1, "withheld": 0, "payable": "110000.00"}
    assert (event.reason, event.by) == ("成效显著", bureau_user)
    assert list(AuditEntry.objects.filter(object_id=str(project.pk),
                                          object_type="projects.project")
                .values_list("action", flat=True)) == ["project.create", "project.rate"]
    assert AuditEntry.objects.filter(action="grant.condition", object_id=str(project.grant_id)) \
        .count() == 1
    notices = Notice.objects.filter(kind="project.rated_excellent")
    assert set(notices.values_list("user__username", flat=True)) >= {
        "finance-city", school_user.username}
    assert not notices.filter(user=bureau_user).exists()
    assert notices.first().params == {"title": project.title, "score": "91"}
    assert notices.first().url == f"/projects/{project.pk}/"


def test_failing_writes_the_grant_failure_and_the_recovery_decision_to_the_history(
        make_project, bureau_user, finance_city):
    project = make_project("brand_major")
    school_user = school_of(project, "failed-school")
    pay(project, 1, finance_city)
    rate(project, bureau_user, 20, "fail")
    recovery_decide(case=project.recovery_case, amount="10000", reason="部分收回", by=bureau_user,
                    on=date(2024, 3, 1))
    rated, decided = ProjectEvent.objects.filter(project=project).exclude(action="create")
    assert rated.after == {"state": "failed", "rating": "fail", "score": "20.00", "withheld": 1,
                           "recovery_case": project.recovery_case.pk, "paid": "60000.00"}
    assert (decided.action, decided.after["amount"], decided.reason) == (
        "recovery_decided", "10000.00", "部分收回")
    assert AuditEntry.objects.filter(action="grant.fail", object_id=str(project.grant_id)).exists()
    assert AuditEntry.objects.filter(action="ledger.recovery").count() == 1
    kinds = Notice.objects.filter(user=school_user).order_by("pk").values_list("kind", flat=True)
    assert list(kinds) == ["project.rated_fail", "project.recovery_decided"]
    assert not Notice.objects.filter(user=finance_city).exists()
