"""Pure scoring (fair-review.md §4): weighted totals with "not applicable" rescaled, the
rubric checks, the trimmed mean, reviewer-offset calibration, spread and disagreement."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vetq.reviews import scoring

pytestmark = pytest.mark.unit

RUBRIC = {
    "code": "construction",
    "name": "建设项目评分表",
    "criteria": [
        {"code": "basis", "name": "建设基础", "name_en": "Foundation", "weight": "20", "max": "10"},
        {"code": "goals", "name": "建设目标与内容", "name_en": "Goals", "weight": "30", "max": "10",
         "comment_required": True},
        {"code": "industry", "name": "产教融合", "name_en": "Industry", "weight": "20", "max": "10",
         "allow_na": True},
        {"code": "measures", "name": "保障措施", "name_en": "Safeguards", "weight": "15", "max": "10"},
        {"code": "budget", "name": "经费预算", "name_en": "Budget", "weight": "15", "max": "5"},
    ],
}
FULL = {"basis": 8, "goals": 9, "industry": 7, "measures": 6, "budget": 4}


def codes(problems) -> list[tuple[str, str]]:
    return [(p.code, p.params.get("criterion", p.params.get("code", ""))) for p in problems]


def test_weighted_total_by_hand():
    # (20·0.8 + 30·0.9 + 20·0.7 + 15·0.6 + 15·0.8) / 100 × 100 = 16 + 27 + 14 + 9 + 12 = 78
    assert scoring.weighted_total(RUBRIC, FULL) == Decimal("78.00")


def test_weighted_total_not_applicable_rescales_the_other_weights():
    # without industry: (16 + 27 + 9 + 12) / 80 × 100 = 80
    assert scoring.weighted_total(RUBRIC, {**FULL, "industry": None}) == Decimal("80.00")


def test_weighted_total_not_applicable_is_never_zero():
    as_zero = scoring.weighted_total(RUBRIC, {**FULL, "industry": 0})
    as_na = scoring.weighted_total(RUBRIC, {**FULL, "industry": None})
    assert as_zero == Decimal("64.00")
    assert as_na == Decimal("80.00")


def test_weighted_total_rounds_half_up_to_two_places():
    rubric = {"criteria": [{"code": "a", "weight": 1, "max": 3}, {"code": "b", "weight": 1, "max": 3}]}
    # (1/3 + 0.5/3) / 2 × 100 = 25
    assert scoring.weighted_total(rubric, {"a": 1, "b": "0.5"}) == Decimal("25.00")
    # 1/3 × 100 = 33.333… → 33.33; 2/3 × 100 = 66.666… → 66.67
    assert scoring.weighted_total(rubric, {"a": 1, "b": 1}) == Decimal("33.33")
    assert scoring.weighted_total(rubric, {"a": 2, "b": 2}) == Decimal("66.67")
    halves = {"criteria": [{"code": "a", "weight": 1, "max": 8}]}
    assert scoring.weighted_total(halves, {"a": "0.01"}) == Decimal("0.13")  # 0.125 → 0.13


def test_weighted_total_refuses_missing_out_of_bounds_and_all_na():
    with pytest.raises(ValueError, match="not scored"):
        scoring.weighted_total(RUBRIC, {"basis": 8})
    with pytest.raises(ValueError, match="outside"):
        scoring.weighted_total(RUBRIC, {**FULL, "budget": 6})
    only_na = {"criteria": [{"code": "a", "weight": 1, "max": 10, "allow_na": True}]}
    with pytest.raises(ValueError, match="applicable"):
        scoring.weighted_total(only_na, {"a": None})


def test_review_problems_complete_review_has_none():
    assert scoring.review_problems(RUBRIC, FULL, {"goals": "好"}) == []


def test_review_problems_reports_everything_at_once():
    scores = {"basis": 11, "goals": -1, "measures": None, "budget": "abc", "extra": 3}
    problems = scoring.review_problems(RUBRIC, scores, {}, complete=True)
    assert codes(problems) == [
        ("unknown_criterion", "extra"),
        ("score_out_of_bounds", "Foundation"),
        ("score_out_of_bounds", "Goals"),
        ("comment_missing", "Goals"),
        ("score_missing", "Industry"),
        ("na_not_allowed", "Safeguards"),
        ("score_invalid", "Budget"),
    ]
    assert all(p.message for p in problems)


def test_review_problems_on_a_draft_checks_bounds_but_not_completeness():
    problems = scoring.review_problems(RUBRIC, {"basis": 10.5, "industry": None}, {}, complete=False)
    assert codes(problems) == [("score_out_of_bounds", "Foundation")]


def test_review_problems_bounds_are_inclusive():
    assert scoring.review_problems(RUBRIC, {**FULL, "basis": 0, "budget": 5}, {"goals": "x"}) == []


def test_review_problems_refuses_more_than_two_decimals_and_blank_comment():
    problems = scoring.review_problems(RUBRIC, {**FULL, "basis": "7.125"}, {"goals": "   "})
    assert codes(problems) == [("score_invalid", "Foundation"), ("comment_missing", "Goals")]


@pytest.mark.parametrize("value", [True, "nan", "inf", "1e400", "", "八"])
def test_score_parse_refuses_what_is_not_a_score(value):
    with pytest.raises(ValueError):
        scoring.score_parse(value)


def test_aggregate_trims_highest_and_lowest_from_five():
    totals = [Decimal(t) for t in ("90", "80", "70", "60", "20")]
    assert scoring.aggregate(totals, trim_from=5, trim=1) == Decimal("70.00")
    assert scoring.mean(totals) == Decimal("64.00")


def test_aggregate_does_not_trim_below_trim_from():
    totals = [Decimal("90"), Decimal("80"), Decimal("20"), Decimal("61")]
    assert scoring.aggregate(totals, trim_from=5, trim=1) == Decimal("62.75")


def test_aggregate_empty_refused():
    with pytest.raises(ValueError):
        scoring.aggregate([], trim_from=5, trim=1)


def test_spread_and_disagreement():
    totals = [Decimal("85.5"), Decimal("62"), Decimal("70")]
    assert scoring.spread(totals) == Decimal("23.5")
    assert scoring.disagreement(totals, Decimal("20")) is True
    assert scoring.disagreement(totals, "23.5") is False  # above, not at, the threshold
    assert scoring.disagreement([Decimal(50)], 0) is False


def test_offsets_and_calibration_by_hand():
    # A gives 10 points more than B on both applications they share; A alone reviews 3,
    # B alone reviews 4, C alone reviews 5 (no one to compare with: offset 0).
    totals = {(1, "A"): Decimal(80), (1, "B"): Decimal(70), (2, "A"): Decimal(90),
              (2, "B"): Decimal(80), (3, "A"): Decimal(85), (4, "B"): Decimal(75),
              (5, "C"): Decimal(60)}
    assert scoring.reviewer_offsets(totals) == {"A": Decimal("10.00"), "B": Decimal("-10.00"),
                                                "C": Decimal("0.00")}
    # 1: (80−10 + 70+10)/2; 3: 85−10; 4: 75+10 — the two lone reviews become comparable.
    assert scoring.calibrated_scores(totals) == {1: Decimal("75.00"), 2: Decimal("85.00"),
                                                 3: Decimal("75.00"), 4: Decimal("85.00"),
                                                 5: Decimal("60.00")}


def test_criterion_averages_leave_out_not_applicable():
    reviews = [{"basis": 8, "industry": None}, {"basis": 7, "industry": 6}, {"basis": "9.5"}]
    averages = scoring.criterion_averages(RUBRIC, reviews)
    assert averages["basis"] == Decimal("8.17")
    assert averages["industry"] == Decimal("6.00")
    assert averages["goals"] is None


# Properties -------------------------------------------------------------------------------

weights = st.integers(min_value=1, max_value=100)
maxima = st.sampled_from([5, 10, 20, 100])


@st.composite
def rubric_and_scores(draw):
    n = draw(st.integers(min_value=1, max_value=7))
    criteria, scores = [], {}
    for i in range(n):
        top = draw(maxima)
        criteria.append({"code": f"c{i}", "weight": draw(weights), "max": top, "allow_na": i > 0})
        cents = draw(st.integers(min_value=0, max_value=top * 100))
        scores[f"c{i}"] = str(Decimal(cents).scaleb(-2))
    return {"criteria": criteria}, scores


@given(rubric_and_scores())
def test_property_total_within_0_and_100(case):
    rubric, scores = case
    total = scoring.weighted_total(rubric, scores)
    assert Decimal(0) <= total <= Decimal(100)
    assert total == total.quantize(Decimal("0.01"))


@given(rubric_and_scores(), st.data())
def test_property_na_equals_removing_the_criterion(case, data):
    rubric, scores = case
    if len(rubric["criteria"]) < 2:
        return
    index = data.draw(st.integers(min_value=1, max_value=len(rubric["criteria"]) - 1))
    code = rubric["criteria"][index]["code"]
    marked = scoring.weighted_total(rubric, {**scores, code: None})
    removed_rubric = {"criteria": [c for c in rubric["criteria"] if c["code"] != code]}
    removed = scoring.weighted_total(removed_rubric, {k: v for k, v in scores.items() if k != code})
    assert marked == removed


totals_lists = st.lists(
    st.integers(min_value=0, max_value=10000).map(lambda c: Decimal(c).scaleb(-2)),
    min_size=1, max_size=12,
)


@given(totals_lists, st.integers(min_value=3, max_value=7), st.integers(min_value=0, max_value=1))
def test_property_trimmed_mean_within_min_and_max(totals, trim_from, trim):
    score = scoring.aggregate(totals, trim_from=trim_from, trim=trim)
    assert min(totals) <= score <= max(totals)


@given(totals_lists, st.randoms(use_true_random=False))
def test_property_order_of_totals_does_not_matter(totals, random):
    shuffled = list(totals)
    random.shuffle(shuffled)
    assert scoring.aggregate(shuffled, trim_from=5, trim=1) == scoring.aggregate(
        totals, trim_from=5, trim=1)
    assert scoring.mean(shuffled) == scoring.mean(totals)
    assert scoring.spread(shuffled) == scoring.spread(totals)


@st.composite
def review_matrix(draw):
    experts = [f"E{i}" for i in range(draw(st.integers(min_value=2, max_value=6)))]
    applications = range(draw(st.integers(min_value=1, max_value=8)))
    totals = {}
    for application in applications:
        reviewers = draw(st.lists(st.sampled_from(experts), min_size=1, max_size=len(experts),
                                  unique=True))
        for expert in reviewers:
            totals[(application, expert)] = Decimal(
                draw(st.integers(min_value=0, max_value=10000))).scaleb(-2)
    return totals


@given(review_matrix(), st.integers(min_value=-3000, max_value=3000), st.data())
def test_property_shifting_one_experts_totals_shifts_its_offset(totals, cents, data):
    shift = Decimal(cents).scaleb(-2)
    experts = sorted({e for _a, e in totals})
    expert = data.draw(st.sampled_from(experts))
    shares = any(
        e == expert and any(o != expert and a2 == a for a2, o in totals) for a, e in totals
    )
    shifted = {key: total + shift if key[1] == expert else total for key, total in totals.items()}
    before = scoring.reviewer_offsets(totals)[expert]
    after = scoring.reviewer_offsets(shifted)[expert]
    assert after - before == (shift if shares else 0)


@given(review_matrix())
def test_property_calibration_keeps_every_application(totals):
    calibrated = scoring.calibrated_scores(totals)
    assert set(calibrated) == {a for a, _e in totals}
