"""R1–R18, R27, R28: grants from approval, with the right payer, amount and plan."""

from datetime import date
from decimal import Decimal

import pytest

from vetq.applications.services import Refused
from vetq.funding.budget import BudgetExceeded, budget_figures
from vetq.funding.grants import GrantRefused, application_approve, tranche_plan_set
from vetq.funding.ledger import grant_balances, tranches_withhold
from vetq.funding.models import Grant, Tranche
from vetq.programs.models import Program

pytestmark = pytest.mark.integration


def amounts(grant) -> list[Decimal]:
    return [t.amount for t in grant.tranches.filter(withheld_at__isnull=True).order_by("seq")]


def test_district_brand_major_is_paid_by_the_city_from_the_budget(approve, regions, program):
    grant = approve("brand_major", regions["liangxi"])  # R1, R28
    assert grant.payer_region is None
    assert sum(amounts(grant)) == Decimal("100000.00")
    assert amounts(grant) == [Decimal("60000.00"), Decimal("40000.00")]
    assert budget_figures(program).committed == Decimal("100000.00")


def test_yixing_brand_major_is_paid_by_yixing_and_leaves_the_budget_alone(approve, regions, program):
    grant = approve("brand_major", regions["yixing"], county_amount=Decimal("120000"))  # R28
    assert grant.payer_region == regions["yixing"]
    assert sum(amounts(grant)) == Decimal("120000.00")
    assert budget_figures(program).committed == Decimal("0.00")


def test_yixing_rate_below_the_municipal_one_is_refused(in_publicity, regions, bureau_user, program):
    application = in_publicity("brand_major", regions["yixing"])
    with pytest.raises(GrantRefused, match="below the municipal rate"):
        application_approve(application=application, by=bureau_user,
                            county_amount=Decimal("99999.99"))
    application.refresh_from_db()
    assert application.state == "in_publicity"
    assert not Grant.objects.exists()


def test_commissioned_yixing_project_is_paid_by_the_city(approve, regions, program):
    grant = approve("brand_major", regions["yixing"], commissioned=True)  # R28 exception
    assert grant.payer_region is None
    assert budget_figures(program).committed == Decimal("100000.00")


def test_studio_reserves_three_years_plus_bonus_and_pass_releases_the_bonus(approve, regions,
                                                                              bureau_user):
    grant = approve("master_teacher_studio", regions["binhu"])  # R18
    assert amounts(grant) == [Decimal("20000.00")] * 3 + [Decimal("50000.00")]
    assert sum(amounts(grant)) == Decimal("110000.00")
    tranches_withhold(grant=grant, reason="验收合格，无优秀奖励", by=bureau_user,
                      conditions=["excellent"])
    assert sum(amounts(grant)) == Decimal("60000.00")


def test_alliance_total_is_four_yearly_tranches_of_50000(approve, regions, bureau_user):
    grant = approve("program_alliance", regions["xishan"])  # R12
    assert amounts(grant) == [Decimal("50000.00")] * 4
    tranche_plan_set(grant=grant, by=bureau_user, tranches=[
        {"amount": "80000", "due_date": date(2021, 6, 30), "condition": "on_approval"},
        {"amount": "60000", "due_date": date(2022, 6, 30), "condition": "construction_year"},
        {"amount": "60000", "due_date": date(2023, 6, 30), "condition": "construction_year"},
    ])
    assert amounts(grant) == [Decimal("80000.00"), Decimal("60000.00"), Decimal("60000.00")]
    with pytest.raises(GrantRefused, match="add up to 199,999.99 yuan"):
        tranche_plan_set(grant=grant, by=bureau_user, tranches=[
            {"amount": "199999.99", "due_date": date(2021, 6, 30), "condition": "on_approval"},
        ])
    assert sum(amounts(grant)) == Decimal("200000.00")


@pytest.mark.parametrize("amount", ["350000", "80000"])
def test_award_outside_its_range_is_refused(in_publicity, regions, bureau_user, program, amount):
    application = in_publicity("industry_contribution_award", regions["huishan"])  # R7
    with pytest.raises(GrantRefused, match="outside the allowed range"):
        application_approve(application=application, by=bureau_user, amount=Decimal(amount))
    assert not Grant.objects.exists()


@pytest.mark.parametrize("amount", ["100000", "300000", "250000"])
def test_award_within_its_range_is_granted(approve, regions, amount):
    grant = approve("industry_contribution_award", regions["huishan"], amount=Decimal(amount))
    assert sum(amounts(grant)) == Decimal(amount)


def test_the_101st_brand_major_is_refused_while_the_target_is_100(in_publicity, approve, regions,
                                                                  bureau_user, program):
    program.categories.filter(code="brand_major").update(target=2)  # a small stand-in for 100
    approve("brand_major", regions["liangxi"])
    approve("brand_major", regions["xishan"])
    third = in_publicity("brand_major", regions["binhu"])
    with pytest.raises(GrantRefused, match="target of 2 projects"):
        application_approve(application=third, by=bureau_user)
    program.categories.filter(code="brand_major").update(target=3)
    assert application_approve(application=third, by=bureau_user).pk is not None


def test_an_approval_past_the_budget_is_refused_saying_by_how_much(in_publicity, approve, regions,
                                                                   bureau_user, program):
    Program.objects.filter(pk=program.pk).update(budget_yuan=Decimal("150000"))
    approve("brand_major", regions["liangxi"])
    second = in_publicity("brand_major", regions["xinwu"])
    with pytest.raises(BudgetExceeded) as refusal:
        application_approve(application=second, by=bureau_user)
    assert refusal.value.overrun == Decimal("50000.00")
    second.refresh_from_db()
    assert second.state == "in_publicity"
    assert Grant.objects.count() == 1


def test_approval_needs_the_application_in_publicity(in_publicity, regions, bureau_user):
    application = in_publicity("brand_major", regions["liangxi"])
    from vetq.applications.models import Application

    Application.objects.filter(pk=application.pk).update(state="eligible")
    application.refresh_from_db()
    with pytest.raises(Refused):
        application_approve(application=application, by=bureau_user)
    assert not Tranche.objects.exists()


def test_finance_officer_cannot_approve(in_publicity, regions, finance_city):
    application = in_publicity("brand_major", regions["liangxi"])
    with pytest.raises(Refused):
        application_approve(application=application, by=finance_city)
    assert not Grant.objects.exists()


def test_grant_keeps_the_rule_version_it_came_from(approve, regions):
    grant = approve("brand_major", regions["liangxi"])
    assert grant.subsidy_rule.version == 1
    assert grant.subsidy_rule.category.code == "brand_major"
    assert grant_balances(grant)["promised"] == Decimal("100000.00")
