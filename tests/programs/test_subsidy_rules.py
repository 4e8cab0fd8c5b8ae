"""The subsidy rule kinds as pure functions: no policy file, no database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vetq.programs.subsidy import (
    CITY,
    FixedRule,
    PerYearPlusBonusRule,
    RangeRule,
    SubsidyError,
    TotalInTranchesRule,
    check_county_rate,
    check_split_adds_up,
    municipal_share,
    payer_for,
    rule_from_mapping,
    split_evenly,
    target_allows,
)

pytestmark = pytest.mark.unit

CENT = Decimal("0.01")
fen_amounts = st.integers(min_value=1, max_value=10**11).map(lambda fen: Decimal(fen) / 100)


def test_rule_from_mapping_builds_each_kind():
    assert rule_from_mapping({"kind": "fixed", "amount_yuan": 100000}) == FixedRule(
        amount=Decimal("100000.00")
    )
    assert rule_from_mapping({"kind": "range", "min_yuan": 1, "max_yuan": 2}) == RangeRule(
        minimum=Decimal("1.00"), maximum=Decimal("2.00")
    )
    assert rule_from_mapping(
        {"kind": "per_year_plus_bonus", "per_year_yuan": 20000, "bonus_yuan": 50000, "bonus_if": "pass"}
    ) == PerYearPlusBonusRule(per_year=Decimal("20000.00"), bonus=Decimal("50000.00"), bonus_if="pass")
    assert rule_from_mapping(
        {"kind": "total_in_tranches", "total_yuan": 200000, "tranches": 4}
    ) == TotalInTranchesRule(total=Decimal("200000.00"), tranches=4)


def test_rule_from_mapping_with_unknown_kind_is_refused():
    with pytest.raises(SubsidyError) as exc:
        rule_from_mapping({"kind": "grant"})
    assert str(exc.value) == "unknown subsidy kind 'grant'"


def test_range_rule_without_amount_asks_for_one():
    rule = RangeRule(minimum=Decimal(100000), maximum=Decimal(300000))
    with pytest.raises(SubsidyError) as exc:
        rule.municipal_amount()
    assert str(exc.value) == (
        "this subsidy is set at determination: give an amount between 100,000 and 300,000 yuan"
    )


def test_range_rule_with_fraction_of_a_fen_below_minimum_is_refused():
    # 99,999.999 must not round up into the range
    rule = RangeRule(minimum=Decimal(100000), maximum=Decimal(300000))
    with pytest.raises(SubsidyError) as exc:
        rule.municipal_amount(amount="99999.999")
    assert str(exc.value) == "99999.999 yuan is not a whole number of fen"


def test_per_year_rule_with_zero_years_is_refused():  # R18
    rule = PerYearPlusBonusRule(per_year=Decimal(20000), bonus=Decimal(50000))
    with pytest.raises(SubsidyError) as exc:
        rule.municipal_amount(years=0, rating="excellent")
    assert str(exc.value) == "the construction period must be at least one year"


def test_per_year_rule_with_bonus_for_pass_also_pays_excellent():
    rule = PerYearPlusBonusRule(per_year=Decimal(20000), bonus=Decimal(50000), bonus_if="pass")
    assert rule.municipal_amount(years=2, rating="excellent") == Decimal("90000.00")
    assert rule.municipal_amount(years=2, rating="pass") == Decimal("90000.00")
    assert rule.municipal_amount(years=2, rating="fail") == Decimal("40000.00")
    assert rule.municipal_amount(years=2) == Decimal("40000.00")


def test_tranche_rule_default_split_with_zero_parts_is_refused():
    rule = TotalInTranchesRule(total=Decimal(200000), tranches=4)
    with pytest.raises(SubsidyError) as exc:
        rule.default_split(0)
    assert str(exc.value) == "a plan needs at least one tranche"


def test_split_evenly_of_a_total_below_one_fen_a_part_is_refused():
    with pytest.raises(SubsidyError) as exc:
        split_evenly(Decimal("0.03"), 4)
    assert str(exc.value) == "0.03 yuan cannot be split into 4 positive tranches"


def test_split_evenly_puts_the_remainder_on_the_last_part():
    assert split_evenly(Decimal(100), 3) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


def test_check_split_with_a_zero_part_is_refused():
    with pytest.raises(SubsidyError) as exc:
        check_split_adds_up([200000, 0], 200000)
    assert str(exc.value) == "every tranche must be a positive amount"


def test_check_split_with_no_parts_is_refused():
    with pytest.raises(SubsidyError) as exc:
        check_split_adds_up([], 200000)
    assert str(exc.value) == "a plan needs at least one tranche"


def test_check_county_rate_message_names_both_amounts():  # R28
    with pytest.raises(SubsidyError) as exc:
        check_county_rate(municipal=100000, proposed=Decimal("99999.99"))
    assert str(exc.value) == (
        "99,999.99 yuan is below the municipal rate of 100,000 yuan; "
        "a county-level city may not pay less (R28)"
    )


def test_check_county_rate_with_fraction_of_a_fen_is_refused():  # R28
    # rounding 99,999.995 to the fen would have let a rate below the municipal one through
    with pytest.raises(SubsidyError):
        check_county_rate(municipal=100000, proposed="99999.995")


def test_payer_for_commissioned_project_when_file_says_county_pays():  # R28
    payer = payer_for(
        region_code="yixing", self_funded_regions=["jiangyin", "yixing"], commissioned=True,
        commissioned_paid_by_city=False,
    )
    assert payer == "yixing"


def test_payer_for_district_school_is_city():  # R28
    payer = payer_for(
        region_code="liangxi", self_funded_regions=["jiangyin", "yixing"], commissioned=False
    )
    assert payer == CITY


def test_municipal_share_of_county_paid_grant_is_zero():  # R27 R28
    assert municipal_share(payer="yixing", amount=100000) == Decimal("0.00")
    assert municipal_share(payer=CITY, amount=100000) == Decimal("100000.00")


def test_target_allows_without_target_has_no_cap():
    assert target_allows(approved_so_far=10_000, target=None) is True


def test_target_allows_several_at_once_only_within_target():
    assert target_allows(approved_so_far=98, target=100, adding=2) is True
    assert target_allows(approved_so_far=98, target=100, adding=3) is False


@pytest.mark.parametrize("value", ["a lot", "NaN", "Infinity", ""])
def test_amount_not_a_number_is_refused_with_subsidy_error(value):
    with pytest.raises(SubsidyError) as exc:
        check_county_rate(municipal=100000, proposed=value)
    assert str(exc.value) == f"not an amount of yuan: {value!r}"


@given(total=fen_amounts, parts=st.integers(min_value=1, max_value=20))
def test_split_evenly_sums_exactly_to_the_total(total, parts):
    if total < CENT * parts:
        return  # too small to split; refused, tested above
    amounts = split_evenly(total, parts)
    assert sum(amounts, Decimal(0)) == total
    assert len(amounts) == parts
    assert all(amount > 0 for amount in amounts)
    assert all(amount == amount.quantize(CENT) for amount in amounts)
    assert amounts[:-1] == [amounts[0]] * (parts - 1)
    # the parts differ by the remainder, which is less than one fen per part
    assert max(amounts) - min(amounts) == amounts[-1] - amounts[0]
    assert amounts[-1] - amounts[0] < CENT * parts


@given(
    amounts=st.lists(fen_amounts, min_size=1, max_size=8),
    offset=st.one_of(st.just(Decimal(0)), st.integers(-10**6, 10**6).map(lambda fen: Decimal(fen) / 100)),
)
def test_check_split_adds_up_accepts_exactly_the_splits_that_sum_to_the_total(amounts, offset):
    total = sum(amounts, Decimal(0)) + offset
    if offset == 0:
        assert check_split_adds_up(amounts, total) == amounts
    else:
        with pytest.raises(SubsidyError):
            check_split_adds_up(amounts, total)


@given(value=st.floats(allow_nan=True, allow_infinity=True))
def test_subsidy_arithmetic_refuses_floats(value):
    with pytest.raises(TypeError):
        check_county_rate(municipal=100000, proposed=value)
    with pytest.raises(TypeError):
        split_evenly(value, 2)
    with pytest.raises(TypeError):
        RangeRule(minimum=Decimal(1), maximum=Decimal(2)).municipal_amount(amount=value)
