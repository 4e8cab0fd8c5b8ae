"""Optimal assignment of experts to applications (fair-review.md §3, R24).

Each application (subject) gets exactly k experts (reviewers), never a conflicting one; each
expert's load stays within [load_min, load_max]; the sum of (1000 − match) plus a convex load
cost (the t-th application an expert takes costs balance_weight × (t − 1)) is minimised
exactly by OR-Tools' min-cost flow with integer costs. A seeded tie value makes the optimum
unique in practice. With a probability cap q the exact fractional optimum (no pair above q) is
sampled by dependent rounding with the seed. Every number is defined in
docs/review-algorithm.md. Pure: no Django models, no database.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from .candidates import MATCH_SCALE, Graph, Instance, cost_scale
from .canonical import Stream
from .rounding import dependent_round


def N_(message: str) -> str:
    """Marks a message id for makemessages (--keyword=N_); translated where shown. Unlike
    gettext_noop it needs no Django settings, so this module runs anywhere."""
    return message


@dataclass(frozen=True)
class Subject:
    id: int
    industries: frozenset[str]
    major_groups: frozenset[str]


@dataclass(frozen=True)
class Reviewer:
    code: str
    industries: frozenset[str]
    major_groups: frozenset[str]


def as_fraction(value) -> Fraction:
    """A probability cap from a policy value: Fraction, int, Decimal or text ("0.5", "1/2")."""
    if isinstance(value, bool):
        raise TypeError("a probability cap is a number, not a boolean")
    if isinstance(value, Fraction | int | Decimal):
        return Fraction(value)
    return Fraction(str(value).strip())


@dataclass(frozen=True)
class Rules:
    k: int
    load_min: int
    load_max: int
    balance_weight: int
    candidates: int
    probability_cap: Fraction = Fraction(0)

    def __post_init__(self):
        object.__setattr__(self, "probability_cap", as_fraction(self.probability_cap))
        for name in ("k", "load_min", "load_max", "balance_weight", "candidates"):
            if not isinstance(getattr(self, name), int) or isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be an integer")
        if self.k < 1 or self.candidates < 1 or self.load_max < 1:
            raise ValueError("k, candidates and load_max must be at least 1")
        if not 0 <= self.load_min <= self.load_max:
            raise ValueError("load_min must lie between 0 and load_max")
        if self.balance_weight < 0:
            raise ValueError("balance_weight must not be negative")
        if not 0 <= self.probability_cap <= 1:
            raise ValueError("probability_cap must lie between 0 and 1")

    @classmethod
    def from_policy(cls, review: dict) -> "Rules":
        """From the policy's [review] section (or a draw notice's rules); defaults as there."""
        return cls(
            k=int(review.get("experts_per_application", 5)),
            load_min=int(review.get("load_min", 1)),
            load_max=int(review.get("load_max", 10)),
            balance_weight=int(review.get("balance_weight", 20)),
            candidates=int(review.get("candidates_per_application", 60)),
            probability_cap=as_fraction(review.get("probability_cap", 0)),
        )

    @property
    def capped(self) -> bool:
        return 0 < self.probability_cap < 1

    @property
    def units(self) -> tuple[int, int]:
        """(a, r): a pair carries at most a/r of an assignment (1/1 without a cap)."""
        if self.capped:
            return self.probability_cap.numerator, self.probability_cap.denominator
        return 1, 1

    @property
    def needed(self) -> int:
        """Experts free of conflict an application needs: k, or ⌈k / q⌉ under a cap."""
        a, r = self.units
        return -(-self.k * r // a)

    @property
    def needed_by_reviewer(self) -> int:
        a, r = self.units
        return -(-self.load_min * r // a)


def match(subject: Subject, reviewer: Reviewer) -> int:
    """0–1000: round-half-up of 1000 × the mean, over the subject's non-empty tag kinds, of
    the share of the subject's tags (industries; major groups) the reviewer also has."""
    parts = []
    if subject.industries:
        parts.append(Fraction(len(subject.industries & reviewer.industries), len(subject.industries)))
    if subject.major_groups:
        parts.append(Fraction(len(subject.major_groups & reviewer.major_groups),
                              len(subject.major_groups)))
    if not parts:
        return 0
    return math.floor(sum(parts) / len(parts) * MATCH_SCALE + Fraction(1, 2))


@dataclass
class Solution:
    pairs: list[tuple[int, str]]
    objective: int
    loads: dict[str, int]
    full_graph: bool = False  # True when the candidate graph had no assignment
    arcs: int = 0  # expert-application arcs in the graph solved
    fractional: dict[tuple[int, str], Fraction] | None = None  # under a cap: each pair's chance
    fractional_objective: Fraction | None = None
    complete: bool = True  # False only for a greedy baseline that got stuck


@dataclass(frozen=True)
class Shortage:
    subject_id: int
    available: int
    needed: int


def translate(message: str) -> str:
    """gettext when Django is set up, the English message id otherwise."""
    from django.conf import settings

    if not settings.configured:
        return message
    from django.utils.translation import gettext

    try:
        return gettext(message)
    except Exception:  # the app registry is not ready: the English id is the text
        return message


class NoAssignment(Exception):
    """No assignment satisfies the rules. ``cause`` is "conflicts" (``shortages`` names the
    applications with too few experts free of conflict), "load_max" or "load_min" (the load
    bounds; ``subjects`` / ``reviewers`` name who is concerned). ``problems`` holds
    (message id, params) pairs; ``lines()`` renders them in the active language."""

    def __init__(self, cause: str, problems: list[tuple[str, dict]], *, shortages=(),
                 subjects=(), reviewers=()):
        self.cause = cause
        self.problems = list(problems)
        self.shortages = list(shortages)
        self.subjects = list(subjects)
        self.reviewers = list(reviewers)
        super().__init__("\n".join(message % params for message, params in self.problems))

    def lines(self) -> list[str]:
        return [translate(message) % params for message, params in self.problems]

    @classmethod
    def for_shortages(cls, shortages: list["Shortage"], rules: "Rules") -> "NoAssignment":
        if rules.capped:
            message = N_("Application %(application)s: %(available)d experts free of conflict, "
                         "%(needed)d needed (%(k)d experts, no pair more likely than %(cap)s).")
        else:
            message = N_("Application %(application)s: %(available)d experts free of conflict, "
                         "%(needed)d needed.")
        return cls("conflicts", [
            (message, {"application": s.subject_id, "available": s.available, "needed": s.needed,
                       "k": rules.k, "cap": str(rules.probability_cap)})
            for s in shortages
        ], shortages=shortages, subjects=[s.subject_id for s in shortages])


def _ids(values, limit: int = 20) -> str:
    values = [str(v) for v in values]
    more = f" … (+{len(values) - limit})" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more


def _check(inst: Instance) -> None:
    """The necessary conditions, with messages that name who is short."""
    rules, n, m = inst.rules, inst.n, inst.m
    per_subject, per_reviewer = inst.available()
    shortages = [Shortage(inst.subjects[i].id, int(per_subject[i]), rules.needed)
                 for i in np.flatnonzero(per_subject < rules.needed)]
    if shortages:
        raise NoAssignment.for_shortages(shortages, rules)
    params = {"applications": n, "k": rules.k, "reviews": n * rules.k, "experts": m,
              "load_min": rules.load_min, "load_max": rules.load_max,
              "capacity": m * rules.load_max, "minimum": m * rules.load_min}
    if m * rules.load_max < n * rules.k:
        raise NoAssignment("load_max", [(N_(
            "%(applications)d applications × %(k)d experts need %(reviews)d reviews, but "
            "%(experts)d experts × at most %(load_max)d give only %(capacity)d."), params)])
    if m * rules.load_min > n * rules.k:
        raise NoAssignment("load_min", [(N_(
            "%(experts)d experts × at least %(load_min)d need %(minimum)d reviews, but "
            "%(applications)d applications × %(k)d experts give only %(reviews)d."), params)])
    idle = np.flatnonzero(per_reviewer < rules.needed_by_reviewer)
    if len(idle):
        codes = [inst.reviewers[j].code for j in idle]
        raise NoAssignment("load_min", [(N_(
            "Expert %(expert)s is free of conflict with only %(available)d applications but "
            "must review at least %(load_min)d."),
            {"expert": inst.reviewers[j].code, "available": int(per_reviewer[j]),
             "load_min": rules.load_min}) for j in idle], reviewers=codes)


def _objective(rules: Rules, base_sum: int, loads) -> int:
    return int(base_sum) + sum(rules.balance_weight * int(x) * (int(x) - 1) // 2 for x in loads)


def _solve(inst: Instance, graph: Graph):
    """Flow on each expert-application arc (in units of 1/r), or None when infeasible."""
    rules, n, m = inst.rules, inst.n, inst.m
    a, r = rules.units
    scale = cost_scale(n, m, rules)
    sink = n + m
    lr, lcap, lcost = inst.load_arcs()
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([graph.subject, n + lr]).astype(np.int32),
        np.concatenate([n + graph.reviewer, np.full(len(lr), sink, dtype=np.int64)]).astype(np.int32),
        np.concatenate([np.full(len(graph.subject), a, dtype=np.int64), lcap * r]),
        np.concatenate([graph.base * scale + graph.tie, lcost * scale]),
    )
    supplies = np.concatenate([
        np.full(n, rules.k * r, dtype=np.int64),
        np.full(m, -rules.load_min * r, dtype=np.int64),
        [-(n * rules.k - m * rules.load_min) * r],
    ])
    flow.set_nodes_supplies(np.arange(n + m + 1, dtype=np.int32), supplies)
    status = flow.solve()
    if status == flow.INFEASIBLE:
        return None
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    return np.asarray(flow.flows(np.asarray(arcs)[: len(graph.subject)].astype(np.int32)))


def _diagnose(inst: Instance, graph: Graph) -> NoAssignment:
    """Why the full graph has no assignment: a group of applications whose experts cannot take
    their k each within load_max, or a group of experts that cannot reach load_min."""
    rules, n, m = inst.rules, inst.n, inst.m
    a, r = rules.units
    source, sink = n + m, n + m + 1
    solver = max_flow.SimpleMaxFlow()
    head = solver.add_arcs_with_capacity(
        np.concatenate([np.full(n, source), graph.subject, n + np.arange(m)]).astype(np.int32),
        np.concatenate([np.arange(n), n + graph.reviewer, np.full(m, sink)]).astype(np.int32),
        np.concatenate([np.full(n, rules.k * r), np.full(len(graph.subject), a),
                        np.full(m, rules.load_max * r)]).astype(np.int64),
    )
    solver.solve(source, sink)
    if solver.optimal_flow() < n * rules.k * r:
        side = set(solver.get_source_side_min_cut())
        group = [i for i in range(n) if i in side]
        got = int(solver.flows(np.asarray(head)[group].astype(np.int32)).sum()) // r if group else 0
        ids = [inst.subjects[i].id for i in group]
        return NoAssignment("load_max", [(N_(
            "Applications %(applications)s need %(needed)d reviews together, but the experts free "
            "of conflict with them can give only %(available)d within the maximum load of "
            "%(load_max)d."), {"applications": _ids(ids), "needed": len(group) * rules.k,
                               "available": got, "load_max": rules.load_max})], subjects=ids)
    solver = max_flow.SimpleMaxFlow()
    solver.add_arcs_with_capacity(
        np.concatenate([np.full(m, source), n + graph.reviewer, np.arange(n)]).astype(np.int32),
        np.concatenate([n + np.arange(m), graph.subject, np.full(n, sink)]).astype(np.int32),
        np.concatenate([np.full(m, rules.load_min * r), np.full(len(graph.subject), a),
                        np.full(n, rules.k * r)]).astype(np.int64),
    )
    solver.solve(source, sink)
    side = set(solver.get_source_side_min_cut())
    codes = [inst.reviewers[j].code for j in range(m) if n + j in side]
    return NoAssignment("load_min", [(N_(
        "Experts %(experts)s cannot all review at least %(load_min)d applications: together they "
        "are free of conflict with too few applications."),
        {"experts": _ids(codes), "load_min": rules.load_min})], reviewers=codes)


def shortages(subjects, reviewers, conflicts, rules: Rules) -> list[Shortage]:
    """The applications with fewer experts free of conflict than they need."""
    inst = Instance.build(subjects, reviewers, conflicts, rules, "")
    per_subject, _ = inst.available()
    return [Shortage(inst.subjects[i].id, int(per_subject[i]), rules.needed)
            for i in np.flatnonzero(per_subject < rules.needed)]


def assign(subjects, reviewers, conflicts, rules: Rules, *, seed: str = "") -> Solution:
    """The optimal assignment (or, under a probability cap, a seeded sample of the optimal
    fractional one). ``conflicts``: (expert code, application id) pairs. Raises NoAssignment."""
    inst = Instance.build(subjects, reviewers, conflicts, rules, seed)
    _check(inst)
    graph = inst.graph(full=False)
    flows = _solve(inst, graph) if inst.n else np.zeros(0, dtype=np.int64)
    if flows is None and not graph.full:
        graph = inst.graph(full=True)
        flows = _solve(inst, graph)
    if flows is None:
        raise _diagnose(inst, graph)
    _, r = rules.units
    used = np.flatnonzero(flows)
    fractional = fractional_objective = None
    if rules.capped:
        fractional = {
            (inst.subjects[graph.subject[e]].id, inst.reviewers[graph.reviewer[e]].code):
                Fraction(int(flows[e]), r)
            for e in used
        }
        loads_fraction = np.bincount(graph.reviewer[used], weights=flows[used], minlength=inst.m)
        fractional_objective = Fraction(int((graph.base[used] * flows[used]).sum()), r) + sum(
            _convex_fraction(rules, Fraction(int(x), r)) for x in loads_fraction)
        arc_of = dict(zip(fractional, used, strict=True))
        sample = dependent_round(fractional, Stream(seed, "rounding"))
        selected = np.array(sorted(arc_of[pair] for pair in sample), dtype=np.int64)
    else:
        selected = used
    loads = np.bincount(graph.reviewer[selected], minlength=inst.m)
    ids, codes = [s.id for s in inst.subjects], [rv.code for rv in inst.reviewers]
    return Solution(
        pairs=[(ids[i], codes[j]) for i, j in zip(graph.subject[selected].tolist(),
                                                   graph.reviewer[selected].tolist(), strict=True)],
        objective=_objective(rules, graph.base[selected].sum(), loads),
        loads={rv.code: int(loads[j]) for j, rv in enumerate(inst.reviewers)},
        full_graph=graph.full and not inst.restricted_is_full(),
        arcs=len(graph.subject),
        fractional=fractional,
        fractional_objective=fractional_objective,
    )


def _convex_fraction(rules: Rules, load: Fraction) -> Fraction:
    """The load cost at a fractional load: the convex cost interpolated linearly."""
    whole = math.floor(load)
    return rules.balance_weight * (Fraction(whole * (whole - 1), 2) + (load - whole) * whole)


def greedy(subjects, reviewers, conflicts, rules: Rules, *, seed: str = "") -> Solution:
    """A baseline on the same candidate graph: applications with the fewest candidates first,
    each takes its k cheapest experts by (1000 − match + balance_weight × current load) among
    those below load_max. May get stuck (``complete`` False) and ignores load_min."""
    inst = Instance.build(subjects, reviewers, conflicts, rules, seed)
    graph = inst.graph(full=False)
    order = np.lexsort((graph.tie, graph.base, graph.subject))
    starts = np.searchsorted(graph.subject[order], np.arange(inst.n + 1))
    degree = np.diff(starts)
    loads = np.zeros(inst.m, dtype=np.int64)
    chosen, complete, base_sum = [], True, 0
    for i in sorted(range(inst.n), key=lambda i: (degree[i], i)):
        arcs = order[starts[i]:starts[i + 1]]
        j = graph.reviewer[arcs]
        open_ = loads[j] < rules.load_max
        arcs, j = arcs[open_], j[open_]
        cost = graph.base[arcs] + rules.balance_weight * loads[j]
        pick = np.lexsort((j, graph.tie[arcs], cost))[: rules.k]
        if len(pick) < rules.k:
            complete = False
        loads[j[pick]] += 1
        base_sum += int(graph.base[arcs[pick]].sum())
        chosen.extend((inst.subjects[i].id, inst.reviewers[jj].code) for jj in j[pick])
    return Solution(pairs=sorted(chosen), objective=_objective(rules, base_sum, loads),
                    loads={rv.code: int(loads[j]) for j, rv in enumerate(inst.reviewers)},
                    arcs=len(graph.subject), complete=complete)


def lp_bound(subjects, reviewers, conflicts, rules: Rules, *, seed: str = "",
             full_graph: bool = False) -> float:
    """The LP optimum on the same graph (SciPy linprog, HiGHS): a lower bound on any
    assignment's objective, equal to it when there is no cap (the constraint matrix is a
    network matrix). With a cap it is the fractional optimum. ``inf`` when infeasible."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_array

    inst = Instance.build(subjects, reviewers, conflicts, rules, seed)
    graph = inst.graph(full=full_graph)
    n, m = inst.n, inst.m
    a, r = rules.units
    lr, lcap, lcost = inst.load_arcs()
    e, z = len(graph.subject), len(lr)
    rows = np.concatenate([graph.subject, n + graph.reviewer, n + lr])
    cols = np.concatenate([np.arange(e), np.arange(e), e + np.arange(z)])
    values = np.concatenate([np.ones(2 * e), -np.ones(z)])
    matrix = coo_array((values, (rows, cols)), shape=(n + m, e + z)).tocsr()
    bounds = np.concatenate([np.column_stack([np.zeros(e), np.full(e, a / r)]),
                             np.column_stack([np.zeros(z), lcap.astype(float)])])
    result = linprog(
        np.concatenate([graph.base, lcost]).astype(float), A_eq=matrix,
        b_eq=np.concatenate([np.full(n, rules.k), np.full(m, rules.load_min)]).astype(float),
        bounds=bounds, method="highs",
    )
    if result.status == 2:
        return math.inf
    if result.status != 0:
        raise RuntimeError(f"HiGHS failed: {result.message}")
    return float(result.fun) + inst.fixed_load_cost()
