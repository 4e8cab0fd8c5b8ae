"""R32: properties of the alignment measures over any enrolment and industry structure."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from vetq.surveys.alignment import ZeroTotal, align, pearson, shares, similarity, total_deviation

pytestmark = pytest.mark.unit

INDUSTRIES = [f"i{n}" for n in range(6)]
amount = st.one_of(st.integers(min_value=0, max_value=10**6),
                   st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False))
vector = st.fixed_dictionaries(dict.fromkeys(INDUSTRIES, amount))


def positive(amounts) -> bool:
    return sum(float(v) for v in amounts.values()) > 0


@given(vector)
def test_similarity_is_one_when_the_shares_match(amounts):
    assume(positive(amounts))
    result = align(amounts, amounts)
    assert result.similarity == 1.0
    assert result.total_deviation == pytest.approx(0.0, abs=1e-9)
    assert all(row.gap == 0.0 for row in result.rows)


@given(vector, st.integers(min_value=1, max_value=1000))
def test_similarity_ignores_the_scale(amounts, factor):
    assume(positive(amounts))
    scaled = {key: value * factor for key, value in amounts.items()}
    assert align(amounts, scaled).similarity == pytest.approx(1.0)


@given(vector, vector)
def test_similarity_within_zero_and_one_and_symmetric(p_amounts, q_amounts):
    assume(positive(p_amounts) and positive(q_amounts))
    p, q = shares(p_amounts), shares(q_amounts)
    s = similarity(p, q)
    assert 0.0 <= s <= 1.0
    assert s == similarity(q, p)


@given(vector, vector)
def test_pearson_within_minus_one_and_one_and_symmetric(p_amounts, q_amounts):
    assume(positive(p_amounts) and positive(q_amounts))
    p, q = shares(p_amounts), shares(q_amounts)
    r = pearson(p, q)
    assert r is None or -1.0 <= r <= 1.0
    other = pearson(q, p)
    assert (r is None) == (other is None)
    if r is not None:
        assert r == pytest.approx(other)


@given(vector, vector)
def test_total_deviation_never_negative_and_coverages_are_shares(p_amounts, q_amounts):
    assume(positive(p_amounts) and positive(q_amounts))
    result = align(p_amounts, q_amounts, pillars={"i0", "i1"})
    assert result.total_deviation >= 0.0
    assert total_deviation(shares(p_amounts), shares(q_amounts)) >= 0.0
    assert 0.0 <= result.coverage <= 1.0
    assert 0.0 <= result.pillar_coverage <= 1.0
    assert sum(row.enrolment_share for row in result.rows) == pytest.approx(1.0)
    assert sum(row.industry_share for row in result.rows) == pytest.approx(1.0)


@given(vector)
def test_a_zero_total_raises_the_clear_error_never_zero_division(p_amounts):
    zero = dict.fromkeys(INDUSTRIES, 0)
    for enrolment, industry, side in [(p_amounts, zero, "industry"), (zero, p_amounts, "enrolment")]:
        if side == "enrolment" and not positive(p_amounts):
            side = "industry"  # both zero: the industry side is checked first
        try:
            align(enrolment, industry)
        except ZeroTotal as error:
            assert error.side == side
        except ZeroDivisionError:  # pragma: no cover - the failure this test is for
            pytest.fail("divided by zero")
        else:
            pytest.fail("a zero total was accepted")
