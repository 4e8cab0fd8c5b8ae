"""The employment formulas (R33) against hand-computed cases, and their properties."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vetq.surveys.employment import (
    MIN_CELL,
    Outcome,
    Tally,
    grade,
    metrics,
    point_date,
    point_reached,
    tally,
)

pytestmark = pytest.mark.unit

D = Decimal


def _ten() -> list[Outcome]:
    """Ten graduates, computed by hand below."""
    return [
        Outcome("employed", in_field=True, location="local", contract=True, pay=D(4000),
                satisfaction=4, employer_satisfaction=4),
        Outcome("employed", in_field=True, location="local", contract=True, pay=D(5000),
                satisfaction=3, employer_satisfaction=3),
        Outcome("employed", in_field=False, location="province", contract=False, pay=D(6000),
                satisfaction=2),
        Outcome("employed", in_field=None, location="", contract=None, pay=None,
                satisfaction=None),
        Outcome("employed", in_field=True, location="elsewhere", contract=True, pay=D(4500),
                satisfaction=1, employer_satisfaction=2),
        Outcome("self_employed", in_field=False, location="local", pay=D(8000), satisfaction=4),
        Outcome("further_study", satisfaction=3),
        Outcome("further_study", satisfaction=None),
        Outcome("not_employed", satisfaction=2),
        Outcome("not_employed", satisfaction=None),
    ]


def test_metrics_of_ten_graduates_by_hand():
    result = metrics(tally(_ten()), min_cell=0)
    # 6 in work (5 employed, 1 self-employed) of 8 needing work (10 less 2 in further study).
    assert result.needing_work == 8
    assert result.employment_rate == D("0.7500")
    assert result.self_employment_rate == D("0.1000")  # 1 of 10 graduates
    assert result.further_study_rate == D("0.2000")
    # In field: 3 yes of the 5 in work who answered (one employee left it blank).
    assert result.in_field_rate == D("0.6000")
    # Contract: 3 yes of the 4 employees who answered; the self-employed one is not asked.
    assert result.contract_rate == D("0.7500")
    # Places of the 5 in work with a place: 3 local, 1 province, 1 elsewhere.
    assert (result.local_share, result.province_share, result.elsewhere_share,
            result.abroad_share) == (D("0.6000"), D("0.2000"), D("0.2000"), D("0.0000"))
    # Pay of the 5 in work with pay: 4000, 4500, 5000, 6000, 8000.
    assert (result.pay_median, result.pay_mean) == (D("5000.00"), D("5500.00"))
    # Satisfaction: 7 answers (4, 3, 2, 1, 4, 3, 2), "cannot judge" ×3 left out.
    assert result.satisfaction_mean == D("2.71")  # 19 / 7
    assert result.satisfied_share == D("0.5714")  # 4 of 7 answered 3 or 4
    # Employers: 4, 3, 2.
    assert (result.employer_satisfaction_mean, result.employer_satisfied_share) == (
        D("3.00"), D("0.6667"))
    assert result.grade == "below_pass"


def test_cannot_judge_is_left_out_not_counted_as_dissatisfied():
    answered = [Outcome("employed", satisfaction=4)] * 6
    with_blank = answered + [Outcome("employed", satisfaction=None)] * 4
    assert metrics(tally(with_blank)).satisfaction_mean == D("4.00")
    assert metrics(tally(with_blank)).satisfied_share == D("1.0000")


def test_further_study_is_out_of_the_employment_denominator():
    outcomes = ([Outcome("employed")] * 9 + [Outcome("not_employed")]
                + [Outcome("further_study")] * 10)
    result = metrics(tally(outcomes))
    assert (result.needing_work, result.employment_rate, result.grade) == (10, D("0.9000"), "good")


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    outcomes = [Outcome("employed", pay=D(p)) for p in (3000, 4000, 4100, 9000, 3500, 5000)]
    assert metrics(tally(outcomes)).pay_median == D("4050.00")


def test_a_group_below_the_minimum_publishes_only_its_size():
    result = metrics(tally([Outcome("employed", pay=D(5000), satisfaction=4)] * (MIN_CELL - 1)))
    assert (result.suppressed, result.graduates) == (True, MIN_CELL - 1)
    assert (result.employment_rate, result.pay_median, result.satisfaction_mean) == (None,) * 3


def test_a_figure_with_a_small_denominator_is_not_published():
    # 8 graduates, 6 in further study: the employment rate would speak of 2 people.
    outcomes = ([Outcome("further_study", satisfaction=3)] * 6
                + [Outcome("employed", pay=D(5000), satisfaction=4), Outcome("not_employed")])
    result = metrics(tally(outcomes))
    assert result.suppressed is False
    assert result.further_study_rate == D("0.7500")
    assert (result.employment_rate, result.pay_median, result.in_field_rate) == (None, None, None)
    assert result.satisfaction_mean == D("3.14")  # 7 answers: enough


def test_zero_denominators_give_no_figure_without_suppression():
    result = metrics(tally([Outcome("further_study")] * 3), min_cell=0)
    assert (result.employment_rate, result.in_field_rate, result.pay_mean) == (None, None, None)
    assert result.further_study_rate == D("1.0000")


@pytest.mark.parametrize(("rate", "expected"), [
    (D("0.95"), "excellent"), (D("0.9499"), "good"), (D("0.90"), "good"), (D("0.85"), "pass"),
    (D("0.80"), "pass"), (D("0.7999"), "below_pass"), (None, ""),
])
def test_grade_bands(rate, expected):
    assert grade(rate) == expected


def test_tracking_points_are_reached_in_june_december_and_years_later():
    assert point_date(2018, "graduation") == date(2018, 6, 1)
    assert point_date(2018, "half_year") == date(2018, 12, 1)
    assert point_date(2018, "one_year") == date(2019, 6, 1)
    assert point_date(2018, "three_years") == date(2021, 6, 1)
    assert point_reached(2018, "three_years", date(2021, 6, 1)) is True
    assert point_reached(2018, "three_years", date(2021, 5, 31)) is False


def test_tallies_add_up_like_the_records_they_count():
    first, second = _ten()[:4], _ten()[4:]
    assert tally(first) + tally(second) == tally(_ten())
    assert Tally() + tally(first) == tally(first)


outcomes = st.builds(
    Outcome,
    destination=st.sampled_from(["employed", "self_employed", "further_study", "not_employed"]),
    in_field=st.none() | st.booleans(),
    location=st.sampled_from(["", "local", "province", "elsewhere", "abroad"]),
    contract=st.none() | st.booleans(),
    pay=st.none() | st.decimals(min_value=1, max_value=99999, places=2),
    satisfaction=st.none() | st.integers(1, 4),
    employer_satisfaction=st.none() | st.integers(1, 4),
)


@settings(deadline=None)  # a busy shared machine must not fail a pure test
@given(st.lists(outcomes, max_size=60))
def test_rates_stay_within_zero_and_one(records):
    result = metrics(tally(records), min_cell=0)
    for name in ("employment_rate", "self_employment_rate", "further_study_rate",
                 "in_field_rate", "contract_rate", "local_share", "province_share",
                 "elsewhere_share", "abroad_share", "satisfied_share", "employer_satisfied_share"):
        value = getattr(result, name)
        assert value is None or D(0) <= value <= D(1), name
    for name in ("satisfaction_mean", "employer_satisfaction_mean"):
        value = getattr(result, name)
        assert value is None or D(1) <= value <= D(4)
    if result.pay_median is not None:
        pays = [r.pay for r in records if r.pay is not None and r.destination in
                ("employed", "self_employed")]
        assert min(pays) <= result.pay_median <= max(pays)


@settings(deadline=None)  # a busy shared machine must not fail a pure test
@given(st.lists(outcomes, max_size=40), st.integers(1, 10))
def test_cannot_judge_answers_change_no_satisfaction_figure(records, blanks):
    extra = [Outcome("not_employed", satisfaction=None, employer_satisfaction=None)] * blanks
    before = metrics(tally(records), min_cell=0)
    after = metrics(tally(records + extra), min_cell=0)
    assert (after.satisfaction_mean, after.satisfied_share) == (
        before.satisfaction_mean, before.satisfied_share)
    assert (after.employer_satisfaction_mean, after.employer_satisfied_share) == (
        before.employer_satisfaction_mean, before.employer_satisfied_share)


@settings(deadline=None)  # a busy shared machine must not fail a pure test
@given(st.lists(outcomes, min_size=1, max_size=40))
def test_location_shares_add_up_to_one(records):
    result = metrics(tally(records), min_cell=0)
    shares = (result.local_share, result.province_share, result.elsewhere_share,
              result.abroad_share)
    if shares[0] is not None:
        assert abs(sum(shares) - 1) <= D("0.0002")  # each rounded to 4 places


@settings(deadline=None)  # a busy shared machine must not fail a pure test
@given(st.lists(outcomes, max_size=40), st.lists(outcomes, max_size=40))
def test_tallies_of_two_groups_add_up_to_the_tally_of_both(first, second):
    assert tally(first) + tally(second) == tally(first + second)
