"""The arithmetic the policy implies (requirements.md), with every rule read from the loaded
policy file, never from constants in the test."""

from decimal import Decimal

import pytest

from tests.programs.policy_edits import edit
from vetq.programs.models import Category, SubsidyRule
from vetq.programs.policy.loader import policy_load
from vetq.programs.queries import full_target_cost, program_budget
from vetq.programs.subsidy import (
    CITY,
    SubsidyError,
    check_county_rate,
    municipal_share,
    target_allows,
)

pytestmark = pytest.mark.integration


def category(program, code: str) -> Category:
    return program.categories.get(code=code)


def rule(program, code: str):
    return category(program, code).current_rule.rule


def test_brand_major_at_yixing_school_not_commissioned_is_paid_by_yixing(program, regions):  # R1 R28
    payer = program.payer_for(regions["yixing"], commissioned=False)
    municipal_rate = rule(program, "brand_major").municipal_amount()

    assert payer == "yixing"
    assert check_county_rate(municipal=municipal_rate, proposed=100000) == Decimal("100000.00")
    assert check_county_rate(municipal=municipal_rate, proposed=120000) == Decimal("120000.00")
    assert municipal_share(payer=payer, amount=100000) == Decimal("0.00")
    assert program_budget(program).free == Decimal("100000000.00")


def test_brand_major_at_yixing_school_below_municipal_rate_is_refused(program, regions):  # R28
    municipal_rate = rule(program, "brand_major").municipal_amount()
    with pytest.raises(SubsidyError) as exc:
        check_county_rate(municipal=municipal_rate, proposed=99999)
    assert str(exc.value) == (
        "99,999 yuan is below the municipal rate of 100,000 yuan; "
        "a county-level city may not pay less (R28)"
    )


def test_brand_major_at_yixing_school_commissioned_is_paid_by_city(program, regions):  # R1 R28
    payer = program.payer_for(regions["yixing"], commissioned=True)
    amount = rule(program, "brand_major").municipal_amount()

    assert payer == CITY
    assert amount == Decimal("100000.00")
    assert municipal_share(payer=payer, amount=amount) == Decimal("100000.00")


def test_brand_major_at_jiangyin_and_district_schools_pay_as_policy_says(program, regions):  # R28
    assert program.payer_for(regions["jiangyin"]) == "jiangyin"
    assert program.payer_for(regions["liangxi"]) == CITY
    assert program.payer_for(regions["xinwu"], commissioned=True) == CITY


def test_master_teacher_studio_rated_excellent_gets_bonus(program):  # R18 R31
    studio = category(program, "master_teacher_studio")
    amount = studio.current_rule.rule.municipal_amount(
        years=studio.construction_years, rating="excellent"
    )
    assert studio.construction_years == 3
    assert amount == Decimal("110000.00")


def test_master_teacher_studio_rated_pass_gets_no_bonus(program):  # R18 R31
    studio = category(program, "master_teacher_studio")
    amount = studio.current_rule.rule.municipal_amount(years=studio.construction_years, rating="pass")
    assert amount == Decimal("60000.00")


def test_program_alliance_four_yearly_tranches_add_up_to_total(program):  # R12
    alliance = rule(program, "program_alliance")
    tranches = alliance.default_split()
    assert tranches == [Decimal("50000.00")] * 4
    assert sum(tranches) == alliance.municipal_amount() == Decimal("200000.00")


def test_program_alliance_split_set_by_bureau_is_accepted(program):  # R12
    alliance = rule(program, "program_alliance")
    assert alliance.check_split([80000, 60000, 60000]) == [
        Decimal("80000.00"), Decimal("60000.00"), Decimal("60000.00")
    ]


def test_program_alliance_split_a_fen_short_is_refused(program):  # R12
    alliance = rule(program, "program_alliance")
    with pytest.raises(SubsidyError) as exc:
        alliance.check_split([80000, 60000, Decimal("59999.99")])
    assert str(exc.value) == "the tranches add up to 199,999.99 yuan, not the grant's 200,000 yuan"


@pytest.mark.parametrize("amount", [350000, 80000])
def test_industry_contribution_award_outside_range_is_refused(program, amount):  # R7
    award = rule(program, "industry_contribution_award")
    with pytest.raises(SubsidyError) as exc:
        award.municipal_amount(amount=amount)
    assert str(exc.value) == (
        f"{amount:,} yuan is outside the allowed range 100,000–300,000 yuan"
    )


@pytest.mark.parametrize("amount", [100000, 200000, 300000])
def test_industry_contribution_award_within_range_is_accepted(program, amount):  # R7
    award = rule(program, "industry_contribution_award")
    assert award.municipal_amount(amount=amount) == Decimal(amount)


def test_vocational_group_award_outside_range_is_refused(program):  # R15
    award = rule(program, "vocational_group_award")
    assert award.municipal_amount(amount=50000) == Decimal("50000.00")
    with pytest.raises(SubsidyError):
        award.municipal_amount(amount=200001)


def test_brand_major_101st_is_refused_while_target_is_100(program):  # R1
    brand_major = category(program, "brand_major")
    assert brand_major.target == 100
    assert target_allows(approved_so_far=99, target=brand_major.target) is True
    assert target_allows(approved_so_far=100, target=brand_major.target) is False


def test_brand_major_101st_is_allowed_after_bureau_raises_target(
    program, policy_text, write_policy
):  # R1
    raised = edit(policy_text, "target = 100\n", "target = 101\n")
    result = policy_load(path=write_policy(raised, "wuxi-2016-77-target-101.toml"))

    brand_major = category(program, "brand_major")
    assert result.changes == [
        f"policy file sha256: {program.policy_sha256[:16]}… → {result.program.policy_sha256[:16]}…",
        "category brand_major target: 100 → 101",
    ]
    assert brand_major.target == 101
    assert target_allows(approved_so_far=100, target=brand_major.target) is True
    # the subsidy rule did not change, so no new version
    assert list(SubsidyRule.objects.filter(category=brand_major).values_list("version", flat=True)) == [1]


def test_full_targets_at_municipal_rates_cost_6300_wan(program):  # R1–R6 R9 R10 R12 R27
    assert full_target_cost(program) == Decimal("63000000")
    assert program.budget_yuan == Decimal("100000000.00")
