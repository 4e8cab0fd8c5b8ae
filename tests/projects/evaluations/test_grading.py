"""The evaluation arithmetic (R29): the total is the sum of the per-indicator scores on 0–100,
first-level subtotals add up to it, and the grade follows the policy's bands."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vetq.programs.policy.evaluation_schema import DEFAULT_INDICATOR_SETS, EvaluationSection
from vetq.projects.grading import (
    GradingError,
    evaluation_grade,
    grade_for,
    indicators_of,
    score_problems,
    score_text,
    subtotals_of,
)

pytestmark = pytest.mark.unit

BANDS = {"excellent_from": "90", "good_from": "80", "fair_from": "60"}
# budget 10 (a 6 + b 4), outputs 50 (c 30 + d 20), outcomes 30 (e), satisfaction 10 (f)
SET = {
    "code": "test",
    "first": [{"code": "budget", "name": "预算执行", "weight": "10"},
              {"code": "outputs", "name": "产出", "weight": "50"},
              {"code": "outcomes", "name": "效益", "weight": "30"},
              {"code": "satisfaction", "name": "满意度", "weight": "10"}],
    "second": [{"code": "s1", "parent": "budget", "name": "资金"},
               {"code": "s2", "parent": "outputs", "name": "数量"},
               {"code": "s3", "parent": "outputs", "name": "质量"},
               {"code": "s4", "parent": "outcomes", "name": "效益"},
               {"code": "s5", "parent": "satisfaction", "name": "满意"}],
    "indicators": [{"code": "a", "parent": "s1", "name": "A", "points": "6"},
                   {"code": "b", "parent": "s1", "name": "B", "points": "4"},
                   {"code": "c", "parent": "s2", "name": "C", "points": "30"},
                   {"code": "d", "parent": "s3", "name": "D", "points": "20"},
                   {"code": "e", "parent": "s4", "name": "E", "points": "30"},
                   {"code": "f", "parent": "s5", "name": "F", "points": "10"}],
}


def scores(**values) -> dict[str, Decimal]:
    return {code: Decimal(value) for code, value in values.items()}


def test_hand_computed_evaluation():
    graded = evaluation_grade(SET, scores(a="5.5", b="4", c="27", d="16.25", e="24", f="8.5"),
                              BANDS)
    # 5.5 + 4 = 9.5; 27 + 16.25 = 43.25; 24; 8.5 → 85.25
    assert graded.subtotals == {"budget": Decimal("9.50"), "outputs": Decimal("43.25"),
                                "outcomes": Decimal("24.00"), "satisfaction": Decimal("8.50")}
    assert (graded.total, graded.grade) == (Decimal("85.25"), "good")


@pytest.mark.parametrize(("values", "total", "grade"), [
    ({"a": "6", "b": "4", "c": "30", "d": "20", "e": "30", "f": "10"}, "100.00", "excellent"),
    ({"a": "6", "b": "4", "c": "30", "d": "20", "e": "20", "f": "10"}, "90.00", "excellent"),
    ({"a": "6", "b": "4", "c": "30", "d": "20", "e": "19.99", "f": "10"}, "89.99", "good"),
    ({"a": "0", "b": "0", "c": "30", "d": "20", "e": "30", "f": "0"}, "80.00", "good"),
    ({"a": "0", "b": "0", "c": "30", "d": "0", "e": "30", "f": "0"}, "60.00", "fair"),
    ({"a": "0", "b": "0", "c": "29.99", "d": "0", "e": "30", "f": "0"}, "59.99", "poor"),
    ({"a": "0", "b": "0", "c": "0", "d": "0", "e": "0", "f": "0"}, "0.00", "poor"),
])
def test_grades_at_the_band_edges(values, total, grade):
    graded = evaluation_grade(SET, scores(**values), BANDS)
    assert (graded.total, graded.grade) == (Decimal(total), grade)


def test_other_bands_come_from_the_policy():
    bands = {"excellent_from": Decimal(95), "good_from": Decimal(85), "fair_from": Decimal(70)}
    assert [grade_for(Decimal(t), bands) for t in ("95", "94.99", "85", "70", "69.99")] == [
        "excellent", "good", "good", "fair", "poor"]


def test_incomplete_unknown_and_out_of_range_scores_are_not_graded():
    with pytest.raises(GradingError) as exc:
        evaluation_grade(SET, scores(a="7", b="4", c="30", d="20", e="30", z="1"), BANDS)
    assert (exc.value.missing, exc.value.unknown, exc.value.out_of_range) == (["f"], ["z"], ["a"])
    assert score_problems(SET, scores(a="-0.01")).out_of_range == ["a"]
    assert score_problems(SET, scores(a="6"), complete=False) is None


def test_subtotals_of_a_draft_count_only_what_is_scored():
    assert subtotals_of(SET, scores(a="3", d="10")) == {
        "budget": Decimal("3.00"), "outputs": Decimal("10.00"), "outcomes": Decimal("0.00"),
        "satisfaction": Decimal("0.00")}


def test_indicators_carry_their_parents_in_order():
    assert [(i.code, i.first, i.second, i.points) for i in indicators_of(SET)][:3] == [
        ("a", "budget", "s1", Decimal(6)), ("b", "budget", "s1", Decimal(4)),
        ("c", "outputs", "s2", Decimal(30))]


def test_score_text():
    assert [score_text(Decimal(v)) for v in ("85.00", "90.50", "100", "0", "7.25")] == [
        "85", "90.5", "100", "0", "7.25"]


# --- properties, over the default indicator sets of the policy --------------------------------

DEFAULT_SETS = [entry.model_dump(mode="json") for entry in DEFAULT_INDICATOR_SETS]
DEFAULT_BANDS = EvaluationSection().model_dump(mode="json")


def _score_for(points: Decimal):
    cents = int(points * 100)
    return st.integers(min_value=0, max_value=cents).map(lambda c: Decimal(c) / 100)


@st.composite
def scored(draw):
    indicator_set = draw(st.sampled_from([SET, *DEFAULT_SETS]))
    values = {i.code: draw(_score_for(i.points)) for i in indicators_of(indicator_set)}
    return indicator_set, values


@given(scored())
def test_total_is_within_0_and_100_and_the_sum_of_the_subtotals(case):
    indicator_set, values = case
    graded = evaluation_grade(indicator_set, values, DEFAULT_BANDS)
    assert Decimal(0) <= graded.total <= Decimal(100)
    assert graded.total == sum(graded.subtotals.values())
    assert graded.total == sum(values.values())
    assert graded.total == graded.total.quantize(Decimal("0.01"))


@given(scored(), st.data())
def test_a_higher_score_never_lowers_the_total_or_the_grade(case, data):
    indicator_set, values = case
    order = ["poor", "fair", "good", "excellent"]
    points = {i.code: i.points for i in indicators_of(indicator_set)}
    code = data.draw(st.sampled_from(sorted(values)))
    higher = data.draw(st.integers(min_value=int(values[code] * 100),
                                   max_value=int(points[code] * 100))) / Decimal(100)
    before = evaluation_grade(indicator_set, values, DEFAULT_BANDS)
    after = evaluation_grade(indicator_set, {**values, code: higher}, DEFAULT_BANDS)
    assert after.total - before.total == higher - values[code]
    assert order.index(after.grade) >= order.index(before.grade)


@given(st.decimals(min_value=0, max_value=100, places=2),
       st.decimals(min_value=0, max_value=100, places=2))
def test_grade_is_monotone_in_the_total(one, other):
    order = ["poor", "fair", "good", "excellent"]
    low, high = sorted((one, other))
    assert order.index(grade_for(low, DEFAULT_BANDS)) <= order.index(grade_for(high, DEFAULT_BANDS))


@pytest.mark.parametrize("indicator_set", [SET, *DEFAULT_SETS], ids=["test", "project",
                                                                      "school_year"])
def test_full_marks_are_excellent(indicator_set):
    full = {i.code: i.points for i in indicators_of(indicator_set)}
    graded = evaluation_grade(indicator_set, full, DEFAULT_BANDS)
    assert (graded.total, graded.grade) == (Decimal("100.00"), "excellent")
