"""R20: pass and excellent rates, pooled over candidates, against hand-computed cases (the
worked example of docs/surveys.md)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vetq.surveys.exam_metrics import (
    NO_MAJOR,
    Counts,
    beside,
    grouped,
    major_group,
    major_group_label,
    rate,
    total,
)

pytestmark = pytest.mark.unit

X = Counts(candidates=40, passed=36, excellent=10)
Y = Counts(candidates=60, passed=45, excellent=12)


def test_worked_example_pools_the_candidates():
    city = total([X, Y])
    assert city == Counts(100, 81, 22)
    x = beside("X", "学校X", X, city)
    assert (x.pass_rate, x.excellent_rate) == (0.9, 0.25)
    assert (x.city_pass_rate, x.city_excellent_rate) == (0.81, 0.22)
    assert x.pass_gap == pytest.approx(0.09)
    y = beside("Y", "学校Y", Y, city)
    assert (y.pass_rate, y.excellent_rate) == (0.75, 0.2)
    # not the mean of the schools' rates (82.5 %): Y has more candidates
    assert (x.pass_rate + y.pass_rate) / 2 == 0.825 != city.passed / city.candidates


def test_no_candidates_means_no_rate_not_zero():
    empty = beside("E", "", Counts(), Counts())
    assert (empty.pass_rate, empty.excellent_rate, empty.city_pass_rate, empty.pass_gap) == \
        (None, None, None, None)
    assert rate(0, 0) is None


@pytest.mark.parametrize("values", [(10, 11, 0), (10, 5, 6), (-1, 0, 0)])
def test_impossible_counts_are_refused(values):
    with pytest.raises(ValueError):
        Counts(*values)


def test_major_groups_are_the_first_two_digits():
    assert major_group("660301") == "66"
    assert major_group(" 460103 ") == "46"
    assert major_group(None) == NO_MAJOR == major_group("")
    assert major_group_label("66") == "66 装备制造类"
    assert major_group_label("46") == "46 装备制造大类"
    assert major_group_label("51") == "51 电子与信息大类"
    assert major_group_label("99") == "99"


def test_grouped_sums_per_key():
    items = [("660301", X), ("660103", Y), ("730801", X)]
    assert grouped(items, key=major_group) == {"66": X + Y, "73": X}


@given(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 500), st.integers(0, 500))))
def test_rates_stay_between_zero_and_one_and_excellent_never_above_pass(triples):
    counts = [Counts(c + p + e, p + e, e) for c, p, e in triples]
    city = total(counts)
    rates = beside("city", "", city, city)
    if city.candidates:
        assert 0 <= rates.excellent_rate <= rates.pass_rate <= 1
    else:
        assert rates.pass_rate is None
