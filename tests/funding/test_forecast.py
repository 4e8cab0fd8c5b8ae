"""R27: the forecast of municipal money still needed, as pure arithmetic and from the database."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vetq.funding.dashboards import county_share, forecast_inputs, forecast_year, program_forecast
from vetq.funding.forecast import (
    CategoryInput,
    ForecastError,
    county_share_so_far,
    forecast,
    share_from_percent,
    unit_amount,
)
from vetq.programs import subsidy
from vetq.programs.queries import full_target_cost

D = Decimal


def category(code="brand_major", *, target=100, approved=0, amount="100000", quota_left=0,
             yearly_quota=None, years_without_call=1) -> CategoryInput:
    return CategoryInput(code=code, name=code, target=target, approved=approved,
                         amount=D(amount), quota_left=quota_left, yearly_quota=yearly_quota,
                         years_without_call=years_without_call)


@pytest.mark.unit
def test_unit_amount_of_each_rule_is_the_prudent_maximum():
    assert unit_amount(subsidy.FixedRule(D("100000")), years=3) == D("100000.00")
    assert unit_amount(subsidy.TotalInTranchesRule(D("200000"), 4), years=4) == D("200000.00")
    studio = subsidy.PerYearPlusBonusRule(per_year=D("20000"), bonus=D("50000"))  # R18
    assert unit_amount(studio, years=3) == D("110000.00")
    award = subsidy.RangeRule(D("100000"), D("300000"))  # R7
    assert unit_amount(award, years=None) == D("300000")
    assert unit_amount(award, years=None, typical=D("150000")) == D("150000.00")


@pytest.mark.unit
def test_unit_amount_refuses_a_typical_amount_outside_the_range():
    with pytest.raises(subsidy.SubsidyError, match="outside the allowed range"):
        unit_amount(subsidy.RangeRule(D("100000"), D("300000")), years=None, typical=D("350000"))


@pytest.mark.unit
def test_remaining_target_less_approved_while_years_are_uncalled():
    assert category(target=100, approved=40, years_without_call=2).remaining() == 60
    assert category(target=100, approved=120).remaining() == 0


@pytest.mark.unit
def test_remaining_capped_by_quotas_once_every_year_has_a_call():
    assert category(target=100, approved=40, quota_left=15, years_without_call=0).remaining() == 15
    assert category(target=100, approved=95, quota_left=15, years_without_call=0).remaining() == 5


@pytest.mark.unit
def test_remaining_without_target_comes_from_quotas_only():
    assert category(target=None, quota_left=3, yearly_quota=5, years_without_call=2).remaining() == 13
    assert category(target=None, quota_left=3, years_without_call=0).remaining() == 3
    assert category(target=None, yearly_quota=None, years_without_call=3).remaining() == 0


@pytest.mark.unit
def test_forecast_by_hand():
    result = forecast(
        [category("brand_major", target=100, approved=40, amount="100000"),  # 60 × 10万 × 0.75
         category("quality_course", target=200, approved=0, amount="50000")],  # 200 × 5万 × 0.75
        free=D("5000000.00"), county_share=D("0.25"),
    )
    assert [row.needed for row in result.rows] == [D("4500000.00"), D("7500000.00")]
    assert [row.remaining for row in result.rows] == [60, 200]
    assert result.needed == D("12000000.00")
    assert result.remaining == 260
    assert result.shortfall == D("7000000.00")
    assert result.headroom == D("-7000000.00")


@pytest.mark.unit
def test_forecast_headroom_when_the_money_suffices():
    result = forecast([category(target=10, approved=5)], free=D("1000000.00"), county_share=D(0))
    assert result.needed == D("500000.00")
    assert result.headroom == D("500000.00")
    assert result.shortfall == D("0.00")


@pytest.mark.unit
def test_forecast_rounds_each_category_to_the_fen():
    third = county_share_so_far(county_grants=1, all_grants=3, county_schools=0, all_schools=0)
    result = forecast([category(target=1, amount="50000")], free=D(0), county_share=third)
    assert result.needed == D("33333.33")


@pytest.mark.unit
@pytest.mark.parametrize("share", [D("-0.01"), D("1.01")])
def test_forecast_refuses_a_share_outside_zero_to_one(share):
    with pytest.raises(ForecastError, match="between 0 and 1"):
        forecast([category()], free=D(0), county_share=share)


@pytest.mark.unit
def test_share_from_percent():
    assert share_from_percent("30") == D("0.3")
    assert share_from_percent(D("12.5")) == D("0.125")
    with pytest.raises(ForecastError, match="between 0 and 100%"):
        share_from_percent("150")
    with pytest.raises(ForecastError, match="not a percentage"):
        share_from_percent("thirty")
    with pytest.raises(TypeError):
        share_from_percent(30.0)


@pytest.mark.unit
def test_county_share_so_far_from_grants_else_schools():
    assert county_share_so_far(county_grants=1, all_grants=4, county_schools=5,
                               all_schools=10) == D("0.25")
    assert county_share_so_far(county_grants=0, all_grants=0, county_schools=2,
                               all_schools=10) == D("0.2")
    assert county_share_so_far(county_grants=0, all_grants=0, county_schools=0,
                               all_schools=0) == D(0)


amounts = st.integers(min_value=1, max_value=50_000_000).map(lambda fen: D(fen) / 100)
inputs = st.builds(
    CategoryInput, code=st.just("c"), name=st.just("c"),
    target=st.none() | st.integers(min_value=0, max_value=300),
    approved=st.integers(min_value=0, max_value=300), amount=amounts,
    quota_left=st.integers(min_value=0, max_value=50),
    yearly_quota=st.none() | st.integers(min_value=0, max_value=50),
    years_without_call=st.integers(min_value=0, max_value=5),
)
shares = st.integers(min_value=0, max_value=1000).map(lambda permille: D(permille) / 1000)


@pytest.mark.unit
@given(st.lists(inputs, max_size=8), shares, shares)
def test_needed_money_falls_as_the_county_share_rises(categories, a, b):
    low, high = sorted([a, b])
    at_low = forecast(categories, free=D(0), county_share=low)
    at_high = forecast(categories, free=D(0), county_share=high)
    assert at_high.needed <= at_low.needed
    for row_low, row_high in zip(at_low.rows, at_high.rows, strict=True):
        assert row_high.needed <= row_low.needed


@pytest.mark.unit
@given(st.lists(inputs, max_size=8))
def test_share_zero_needs_every_remaining_project_and_share_one_nothing(categories):
    assert forecast(categories, free=D(0), county_share=D(0)).needed == sum(
        (c.remaining() * c.amount for c in categories), D(0))
    assert forecast(categories, free=D(0), county_share=D(1)).needed == D(0)


@pytest.mark.unit
@given(st.lists(inputs, max_size=8), shares, amounts)
def test_zero_remaining_needs_zero(categories, share, free):
    done = [CategoryInput(c.code, c.name, target=c.approved, approved=c.approved, amount=c.amount,
                          quota_left=c.quota_left, yearly_quota=c.yearly_quota,
                          years_without_call=c.years_without_call) for c in categories]
    result = forecast(done, free=free, county_share=share)
    assert result.remaining == 0
    assert result.needed == D(0)
    assert result.headroom == free


# From the database.

LEFT_OUT = {"master_teacher_studio", "industry_contribution_award", "vocational_group_award",
            "pathway_pilot", "belt_and_road"}


@pytest.mark.integration
def test_full_targets_at_municipal_rates_are_63_million(program):
    """requirements.md: R1 1,000万 + R2 250万 + R3 1,000万 + R4 1,000万 + R5 400万 + R6 1,000万
    + R9 250万 + R10 1,000万 + R12 400万 = 6,300万 before studios, awards, pilots and
    Belt-and-Road projects."""
    result = program_forecast(program, share=D(0), today=date(2016, 3, 1))
    counted = [row for row in result.rows if row.code not in LEFT_OUT]
    assert sum((row.needed for row in counted), D(0)) == D("63000000.00")
    assert full_target_cost(program) == D("63000000.00")
    studio = next(row for row in result.rows if row.code == "master_teacher_studio")
    assert (studio.remaining, studio.needed) == (60, D("6600000.00"))  # 60 × (3 × 2万 + 5万)
    # No target and no call yet: nothing to project for awards, pilots and Belt and Road.
    assert {row.code: row.needed for row in result.rows if row.code in LEFT_OUT - {
        "master_teacher_studio"}} == dict.fromkeys(LEFT_OUT - {"master_teacher_studio"}, D(0))
    assert result.needed == D("69600000.00")
    assert result.free == D("100000000.00")
    assert result.headroom == D("30400000.00")


@pytest.mark.integration
def test_forecast_year_stays_within_the_program_period(program):
    assert forecast_year(program, date(2015, 6, 1)) == 2016
    assert forecast_year(program, date(2018, 6, 1)) == 2018
    assert forecast_year(program, date(2030, 6, 1)) == 2020


@pytest.mark.integration
def test_inputs_count_approvals_and_the_quotas_the_last_call_leaves(program, open_call, approve,
                                                                    regions):
    approve("brand_major", regions["liangxi"])
    approve("industry_contribution_award", regions["binhu"], amount=D("200000"))
    inputs = {c.code: c for c in forecast_inputs(program, year=2020)}
    brand = inputs["brand_major"]
    assert (brand.approved, brand.quota_left, brand.years_without_call) == (1, 9, 0)
    assert brand.remaining() == 9  # the 2020 call is the last: its quota caps the target
    award = inputs["industry_contribution_award"]
    assert (award.target, award.quota_left, award.remaining(), award.amount) == (
        None, 9, 9, D("300000"))
    result = program_forecast(program, share=D("0.5"), today=date(2020, 9, 1))
    rows = {row.code: row for row in result.rows}
    assert rows["brand_major"].needed == D("450000.00")  # 9 × 10万 × 50%
    assert rows["industry_contribution_award"].needed == D("1350000.00")  # 9 × 30万 × 50%


@pytest.mark.integration
def test_county_share_is_county_grants_over_all_else_the_schools(program, approve, regions,
                                                                 school, other_school):
    # Before any grant: one school of two is in Yixing.
    assert county_share(program) == D("0.5")
    approve("brand_major", regions["liangxi"])
    approve("brand_major", regions["yixing"])
    approve("brand_major", regions["jiangyin"])
    approve("brand_major", regions["yixing"], commissioned=True)  # the city pays (R28)
    assert county_share(program) == D("0.5")


@pytest.mark.integration
def test_forecast_needs_less_when_more_projects_come_from_county_cities(program):
    at_zero = program_forecast(program, share=D(0), today=date(2016, 3, 1))
    at_forty = program_forecast(program, share=D("0.4"), today=date(2016, 3, 1))
    assert at_forty.needed == D("41760000.00")  # 6,960万 × 60%
    assert at_forty.needed < at_zero.needed
