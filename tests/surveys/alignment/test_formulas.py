"""R32: every alignment formula against hand-computed cases, including the worked example of
docs/surveys.md."""

import math
from decimal import Decimal
from fractions import Fraction

import pytest

from vetq.surveys.alignment import (
    Status,
    ZeroTotal,
    align,
    deviation,
    enrolment_split,
    pearson,
    shares,
    similarity,
    status,
    total_deviation,
)

pytestmark = pytest.mark.unit

WEIGHTS = {"710201": {"it": 1}, "660301": {"eq": Decimal(3), "it": Decimal(1)},
           "730801": {"tl": 1}}
STUDENTS = {"710201": 160, "660301": 240, "730801": 100, "750101": 50}
OUTPUT = {"it": 400, "eq": 240, "tl": 160, "tour": 200}


def example():
    split = enrolment_split(STUDENTS, WEIGHTS)
    return align(split.by_industry, OUTPUT, pillars={"it", "eq"},
                 labels={"it": "信息技术", "eq": "装备制造"}, balanced_within=0.01)


def test_split_divides_each_major_by_its_weights_and_keeps_unmapped_apart():
    split = enrolment_split(STUDENTS, WEIGHTS)
    assert split.by_industry == {"it": 220.0, "eq": 180.0, "tl": 100.0}
    assert split.unmapped == {"750101": 50}
    assert (split.counted, split.unmapped_students) == (500.0, 50)


def test_split_treats_zero_or_missing_weights_as_unmapped():
    split = enrolment_split({"1": 10, "2": 5, "3": 0}, {"1": {"it": 0}, "3": {}})
    assert split.by_industry == {}
    assert split.unmapped == {"1": 10, "2": 5}


def test_split_refuses_negative_students():
    with pytest.raises(ValueError, match="negative"):
        enrolment_split({"1": -1}, {"1": {"it": 1}})


def test_worked_example_shares_gaps_and_deviations():
    result = example()
    rows = {row.industry: row for row in result.rows}
    assert [row.industry for row in result.rows] == ["it", "eq", "tl", "tour"]
    assert rows["it"].enrolment_share == pytest.approx(0.44)
    assert rows["tour"].industry_share == pytest.approx(0.20)
    assert {k: round(r.gap, 10) for k, r in rows.items()} == \
        {"it": 0.04, "eq": 0.12, "tl": 0.04, "tour": -0.2}
    assert {k: round(r.deviation, 10) for k, r in rows.items()} == \
        {"it": 0.1, "eq": 0.5, "tl": 0.25, "tour": -1.0}
    assert {k: r.status for k, r in rows.items()} == {
        "it": Status.OVER, "eq": Status.OVER, "tl": Status.OVER, "tour": Status.UNDER}
    assert rows["it"].label == "信息技术" and rows["tl"].label == "tl"


def test_worked_example_single_numbers():
    result = example()
    assert result.similarity == pytest.approx(0.8)
    assert result.total_deviation == pytest.approx(0.4625)
    # r = 0.0444 ÷ √(0.1132 × 0.0332), by hand
    assert result.pearson == pytest.approx(0.0444 / math.sqrt(0.1132 * 0.0332))
    assert round(result.pearson, 3) == 0.724
    assert (result.local_served, result.local_industries, result.coverage) == (3, 4, 0.75)
    assert (result.pillar_served, result.pillar_industries, result.pillar_coverage) == (2, 2, 1.0)
    assert [row.industry for row in result.unserved_local] == ["tour"]
    assert result.unserved_pillars == ()


def test_lists_sorted_from_most_under_to_most_over_served():
    result = example()
    assert [row.industry for row in result.by_gap] == ["tour", "it", "tl", "eq"]
    assert [row.industry for row in result.under_served] == ["tour"]
    assert [row.industry for row in result.over_served] == ["eq", "tl", "it"]


def test_matching_structures_give_similarity_one_and_no_deviation():
    result = align({"a": 2, "b": 6, "c": 2}, {"a": 10, "b": 30, "c": 10})
    assert result.similarity == 1.0
    assert result.total_deviation == pytest.approx(0.0)
    assert result.pearson == pytest.approx(1.0)
    assert {row.status for row in result.rows} == {Status.BALANCED}


def test_disjoint_structures_give_similarity_zero():
    assert similarity({"a": 1.0, "b": 0.0}, {"a": 0.0, "b": 1.0}) == 0.0
    assert similarity({"a": 1.0}, {"b": 1.0}) == 0.0


def test_shares_of_exact_fractions():
    assert shares({"a": 1, "b": 3}) == {"a": 0.25, "b": 0.75}
    assert shares({"a": Decimal("0.5"), "b": Decimal("1.5")}) == {"a": 0.25, "b": 0.75}


@pytest.mark.parametrize("amounts", [{}, {"a": 0}, {"a": 0, "b": Decimal(0)}])
def test_zero_total_is_a_clear_error_not_a_division_by_zero(amounts):
    with pytest.raises(ZeroTotal) as raised:
        shares(amounts, side="industry")
    assert raised.value.side == "industry"
    assert not isinstance(raised.value, ZeroDivisionError)
    assert "add up to zero" in str(raised.value)


def test_align_names_the_side_whose_total_is_zero():
    with pytest.raises(ZeroTotal) as industry:
        align({"a": 5}, {"a": 0, "b": 0})
    assert industry.value.side == "industry"
    with pytest.raises(ZeroTotal) as enrolment:
        align({"a": 0}, {"a": 5})
    assert enrolment.value.side == "enrolment"


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError, match="negative"):
        shares({"a": -1, "b": 3})


def test_deviation_is_undefined_without_local_output():
    assert deviation(0.2, 0.0) is None
    assert deviation(0.0, 0.5) == -1.0
    assert deviation(0.3, 0.2) == pytest.approx(0.5)


def test_industry_without_local_output_is_reported_and_left_out_of_totals():
    # b has students but no output: no deviation, not local, not in the coverage
    result = align({"a": 1, "b": 1}, {"a": 10, "b": 0})
    rows = {row.industry: row for row in result.rows}
    assert rows["b"].deviation is None and rows["b"].status == Status.NOT_LOCAL
    assert result.undefined_deviation == ("b",)
    assert result.total_deviation == pytest.approx(0.5)  # only a: |0.5 ÷ 1 − 1| = 0.5
    assert (result.local_industries, result.local_served) == (1, 1)


def test_total_deviation_by_hand():
    p = {"a": 0.5, "b": 0.5, "c": 0.0}
    q = {"a": 0.25, "b": 0.5, "c": 0.25}
    # |0.5/0.25 − 1| = 1, |0.5/0.5 − 1| = 0, |0 − 1| = 1 → mean 2/3
    assert total_deviation(p, q) == pytest.approx(2 / 3)
    with pytest.raises(ZeroTotal):
        total_deviation(p, {"a": 0.0})


def test_pearson_by_hand_and_none_when_constant():
    p = {"a": 0.0, "b": 0.0, "c": 1.0}
    q = {"a": 0.6, "b": 0.2, "c": 0.2}
    assert pearson(p, q) == pytest.approx(-0.5)
    assert pearson({"a": 0.5, "b": 0.5}, {"a": 0.2, "b": 0.8}) is None
    assert pearson({"a": 0.2, "b": 0.8}, {"a": 0.5, "b": 0.5}) is None
    assert pearson({"a": 1.0}, {"a": 1.0}) is None


def test_pearson_leaves_out_industries_absent_from_both():
    p = {"a": 0.0, "b": 0.0, "c": 1.0, "z": 0.0}
    q = {"a": 0.6, "b": 0.2, "c": 0.2, "z": 0.0}
    assert pearson(p, q) == pytest.approx(-0.5)


def test_status_uses_the_tolerance():
    assert status(0.205, 0.2, balanced_within=0.01) == Status.BALANCED
    assert status(0.22, 0.2, balanced_within=0.01) == Status.OVER
    assert status(0.18, 0.2, balanced_within=0.01) == Status.UNDER
    assert status(0.1, 0.0) == Status.NOT_LOCAL
    assert status(0.0, 0.0) == Status.ABSENT


def test_pillar_coverage_is_none_without_pillars_and_counts_unserved_pillars():
    assert align({"a": 1}, {"a": 1}).pillar_coverage is None
    result = align({"a": 1}, {"a": 1, "b": 1}, pillars={"b", "c"})
    assert (result.pillar_served, result.pillar_industries) == (0, 2)
    assert result.pillar_coverage == 0.0
    assert [row.industry for row in result.unserved_pillars] == ["b", "c"]


def test_worked_example_in_exact_fractions():
    """The same example in exact arithmetic: the floats agree to 1e-12."""
    p = {"it": Fraction(11, 25), "eq": Fraction(9, 25), "tl": Fraction(1, 5), "tour": Fraction(0)}
    q = {"it": Fraction(2, 5), "eq": Fraction(6, 25), "tl": Fraction(4, 25), "tour": Fraction(1, 5)}
    s = 1 - sum(abs(p[k] - q[k]) for k in p) / 2
    d = sum(abs(p[k] / q[k] - 1) for k in p) / 4
    assert (s, d) == (Fraction(4, 5), Fraction(37, 80))
    result = example()
    assert abs(result.similarity - float(s)) < 1e-12
    assert abs(result.total_deviation - float(d)) < 1e-12
