"""The demo's money (R27–R30): grants for the approved past applications, paid by the city or
by Jiangyin and Yixing, paid and unpaid tranches over 2016–2020, one reversal, one recovery
and expenditure reports; built once for this module (each test runs in its own rolled-back
transaction)."""

from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.test.utils import override_settings
from django.utils import timezone

from vetq.accounts import scoping
from vetq.accounts.models import User
from vetq.audit.models import AuditEntry
from vetq.demo.funding_plan import plan_grants
from vetq.demo.plan import demo_plan
from vetq.funding.budget import budget_figures
from vetq.funding.expenditure import plan_vs_actual
from vetq.funding.ledger import grant_balances, tranche_paid, tranche_payable_amount
from vetq.funding.models import Expenditure, Grant, LedgerEntry, Tranche
from vetq.programs.models import Program

pytestmark = pytest.mark.integration


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    """One demo build for the module, rolled back at its end."""
    media = tmp_path_factory.mktemp("demo-media")
    with (django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media),
          pytest.MonkeyPatch.context() as env):
        env.delenv("VETQ_DEMO", raising=False)
        with transaction.atomic():
            yield run_demo()
            transaction.set_rollback(True)


@pytest.fixture
def demo(built, db):
    return built


def payer(grant: Grant) -> str:
    return grant.payer_region.code if grant.payer_region_id else "city"


def promised_at_approval(grant: Grant) -> Decimal:
    return grant.tranches.aggregate(total=Sum("amount"))["total"]


def test_demo_grants_follow_the_plan_with_their_payers(demo):
    planned = {(g.year, g.school, g.category, g.payer) for g in plan_grants(demo_plan())}
    grants = Grant.objects.select_related("institution", "category", "payer_region")

    assert {(g.year, g.institution.code, g.category.code, payer(g)) for g in grants} == planned
    assert Counter(payer(g) for g in grants) == {"city": 27, "jiangyin": 3, "yixing": 8}
    assert all(g.application.state == "approved" for g in grants)


def test_demo_county_cities_pay_at_least_the_municipal_rate(demo):
    county = Grant.objects.filter(payer_region__isnull=False).select_related("payer_region")

    assert {payer(g): promised_at_approval(g) / g.municipal_rate for g in county} == {
        "jiangyin": Decimal("1.2"), "yixing": Decimal("1")}


def test_demo_city_pays_the_project_it_commissioned_from_a_county_school(demo):
    grant = Grant.objects.get(commissioned=True)

    assert grant.payer_region is None
    assert grant.institution.region.code == "jiangyin"
    assert promised_at_approval(grant) == grant.municipal_rate == Decimal("100000.00")
    assert LedgerEntry.objects.filter(grant=grant, recorded_by__username="finance").exists()


def test_demo_holds_studios_an_alliance_and_an_award_with_its_amount(demo):
    studios = Grant.objects.filter(category__code="master_teacher_studio")
    alliance = Grant.objects.get(category__code="program_alliance")
    award = Grant.objects.get(category__code="industry_contribution_award")

    assert studios.count() == 8
    assert [t.amount for t in alliance.tranches.order_by("seq")] == [Decimal("50000.00")] * 4
    assert [t.amount for t in award.tranches.all()] == [Decimal("200000.00")]
    assert Decimal("100000") < award.municipal_rate < Decimal("300000")
    rated = Tranche.objects.filter(grant__in=studios, condition="excellent",
                                   due_date__year__lte=2019)
    assert sorted((t.withheld_at is None, t.condition_met_at is not None) for t in rated) == [
        (False, False), (True, True), (True, True)]


def test_demo_corrects_one_wrong_voucher_by_a_reversal(demo):
    reversal = LedgerEntry.objects.get(kind="reversal")
    wrong = reversal.reverses
    right = LedgerEntry.objects.get(tranche=wrong.tranche, kind="payment", reversed_by=None)

    assert reversal.amount == -wrong.amount == -right.amount
    assert (wrong.voucher_no, right.voucher_no) == ("锡财教〔2016〕0151号", "锡财教〔2017〕0151号")
    assert right.voucher_no in reversal.note
    assert tranche_paid(wrong.tranche) == wrong.tranche.amount
    assert wrong.grant.institution.code == scoping.own_institutions(
        User.objects.get(username="school"))[0].code


def test_demo_recovers_money_after_a_failed_acceptance(demo):
    recovery = LedgerEntry.objects.get(kind="recovery")
    grant = recovery.grant
    acceptance = grant.tranches.get(condition="acceptance_passed")

    assert grant.state == "failed"
    assert acceptance.withheld_at is not None and tranche_paid(acceptance) == 0
    assert recovery.amount == Decimal("9000.00")
    assert grant_balances(grant) == {
        "promised": Decimal("30000.00"), "paid": Decimal("30000.00"),
        "recovered": Decimal("9000.00"), "unpaid": Decimal("0.00"), "net": Decimal("21000.00")}


def test_demo_commitments_stay_within_the_budget_and_equal_the_ledger(demo):
    program = Program.objects.get()
    figures = budget_figures(program)
    municipal = Grant.objects.filter(payer_region__isnull=True)
    live = Tranche.objects.filter(grant__in=municipal, withheld_at__isnull=True)
    moved = LedgerEntry.objects.filter(grant__in=municipal, kind__in=["payment", "reversal"])

    assert figures.committed <= figures.budget == Decimal("100000000.00")
    assert figures.committed == live.aggregate(t=Sum("amount"))["t"] - figures.recovered
    assert figures.paid == moved.aggregate(t=Sum("amount"))["t"]
    assert figures.recovered == Decimal("9000.00")


def test_demo_money_moves_in_2016_to_2020_recorded_by_the_payers_finance_officer(demo):
    entries = LedgerEntry.objects.select_related("grant", "recorded_by")
    payments = entries.filter(kind="payment")

    assert {e.paid_on.year for e in entries} == {2016, 2017, 2018, 2019, 2020}
    assert len({e.voucher_no for e in payments}) == payments.count() == 53
    moved = entries.exclude(kind="recovery")
    assert all(scoping.pays_for(e.recorded_by, e.grant) for e in moved)
    assert Counter(e.recorded_by.username for e in moved) == {"finance": 47, "finance_jiangyin": 7}
    # The recovery after the failed acceptance is the bureau's decision on the recovery case.
    recovery = entries.get(kind="recovery")
    assert recovery.recorded_by.username == "bureau"
    assert recovery.grant.project.recovery_case.entry == recovery
    assert all(tranche_paid(t) <= t.amount for t in Tranche.objects.all())


def test_demo_leaves_tranches_due_and_overdue(demo):
    today = timezone.localdate()
    unpaid = [t for t in Tranche.objects.select_related("grant__payer_region")
              if tranche_payable_amount(t, today) > 0]

    assert Counter(payer(t.grant) for t in unpaid) == {"city": 7, "yixing": 15}
    assert all(t.due_date < today for t in unpaid)
    assert Tranche.objects.filter(condition="acceptance_passed", condition_met_at=None,
                                  withheld_at=None).exists()  # acceptance still to come


def test_demo_finance_accounts_see_their_payers_grants(demo):
    city = scoping.grants_for(User.objects.get(username="finance"))
    jiangyin = scoping.grants_for(User.objects.get(username="finance_jiangyin"))

    assert city.count() == 27 and not city.filter(payer_region__isnull=False).exists()
    assert jiangyin.count() == 3
    assert set(jiangyin.values_list("payer_region__code", flat=True)) == {"jiangyin"}
    assert scoping.grants_for(User.objects.get(username="school_yixing")).count() == 1


def test_demo_schools_report_spending_with_co_funding_and_one_overspend(demo):
    reported = Grant.objects.filter(expenditures__isnull=False).distinct()
    flagged = {g.application.title: [r.item for r in plan_vs_actual(g).flagged]
               for g in reported if plan_vs_actual(g).flagged}
    totals = Expenditure.objects.aggregate(school=Sum("school_cofunding"),
                                           partner=Sum("partner_cofunding"))

    assert reported.count() == 14
    assert set(reported.values_list("year", flat=True)) == {2016, 2017}
    assert totals["school"] > 0 and totals["partner"] > 0
    assert list(flagged.values()) == [["equipment"]]
    assert Grant.objects.get(application__title=next(iter(flagged))).payer_region.code == "jiangyin"
    assert {r.reported_at.year for r in Expenditure.objects.all()} == {2016, 2017, 2018, 2019}


def test_demo_approvals_carry_their_review_history_and_dates(demo):
    for grant in Grant.objects.select_related("application"):
        events = list(grant.application.events.order_by("at"))
        actions = [e.action for e in events]
        approved = timezone.localtime(events[-1].at)

        assert actions[-5:] == ["start_review", "finish_review", "shortlist", "publish",
                                "approve"]
        assert approved.year == grant.year == timezone.localtime(grant.created_at).year
        assert [e.at for e in events] == sorted(e.at for e in events)


def test_demo_second_run_adds_no_grant_or_entry(demo, monkeypatch):
    monkeypatch.setenv("VETQ_DEMO", "1")
    before = {m._meta.label: m._default_manager.count()
              for m in apps.get_models(include_auto_created=True)}
    audit_before = AuditEntry.objects.count()

    output = run_demo()

    assert {m._meta.label: m._default_manager.count()
            for m in apps.get_models(include_auto_created=True)} == before
    assert AuditEntry.objects.count() == audit_before
    assert "nothing added" in output


def test_demo_funding_plan_is_deterministic():
    first, second = plan_grants(demo_plan()), plan_grants(demo_plan())

    assert first == second
    assert [g.serial for g in first if g.fails or g.reversal or g.commissioned] == [1, 15, 39]
