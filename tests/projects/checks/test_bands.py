"""The mid-term score bands (pass / rectify / fail) as a pure function of the policy's values,
and the acceptance ratings a round's bands give (R31)."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vetq.projects.checks import midterm_result_for_score, result_for_score

pytestmark = pytest.mark.unit

WUXI = {"midterm_pass_from": "70", "midterm_rectify_from": "60", "excellent_from": "90",
        "pass_from": "60"}
ORDER = {"fail": 0, "rectify": 1, "pass": 2}
scores = st.decimals(min_value=0, max_value=100, places=2)
# Pure and quick, but the suite may run on a busy machine: time is no property of the bands.
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize(("score", "result"), [
    ("100", "pass"), ("70", "pass"), ("70.00", "pass"), ("69.99", "rectify"), ("60", "rectify"),
    ("59.99", "fail"), ("0", "fail"),
])
def test_midterm_bands_of_the_wuxi_policy(score, result):
    assert midterm_result_for_score(Decimal(score), WUXI) == result


def test_midterm_bands_come_from_the_policy_not_the_code():
    other_city = {"midterm_pass_from": 80, "midterm_rectify_from": 50}
    assert midterm_result_for_score(Decimal("75"), other_city) == "rectify"
    assert midterm_result_for_score(Decimal("50"), other_city) == "rectify"
    assert midterm_result_for_score(Decimal("49.99"), other_city) == "fail"
    assert midterm_result_for_score(Decimal("80"), other_city) == "pass"


def test_no_rectify_band_when_the_bands_meet():
    bands = {"midterm_pass_from": "60", "midterm_rectify_from": "60"}
    assert midterm_result_for_score(Decimal("59.99"), bands) == "fail"
    assert midterm_result_for_score(Decimal("60"), bands) == "pass"


@relaxed
@given(a=scores, b=scores, pass_from=scores, gap=scores)
def test_midterm_bands_are_monotone(a, b, pass_from, gap):
    bands = {"midterm_pass_from": pass_from, "midterm_rectify_from": max(pass_from - gap, 0)}
    low, high = sorted((a, b))
    assert ORDER[midterm_result_for_score(low, bands)] <= ORDER[midterm_result_for_score(high, bands)]


@relaxed
@given(score=scores, pass_from=scores, gap=scores)
def test_midterm_band_boundaries_belong_to_the_band_above(score, pass_from, gap):
    rectify_from = max(pass_from - gap, Decimal(0))
    bands = {"midterm_pass_from": str(pass_from), "midterm_rectify_from": str(rectify_from)}
    result = midterm_result_for_score(score, bands)
    assert (result == "pass") == (score >= pass_from)
    assert (result == "fail") == (score < rectify_from)
    assert midterm_result_for_score(pass_from, bands) == "pass"


@pytest.mark.parametrize(("kind", "score", "result"), [
    ("midterm", "65", "rectify"), ("acceptance", "90", "excellent"),
    ("acceptance", "89.99", "pass"), ("acceptance", "59.99", "fail"),
])
def test_result_for_score_by_kind(kind, score, result):
    assert result_for_score(kind, Decimal(score), WUXI) == result
