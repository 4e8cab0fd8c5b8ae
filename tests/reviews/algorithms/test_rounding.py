import math
import random
from collections import Counter
from fractions import Fraction

import pytest

from vetq.reviews.canonical import Stream
from vetq.reviews.rounding import dependent_round

pytestmark = pytest.mark.unit


def _random_fractional(rng, left, right, denominator):
    """A fractional b-matching whose left degrees are integers: each left node spreads
    `units` over distinct right nodes."""
    x = {}
    for i in range(left):
        need = rng.randint(1, 3) * denominator
        rights = rng.sample(range(right), right)
        for j in rights:
            if need == 0:
                break
            part = min(need, rng.randint(1, denominator))
            x[(i, f"R{j:02d}")] = Fraction(part, denominator)
            need -= part
        if need:
            return None
    return x


@pytest.mark.parametrize("trial", range(25))
def test_dependent_rounding_keeps_integral_degrees_and_floors_or_ceils_the_others(trial):
    rng = random.Random(trial)
    x = None
    while x is None:
        x = _random_fractional(rng, rng.randint(1, 8), rng.randint(3, 12), rng.choice([2, 3, 10]))

    chosen = dependent_round(x, Stream(f"{trial:064x}", "rounding"))

    assert set(chosen) <= {pair for pair, value in x.items() if value > 0}
    left, right = Counter(), Counter()
    for i, j in chosen:
        left[i] += 1
        right[j] += 1
    for i in {i for i, _ in x}:
        assert left[i] == sum(v for (a, _), v in x.items() if a == i)
    for j in {j for _, j in x}:
        load = sum(v for (_, b), v in x.items() if b == j)
        assert math.floor(load) <= right[j] <= math.ceil(load)


def test_dependent_rounding_keeps_integral_values_and_is_reproducible():
    x = {(1, "A"): Fraction(1), (1, "B"): Fraction(0), (2, "A"): Fraction(1, 2), (2, "B"): Fraction(1, 2)}

    first = dependent_round(x, Stream("s", "rounding"))

    assert (1, "A") in first and (1, "B") not in first
    assert first == dependent_round(x, Stream("s", "rounding"))


def test_dependent_rounding_marginals_on_a_cycle():
    third, two_thirds = Fraction(1, 3), Fraction(2, 3)
    x = {(1, "A"): third, (1, "B"): two_thirds, (2, "A"): two_thirds, (2, "B"): third}
    counts = Counter()

    for number in range(3000):
        counts.update(dependent_round(x, Stream(str(number), "rounding")))

    assert all(abs(counts[pair] / 3000 - float(value)) < 0.03 for pair, value in x.items())


def test_dependent_rounding_refuses_a_probability_above_one():
    with pytest.raises(ValueError, match="must lie in"):
        dependent_round({(1, "A"): Fraction(3, 2)}, Stream("s", "rounding"))
