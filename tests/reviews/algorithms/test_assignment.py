import itertools
import math
import random
from collections import Counter
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vetq.reviews import assignment as A
from vetq.reviews import candidates as C
from vetq.reviews.assignment import (
    NoAssignment,
    Reviewer,
    Rules,
    Subject,
    assign,
    greedy,
    lp_bound,
    match,
)
from vetq.reviews.candidates import cost_scale, tie_bits, tie_value

pytestmark = pytest.mark.unit

SEED = "5eed" * 16
INDUSTRIES = ["it", "equipment", "logistics", "care"]
GROUPS = ["46", "51", "53", "56", "59"]


def S(id, industries=(), groups=()):
    return Subject(id, frozenset(industries), frozenset(groups))


def R(code, industries=(), groups=()):
    return Reviewer(code, frozenset(industries), frozenset(groups))


def rules(**values):
    defaults = {"k": 1, "load_min": 0, "load_max": 3, "balance_weight": 20, "candidates": 60}
    return Rules(**(defaults | values))


# --- match and rules ----------------------------------------------------------------------------


@pytest.mark.parametrize("subject, reviewer, expected", [
    (S(1, {"it"}, {"51"}), R("E", {"it"}, {"51"}), 1000),
    (S(1, {"it"}, {"51"}), R("E", {"it"}, {"46"}), 500),
    (S(1, {"it"}, {"51", "46"}), R("E", {"it"}, {"46"}), 750),
    (S(1, {"it", "care"}, {"51", "46", "53"}), R("E", {"care"}, {"46"}), 417),  # (1/2 + 1/3) / 2
    (S(1, {"it"}, ()), R("E", {"it", "care"}, {"51"}), 1000),
    (S(1, (), {"51", "46", "53"}), R("E", (), {"51", "46"}), 667),
    (S(1, (), ()), R("E", {"it"}, {"51"}), 0),
    (S(1, {"it", "care"}, {"51", "46", "53", "56"}), R("E", {"it"}, {"51"}), 375),
    (S(1, {"a", "b", "c", "d"}, {"x", "y", "z", "w", "v", "u", "t", "s"}), R("E", {"a"}, {"x"}), 188),
])
def test_match_is_the_rounded_mean_coverage_of_the_subject_tags(subject, reviewer, expected):
    assert match(subject, reviewer) == expected


def test_rules_from_policy_reads_the_review_section_with_decimal_strings():
    review = {"experts_per_application": 5, "load_min": 1, "load_max": 10, "balance_weight": 20,
              "candidates_per_application": 60, "probability_cap": "0.50", "min_score": "60"}

    result = Rules.from_policy(review)

    assert result == Rules(k=5, load_min=1, load_max=10, balance_weight=20, candidates=60,
                           probability_cap=Fraction(1, 2))
    assert result.capped and result.units == (1, 2) and result.needed == 10


def test_rules_defaults_and_decimal_cap():
    assert Rules.from_policy({"probability_cap": Decimal("0.3")}).probability_cap == Fraction(3, 10)
    assert Rules.from_policy({}) == Rules(5, 1, 10, 20, 60)
    assert not Rules.from_policy({"probability_cap": "1"}).capped


@pytest.mark.parametrize("values, message", [
    ({"k": 0}, "at least 1"),
    ({"load_min": 4}, "load_min must lie"),
    ({"balance_weight": -1}, "must not be negative"),
    ({"probability_cap": Fraction(3, 2)}, "probability_cap"),
])
def test_rules_refuse_impossible_values(values, message):
    with pytest.raises(ValueError, match=message):
        rules(**values)


def test_tie_bits_keep_every_cost_and_potential_within_64_bits():
    cases = [(1, 1, rules()), (30, 18, rules(k=5, load_max=10)), (10_000, 2_000, rules(k=5, load_max=36)),
             (200, 100, rules(k=5, load_max=1000, balance_weight=1000))]
    for n, m, r in cases:
        bits = tie_bits(n, m, r)
        weight = max(1001, r.balance_weight * (r.load_max - 1) + 1)
        assert 4 * (n + m + 2) ** 2 * 2 * min(n, m) * weight << bits <= 2**63
        assert bits == 32 or 4 * (n + m + 2) ** 2 * 2 * min(n, m) * weight << (bits + 1) > 2**63
    assert tie_bits(30, 18, rules(k=5, load_max=10)) == 32
    assert tie_bits(10_000, 2_000, rules(k=5, load_max=36)) == 11
    assert cost_scale(10_000, 2_000, rules(k=5, load_max=36)) == 4000 * 2**11


def test_tie_value_is_seeded():
    assert tie_value(SEED, 1, "E1", 32) != tie_value(SEED, 1, "E2", 32)
    assert tie_value(SEED, 1, "E1", 32) != tie_value("other", 1, "E1", 32)
    assert tie_value(SEED, 1, "E1", 0) == 0
    assert 0 <= tie_value(SEED, 7, "E9", 11) < 2**11


# --- the candidate graph against its definition -------------------------------------------------


def _random_instance(rng, n, m, conflict_rate=0.2):
    subjects = [S(3 * i + 1, rng.sample(INDUSTRIES, rng.randint(0, 2)), rng.sample(GROUPS, rng.randint(0, 2)))
                for i in range(n)]
    reviewers = [R(f"E{rng.randint(0, 999):03d}-{j}", rng.sample(INDUSTRIES, rng.randint(0, 3)),
                   rng.sample(GROUPS, rng.randint(0, 3))) for j in range(m)]
    conflicts = {(r.code, s.id) for r in reviewers for s in subjects if rng.random() < conflict_rate}
    return subjects, reviewers, conflicts


def _graph_by_definition(subjects, reviewers, conflicts, rule, seed):
    subjects = sorted(subjects, key=lambda s: s.id)
    reviewers = sorted(reviewers, key=lambda r: r.code)
    bits = tie_bits(len(subjects), len(reviewers), rule)
    key = {(i, j): (1000 - match(s, r), tie_value(seed, s.id, r.code, bits))
           for i, s in enumerate(subjects) for j, r in enumerate(reviewers)
           if (r.code, s.id) not in conflicts}
    keep = set()
    for i in range(len(subjects)):
        row = sorted((key[i, j] + (j,), j) for j in range(len(reviewers)) if (i, j) in key)
        keep |= {(i, j) for _, j in row[:max(rule.candidates, rule.needed)]}
    for j in range(len(reviewers)):
        column = sorted((key[i, j] + (i,), i) for i in range(len(subjects)) if (i, j) in key)
        keep |= {(i, j) for _, i in column[:rule.candidates]}
    return keep, key


@pytest.mark.parametrize("trial", range(12))
def test_candidate_graph_equals_its_definition(trial, monkeypatch):
    rng = random.Random(trial)
    subjects, reviewers, conflicts = _random_instance(rng, rng.randint(1, 30), rng.randint(1, 25))
    rule = rules(balance_weight=rng.choice([0, 20]), candidates=rng.randint(1, 8))
    monkeypatch.setattr(C, "BLOCK_PAIRS", rng.choice([1, 7, 64, 1 << 21]))

    graph = C.Instance.build(subjects, reviewers, conflicts, rule, SEED).graph(full=False)

    expected, key = _graph_by_definition(subjects, reviewers, conflicts, rule, SEED)
    assert set(zip(graph.subject.tolist(), graph.reviewer.tolist(), strict=True)) == expected
    assert all((int(b), int(t)) == key[int(i), int(j)]
               for i, j, b, t in zip(graph.subject, graph.reviewer, graph.base, graph.tie, strict=True))


# --- the optimum --------------------------------------------------------------------------------


def _objective(solution, subjects, reviewers, rule):
    by_id = {s.id: s for s in subjects}
    by_code = {r.code: r for r in reviewers}
    return (sum(1000 - match(by_id[i], by_code[c]) for i, c in solution.pairs)
            + sum(rule.balance_weight * x * (x - 1) // 2 for x in solution.loads.values()))


@st.composite
def instances(draw):
    n = draw(st.integers(1, 7))
    m = draw(st.integers(1, 9))
    tags = st.frozensets(st.sampled_from(INDUSTRIES), max_size=2)
    groups = st.frozensets(st.sampled_from(GROUPS), max_size=2)
    subjects = [Subject(i * 10, draw(tags), draw(groups)) for i in range(n)]
    reviewers = [Reviewer(f"E{j}", draw(tags), draw(groups)) for j in range(m)]
    pairs = [(r.code, s.id) for r in reviewers for s in subjects]
    conflicts = set(draw(st.lists(st.sampled_from(pairs), max_size=len(pairs) // 2)))
    k = draw(st.integers(1, 3))
    load_max = draw(st.integers(1, 6))
    rule = Rules(k=k, load_min=draw(st.integers(0, load_max)), load_max=load_max,
                 balance_weight=draw(st.sampled_from([0, 1, 20, 300])), candidates=draw(st.integers(1, 6)))
    return subjects, reviewers, conflicts, rule, draw(st.text(max_size=8))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_assignment_is_conflict_free_complete_within_bounds_and_lp_optimal(instance):
    subjects, reviewers, conflicts, rule, seed = instance
    try:
        solution = assign(subjects, reviewers, conflicts, rule, seed=seed)
    except NoAssignment as exc:
        assert lp_bound(subjects, reviewers, conflicts, rule, seed=seed, full_graph=True) == math.inf
        assert exc.problems and exc.cause in {"conflicts", "load_max", "load_min"}
        return
    pairs = solution.pairs
    assert not {(code, i) for i, code in pairs} & conflicts
    assert Counter(i for i, _ in pairs) == {s.id: rule.k for s in subjects}
    assert len(set(pairs)) == len(pairs)
    assert all(rule.load_min <= load <= rule.load_max for load in solution.loads.values())
    assert solution.loads == {r.code: sum(c == r.code for _, c in pairs) for r in reviewers}
    assert solution.objective == _objective(solution, subjects, reviewers, rule)
    bound = lp_bound(subjects, reviewers, conflicts, rule, seed=seed, full_graph=solution.full_graph)
    assert solution.objective == round(bound) and abs(bound - round(bound)) < 1e-6
    if rule.candidates < len(reviewers):  # the candidate graph is smaller than the full one
        full = lp_bound(subjects, reviewers, conflicts, rule, seed=seed, full_graph=True)
        assert solution.objective >= full - 1e-6


def _perturbed_cost(pairs, subjects, reviewers, rule, seed):
    by_id = {s.id: s for s in subjects}
    by_code = {r.code: r for r in reviewers}
    n, m = len(subjects), len(reviewers)
    scale, bits = cost_scale(n, m, rule), tie_bits(n, m, rule)
    loads = Counter(c for _, c in pairs)
    return (sum(scale * (1000 - match(by_id[i], by_code[c])) + tie_value(seed, i, c, bits) for i, c in pairs)
            + sum(scale * rule.balance_weight * x * (x - 1) // 2 for x in loads.values()))


@pytest.mark.parametrize("trial", range(15))
def test_assignment_is_the_unique_minimum_of_the_documented_perturbed_cost(trial):
    rng = random.Random(100 + trial)
    subjects, reviewers, conflicts = _random_instance(rng, rng.randint(1, 3), rng.randint(2, 5), 0.15)
    rule = rules(k=rng.randint(1, 2), load_max=rng.randint(1, 3), balance_weight=rng.choice([0, 20]),
                 candidates=10)
    free = {s.id: [r.code for r in reviewers if (r.code, s.id) not in conflicts] for s in subjects}
    by_subject = [[[(s.id, c) for c in combo] for combo in itertools.combinations(free[s.id], rule.k)]
                  for s in subjects]
    feasible = []
    for choice in itertools.product(*by_subject):
        pairs = sorted(p for part in choice for p in part)
        loads = Counter(c for _, c in pairs)
        if all(loads[r.code] <= rule.load_max for r in reviewers):
            feasible.append((_perturbed_cost(pairs, subjects, reviewers, rule, SEED), pairs))
    if not feasible:
        with pytest.raises(NoAssignment):
            assign(subjects, reviewers, conflicts, rule, seed=SEED)
        return
    feasible.sort()
    assert len(feasible) == 1 or feasible[0][0] < feasible[1][0]

    assert assign(subjects, reviewers, conflicts, rule, seed=SEED).pairs == feasible[0][1]


def test_assignment_does_not_depend_on_input_order():
    rng = random.Random(7)
    subjects, reviewers, conflicts = _random_instance(rng, 20, 15, 0.1)
    rule = rules(k=3, load_max=6, candidates=5)

    first = assign(subjects, reviewers, conflicts, rule, seed=SEED)
    again = assign(list(reversed(subjects)), rng.sample(reviewers, len(reviewers)), list(conflicts), rule,
                   seed=SEED)

    assert first == again


def test_balance_weight_spreads_the_load():
    subjects = [S(i, {"it"}) for i in range(6)]
    reviewers = [R("A", {"it"}), R("B", {"it"}), R("C", {"care"})]

    lopsided = assign(subjects, reviewers, set(), rules(load_max=6, balance_weight=0), seed=SEED)
    balanced = assign(subjects, reviewers, set(), rules(load_max=6, balance_weight=1200), seed=SEED)

    assert lopsided.loads["C"] == 0
    assert balanced.loads == {"A": 2, "B": 2, "C": 2}


def test_restricted_graph_without_assignment_falls_back_to_every_conflict_free_pair():
    subjects = [S(1, {"it"}), S(2, {"care"}), S(3, {"logistics"})]
    reviewers = [R("A", {"it", "care", "logistics"}), R("B", {"it"}), R("C", {"it"})]
    rule = rules(load_min=1, load_max=1, candidates=1)

    solution = assign(subjects, reviewers, set(), rule, seed=SEED)

    assert solution.full_graph is True
    assert sorted(c for _, c in solution.pairs) == ["A", "B", "C"]


# --- when there is no assignment ----------------------------------------------------------------


def test_no_assignment_names_the_applications_short_of_experts():
    subjects = [S(1), S(2), S(3)]
    reviewers = [R("A"), R("B"), R("C")]
    conflicts = {("A", 1), ("B", 1), ("A", 3)}

    with pytest.raises(NoAssignment) as caught:
        assign(subjects, reviewers, conflicts, rules(k=2), seed=SEED)

    assert caught.value.cause == "conflicts"
    assert caught.value.shortages == [A.Shortage(1, 1, 2)]
    assert caught.value.lines() == ["Application 1: 1 experts free of conflict, 2 needed."]


def test_no_assignment_under_a_cap_counts_k_over_q():
    subjects = [S(1)]
    reviewers = [R("A"), R("B"), R("C")]

    with pytest.raises(NoAssignment) as caught:
        assign(subjects, reviewers, set(), rules(k=2, probability_cap=Fraction(1, 2)), seed=SEED)

    assert caught.value.shortages == [A.Shortage(1, 3, 4)]
    assert str(caught.value) == ("Application 1: 3 experts free of conflict, 4 needed (2 experts, no pair "
                                 "more likely than 1/2).")


def test_no_assignment_when_the_experts_cannot_take_all_reviews():
    with pytest.raises(NoAssignment) as caught:
        assign([S(1), S(2), S(3)], [R("A"), R("B")], set(), rules(k=2, load_max=2), seed=SEED)

    assert caught.value.cause == "load_max"
    assert str(caught.value) == ("3 applications × 2 experts need 6 reviews, but 2 experts × at most 2 give "
                                 "only 4.")


def test_no_assignment_when_load_min_needs_more_reviews_than_there_are():
    with pytest.raises(NoAssignment) as caught:
        assign([S(1)], [R("A"), R("B"), R("C")], set(), rules(k=1, load_min=1), seed=SEED)

    assert caught.value.cause == "load_min"
    assert str(caught.value) == ("3 experts × at least 1 need 3 reviews, but 1 applications × 1 experts "
                                 "give only 1.")


def test_no_assignment_names_an_expert_who_cannot_reach_load_min():
    conflicts = {("C", 1), ("C", 2)}

    with pytest.raises(NoAssignment) as caught:
        assign([S(1), S(2)], [R("A"), R("B"), R("C")], conflicts, rules(k=2, load_min=1), seed=SEED)

    assert caught.value.reviewers == ["C"]
    assert str(caught.value) == ("Expert C is free of conflict with only 0 applications but must review at "
                                 "least 1.")


def test_no_assignment_names_a_group_of_applications_sharing_too_few_experts():
    subjects = [S(1), S(2), S(3), S(4)]
    reviewers = [R("A"), R("B"), R("C"), R("D")]
    conflicts = {(c, i) for c in "CD" for i in (1, 2, 3)}

    with pytest.raises(NoAssignment) as caught:
        assign(subjects, reviewers, conflicts, rules(k=1, load_max=1), seed=SEED)

    assert caught.value.cause == "load_max"
    assert caught.value.subjects == [1, 2, 3]
    assert str(caught.value) == ("Applications 1, 2, 3 need 3 reviews together, but the experts free of "
                                 "conflict with them can give only 2 within the maximum load of 1.")


def test_no_assignment_names_experts_that_cannot_all_reach_load_min():
    subjects = [S(1), S(2), S(3), S(4)]
    reviewers = [R("A"), R("B"), R("C"), R("D")]
    conflicts = {(c, i) for c in "AB" for i in (2, 3, 4)}

    with pytest.raises(NoAssignment) as caught:
        assign(subjects, reviewers, conflicts, rules(k=1, load_min=1, load_max=2), seed=SEED)

    assert caught.value.cause == "load_min"
    assert caught.value.reviewers == ["A", "B"]
    assert str(caught.value) == ("Experts A, B cannot all review at least 1 applications: together they are "
                                 "free of conflict with too few applications.")


def test_no_subjects_give_an_empty_assignment():
    solution = assign([], [R("A")], set(), rules(), seed=SEED)

    assert solution.pairs == [] and solution.objective == 0 and solution.loads == {"A": 0}


# --- the greedy baseline ------------------------------------------------------------------------


def test_greedy_baseline_is_valid_and_never_better_than_the_optimum():
    rng = random.Random(11)
    subjects, reviewers, conflicts = _random_instance(rng, 25, 12, 0.1)
    rule = rules(k=3, load_max=10, candidates=8)

    baseline = greedy(subjects, reviewers, conflicts, rule, seed=SEED)
    optimum = assign(subjects, reviewers, conflicts, rule, seed=SEED)

    assert baseline.complete
    assert not {(c, i) for i, c in baseline.pairs} & conflicts
    assert Counter(i for i, _ in baseline.pairs) == {s.id: 3 for s in subjects}
    assert baseline.objective == _objective(baseline, subjects, reviewers, rule) >= optimum.objective


# --- probability caps ---------------------------------------------------------------------------


def _lottery_instance():
    subjects = [S(1, {"it"}, {"51"}), S(2, {"it"}, {"46"}), S(3, {"care"}, {"51"}), S(4, {"care"}, {"46"})]
    reviewers = [R("A", {"it"}, {"51"}), R("B", {"it", "care"}), R("C", {"care"}, {"46"}), R("D", (), {"51"}),
                 R("E", {"it"}, {"46", "51"}), R("F", {"care"})]
    return subjects, reviewers, {("A", 1), ("C", 4)}


@pytest.mark.parametrize("cap, k", [(Fraction(1, 2), 2), (Fraction(2, 3), 2), (Fraction(3, 10), 1)])
def test_capped_fractional_optimum_equals_the_lp_and_respects_the_cap(cap, k):
    subjects, reviewers, conflicts = _lottery_instance()
    rule = rules(k=k, load_min=1 if k > 1 else 0, load_max=3, candidates=6, probability_cap=cap)

    solution = assign(subjects, reviewers, conflicts, rule, seed=SEED)

    assert all(0 < x <= cap for x in solution.fractional.values())
    assert all(sum(x for (i, _), x in solution.fractional.items() if i == s.id) == k for s in subjects)
    assert float(solution.fractional_objective) == pytest.approx(
        lp_bound(subjects, reviewers, conflicts, rule, seed=SEED), abs=1e-6)
    fractional_load = Counter()
    for (_, code), x in solution.fractional.items():
        fractional_load[code] += x
    for code, load in solution.loads.items():
        assert math.floor(fractional_load[code]) <= load <= math.ceil(fractional_load[code])
    assert Counter(i for i, _ in solution.pairs) == {s.id: k for s in subjects}
    assert set(solution.pairs) <= set(solution.fractional)


@pytest.mark.parametrize("cap, k", [(Fraction(1, 2), 2), (Fraction(1, 3), 1)])
def test_each_pair_is_drawn_as_often_as_its_fractional_value(cap, k):
    """1,000 seeded draws: each pair's frequency is within 0.05 of its probability (the mean of
    the fractional optimum over the same seeds; the seed also breaks ties in that optimum)."""
    subjects, reviewers, conflicts = _lottery_instance()
    rule = rules(k=k, load_min=0, load_max=3, candidates=6, probability_cap=cap)
    drawn, target = Counter(), Counter()

    for number in range(1000):
        solution = assign(subjects, reviewers, conflicts, rule, seed=f"{number:064x}")
        drawn.update(solution.pairs)
        target.update({pair: float(x) for pair, x in solution.fractional.items()})

    assert set(drawn) <= set(target)
    assert max(abs(drawn[pair] - target[pair]) / 1000 for pair in target) <= 0.05
    assert max(drawn[pair] for pair in drawn) / 1000 <= float(cap) + 0.05
