"""Exact selection of a call's winners (立项遴选, fair-review.md §5) as a pure function.

No Django models, no database: `select(inputs, seed)` is a function of a canonical JSON
document and a seed, so anyone holding the published inputs can re-run it.

The inputs document (`selection_inputs` builds and checks it)::

    {"algorithm_version": "vetq-select-1", "min_score": "60.00", "budget_fen": 1200000000,
     "categories": [{"code": "brand_major", "quota": 10, "target_remaining": 37}, …],
     "candidates": [{"id": 17, "category": "brand_major", "score": "87.50",
                     "cost_fen": 10000000}, …]}

Money is in integer fen (a county-paid project costs the city 0, R28); scores are compared at
two decimal places, the precision the public list shows, so two scores that read the same are
a tie. The category limit is min(quota, target_remaining); `null` means no program target.

**The tie lottery.** seed = `canonical.seed_for(digest(inputs), PUBLIC_VALUE,
ALGORITHM_VERSION)` with the constant PUBLIC_VALUE = "inputs-only". No future public value is
awaited on purpose: every input is fixed by the submitted reviews, the quotas, the targets and
the budget before the run, so nobody can choose a seed without changing a published input
(`seed_for` needs a non-empty value; the constant says that the inputs alone fix the seed).
Candidates are put in one *priority order*: score descending, no score last; every group of
equal scores is ordered by `canonical.hash_order(seed, "tie:<score>", ids)` ("tie:none" for
the unscored; ids as decimal strings). A candidate's rank in its category is its position in the
priority order restricted to the category.

**The model** (SciPy `milp`, HiGHS, `mip_rel_gap=0`). One binary x_i per candidate;

- x_i = 0 when i has no score or scores below `min_score`;
- Σ_{i in c} x_i ≤ limit(c) for each category c;
- Σ cost_i·x_i ≤ budget (costs and budget divided by the costs' gcd, exact for integers);
- x_better ≥ x_worse for consecutive ranks in a category (never passed over for a worse one).

Objective, lexicographic: most applications funded, then the highest total score. With s_i
the score in hundredths (an integer) and W = Σ s_i + 1, maximising Σ (W + s_i)·x_i is exactly
that order: one more application adds at least W, more than any difference in total score.
All coefficients are integers far below 2**53, so the float solver is exact on them, and the
returned selection is checked again in integer arithmetic.

Several selections can share the optimum (equal scores in different categories at the budget
line). The result is made unique: going down the priority order, each candidate is fixed to 1
if an optimal selection exists with it and every earlier fixing, else to 0 — the
lexicographically greatest optimal selection in priority order. So the result never depends
on the solver's path.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import pairwise

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix

from .canonical import digest, hash_order, seed_for


def N_(message: str) -> str:
    """Marks a message id for the catalogue (makemessages knows N_); needs no Django settings,
    so the module also runs outside the project (a verifier re-running a selection)."""
    return message


ALGORITHM_VERSION = "vetq-select-1"
PUBLIC_VALUE = "inputs-only"
CENT = Decimal("0.01")
HUNDRED = Decimal(100)

# Why an application was not selected; codes are stored in the result, messages shown.
REASONS = {
    "no_score": N_("No submitted score"),
    "below_line": N_("Below the minimum score"),
    "quota": N_("The category's quota in this call is full"),
    "target": N_("The program's target for the category is reached"),
    "budget": N_("Does not fit the remaining municipal budget"),
    "rank_order": N_("A higher-ranked application of the category is not selected"),
}


class SelectionInputError(ValueError):
    """Inputs the selection cannot use; the message id says which and why."""

    def __init__(self, message: str, **params):
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)

    def translated(self) -> str:
        from django.utils.translation import gettext

        text = gettext(self.message)
        return text % self.params if self.params else text


class SolverFailed(RuntimeError):
    """The solver gave no usable answer (it should not happen on valid inputs)."""


@dataclass(frozen=True)
class Candidate:
    id: int
    category: str
    score: Decimal | None
    cost_fen: int


@dataclass(frozen=True)
class CategoryLimit:
    code: str
    quota: int
    target_remaining: int | None = None

    @property
    def limit(self) -> int:
        return self.quota if self.target_remaining is None else min(self.quota, self.target_remaining)


@dataclass(frozen=True)
class Outcome:
    inputs_digest: str
    seed: str
    result: dict


def _count(value, what: str, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SelectionInputError(N_("%(what)s must be a whole number, not negative: %(value)s"),
                                  what=what, value=repr(value))
    return value


def _score(value, what: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float | bool):
        raise SelectionInputError(N_("%(what)s must be a decimal, not %(value)s"),
                                  what=what, value=repr(value))
    try:
        number = Decimal(value)
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise SelectionInputError(N_("%(what)s is not a number: %(value)s"),
                                  what=what, value=repr(value)) from exc
    if not (0 <= number <= HUNDRED):
        raise SelectionInputError(N_("%(what)s must lie between 0 and 100: %(value)s"),
                                  what=what, value=str(number))
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def selection_inputs(*, candidates, categories, budget_fen: int, min_score: Decimal) -> dict:
    """The canonical inputs document: checked, scores at two places, sorted by code and id."""
    limits = [CategoryLimit(c.code, c.quota, c.target_remaining) for c in categories]
    document = {
        "algorithm_version": ALGORITHM_VERSION,
        "min_score": str(_score(min_score, "min_score")),
        "budget_fen": budget_fen,
        "categories": sorted(({"code": c.code, "quota": c.quota,
                               "target_remaining": c.target_remaining} for c in limits),
                             key=lambda c: c["code"]),
        "candidates": sorted(({"id": c.id, "category": c.category,
                               "score": None if c.score is None else str(_score(c.score, "score")),
                               "cost_fen": c.cost_fen} for c in candidates),
                             key=lambda c: c["id"]),
    }
    parse(document)
    return document


def parse(inputs: dict) -> tuple[list[Candidate], dict[str, CategoryLimit], int, Decimal]:
    """Read an inputs document back, refusing anything malformed (SelectionInputError)."""
    if not isinstance(inputs, dict):
        raise SelectionInputError(N_("The selection inputs must be a mapping."))
    if inputs.get("algorithm_version") != ALGORITHM_VERSION:
        raise SelectionInputError(N_("Unknown selection algorithm version %(value)s."),
                                  value=repr(inputs.get("algorithm_version")))
    budget = _count(inputs.get("budget_fen"), "budget_fen")
    min_score = _score(inputs.get("min_score"), "min_score")
    if min_score is None:
        raise SelectionInputError(N_("The minimum score is missing."))
    limits: dict[str, CategoryLimit] = {}
    for row in inputs.get("categories") or []:
        code = row.get("code") if isinstance(row, dict) else None
        if not isinstance(code, str) or not code:
            raise SelectionInputError(N_("A category has no code."))
        if code in limits:
            raise SelectionInputError(N_("Category %(code)s is listed twice."), code=code)
        limits[code] = CategoryLimit(
            code, _count(row.get("quota"), f"quota of {code}"),
            _count(row.get("target_remaining"), f"target_remaining of {code}", allow_none=True))
    candidates: list[Candidate] = []
    seen: set[int] = set()
    for row in inputs.get("candidates") or []:
        if not isinstance(row, dict):
            raise SelectionInputError(N_("A candidate must be a mapping."))
        ident = row.get("id")
        if isinstance(ident, bool) or not isinstance(ident, int):
            raise SelectionInputError(N_("A candidate id must be a whole number: %(value)s"),
                                      value=repr(ident))
        if ident in seen:
            raise SelectionInputError(N_("Candidate %(id)s is listed twice."), id=ident)
        seen.add(ident)
        if row.get("category") not in limits:
            raise SelectionInputError(N_("Candidate %(id)s names an unknown category %(code)s."),
                                      id=ident, code=repr(row.get("category")))
        candidates.append(Candidate(ident, row["category"], _score(row.get("score"), f"score of {ident}"),
                                    _count(row.get("cost_fen"), f"cost_fen of {ident}")))
    return candidates, limits, budget, min_score


def seed_of(inputs: dict) -> tuple[str, str]:
    """(inputs digest, tie-lottery seed) of an inputs document."""
    inputs_digest = digest(inputs)
    return inputs_digest, seed_for(inputs_digest, PUBLIC_VALUE, ALGORITHM_VERSION)


def priority_order(candidates: list[Candidate], seed: str) -> list[int]:
    """Candidate ids by score, best first; equal scores in the seeded lottery's order."""
    groups: dict[Decimal | None, list[int]] = defaultdict(list)
    for c in candidates:
        groups[c.score].append(c.id)
    scored = sorted((s for s in groups if s is not None), reverse=True)
    order: list[int] = []
    for score in [*scored, None] if None in groups else scored:
        ids = sorted(groups[score])
        if len(ids) > 1:
            label = "tie:none" if score is None else f"tie:{score}"
            ids = [int(i) for i in hash_order(seed, label, [str(i) for i in ids])]
        order.extend(ids)
    return order


class _Model:
    """The MILP over the candidates in priority order (index = position in that order)."""

    def __init__(self, ordered: list[Candidate], limits: dict[str, CategoryLimit], budget: int,
                 min_score: Decimal):
        self.ordered = ordered
        n = len(ordered)
        self.eligible = [c.score is not None and c.score >= min_score for c in ordered]
        self.hundredths = [int(c.score * 100) if ok else 0
                           for c, ok in zip(ordered, self.eligible, strict=True)]
        rows: list[tuple[dict[int, int], float, float]] = []
        by_category: dict[str, list[int]] = defaultdict(list)
        for i, c in enumerate(ordered):
            by_category[c.category].append(i)
        self.by_category = by_category
        self.limits = limits
        for code, members in sorted(by_category.items()):
            rows.append((dict.fromkeys(members, 1), -np.inf, limits[code].limit))
            for better, worse in pairwise(members):
                rows.append(({better: 1, worse: -1}, 0, np.inf))
        costs = [c.cost_fen for c in ordered]
        self.budget = budget
        divisor = math.gcd(*costs) if any(costs) else 0
        if divisor:
            rows.append(({i: cost // divisor for i, cost in enumerate(costs) if cost},
                         -np.inf, budget // divisor))
        self.rows = rows
        self.n = n

    def _solve(self, objective, extra_rows, fixed: dict[int, int]) -> list[int] | None:
        n = self.n
        all_rows = [*self.rows, *extra_rows]
        data, row_index, column_index, lower, upper = [], [], [], [], []
        for r, (coefficients, lo, hi) in enumerate(all_rows):
            for i, a in coefficients.items():
                data.append(a)
                row_index.append(r)
                column_index.append(i)
            lower.append(lo)
            upper.append(hi)
        matrix = csr_matrix((np.array(data, dtype=float), (row_index, column_index)),
                            shape=(len(all_rows), n))
        lb = np.zeros(n)
        ub = np.array([1.0 if ok else 0.0 for ok in self.eligible])
        for i, value in fixed.items():
            lb[i] = ub[i] = value
        constraints = [LinearConstraint(matrix, lower, upper)] if all_rows else []
        answer = milp(c=objective, integrality=np.ones(n), bounds=Bounds(lb, ub),
                      constraints=constraints, options={"mip_rel_gap": 0, "disp": False})
        if answer.status == 2:
            return None
        if answer.status != 0 or answer.x is None:
            raise SolverFailed(f"milp status {answer.status}: {answer.message}")
        x = [int(round(v)) for v in answer.x]
        self.check(x, fixed)
        return x

    def check(self, x: list[int], fixed: dict[int, int] | None = None) -> None:
        """Every constraint, again, in integer arithmetic."""
        ok = all(v in (0, 1) for v in x) and all(x[i] == v for i, v in (fixed or {}).items())
        ok = ok and all(not x[i] or self.eligible[i] for i in range(self.n))
        ok = ok and sum(c.cost_fen * v for c, v in zip(self.ordered, x, strict=True)) <= self.budget
        for code, members in self.by_category.items():
            ok = ok and sum(x[i] for i in members) <= self.limits[code].limit
            ok = ok and all(x[a] >= x[b] for a, b in pairwise(members))
        if not ok:
            raise SolverFailed("the solver's answer breaks a constraint")

    def optimum(self) -> list[int]:
        if not self.n:
            return []
        weight = sum(self.hundredths) + 1
        objective = -np.array([(weight + s) if ok else 0
                               for s, ok in zip(self.hundredths, self.eligible, strict=True)], dtype=float)
        x = self._solve(objective, [], {})
        if x is None:  # x = 0 is always feasible
            raise SolverFailed("the selection model has no solution")
        return self._unique(x)

    def _unique(self, x: list[int]) -> list[int]:
        """The lexicographically greatest optimal selection in priority order (see above)."""
        count = sum(x)
        score = sum(s * v for s, v in zip(self.hundredths, x, strict=True))
        same_optimum = [(dict.fromkeys(range(self.n), 1), count, count),
                        ({i: s for i, s in enumerate(self.hundredths) if s}, score, score)]
        zero = np.zeros(self.n)
        fixed: dict[int, int] = {}
        closed: set[str] = set()
        for i, c in enumerate(self.ordered):
            if not self.eligible[i]:
                continue
            members = self.by_category[c.category]
            full = sum(x[j] for j in members) >= self.limits[c.category].limit
            if c.category in closed or (not x[i] and full):
                fixed[i] = 0
                closed.add(c.category)
            elif x[i]:
                fixed[i] = 1
            else:
                trial = self._solve(zero, same_optimum, {**fixed, i: 1})
                if trial is None:
                    fixed[i] = 0
                    closed.add(c.category)  # rank order keeps the worse ones out too
                else:
                    x, fixed[i] = trial, 1
        return x


def select(inputs: dict, seed: str) -> dict:
    """The selection for an inputs document and its seed (see the module docstring)."""
    candidates, limits, budget, min_score = parse(inputs)
    by_id = {c.id: c for c in candidates}
    order = priority_order(candidates, seed)
    ordered = [by_id[i] for i in order]
    model = _Model(ordered, limits, budget, min_score)
    x = model.optimum()
    chosen = {c.id for c, v in zip(ordered, x, strict=True) if v}

    rows, ties, categories = [], [], []
    for code in sorted(limits):
        members = [c for c in ordered if c.category == code]
        limit = limits[code]
        taken = sum(1 for c in members if c.id in chosen)
        full_reason = "target" if limit.limit < limit.quota else "quota"
        missed = binding = False
        for rank, c in enumerate(members, start=1):
            reason = ""
            if c.id not in chosen:
                if c.score is None:
                    reason = "no_score"
                elif c.score < min_score:
                    reason = "below_line"
                elif taken >= limit.limit:
                    reason, binding = full_reason, True
                else:
                    reason = "rank_order" if missed else "budget"
                    missed = True
            rows.append({"id": c.id, "category": code, "rank": rank,
                         "score": None if c.score is None else str(c.score),
                         "cost_fen": c.cost_fen, "selected": c.id in chosen, "reason": reason})
        by_score: dict[Decimal | None, list[int]] = defaultdict(list)
        for c in members:
            by_score[c.score].append(c.id)
        for score, ids in by_score.items():
            if len(ids) > 1:
                # Decisive: the lottery put some of the group in and some out.
                ties.append({"category": code, "score": None if score is None else str(score),
                             "order": ids,
                             "decisive": 0 < len(chosen.intersection(ids)) < len(ids)})
        categories.append({"code": code, "quota": limit.quota,
                           "target_remaining": limit.target_remaining, "limit": limit.limit,
                           "selected": taken,
                           "cost_fen": sum(c.cost_fen for c in members if c.id in chosen),
                           "binding": full_reason if binding else ""})
    total_score = sum((by_id[i].score for i in chosen), Decimal("0.00"))
    return {
        "algorithm_version": ALGORITHM_VERSION,
        "selected": sorted(chosen),
        "order": order,
        "rows": rows,
        "ties": ties,
        "categories": categories,
        "objective": {"count": len(chosen), "score": str(total_score)},
        "cost_fen": sum(by_id[i].cost_fen for i in chosen),
        "budget_fen": budget,
    }


def run(inputs: dict) -> Outcome:
    """Digest the inputs, derive the seed and select: what a Selection row stores."""
    inputs_digest, seed = seed_of(inputs)
    return Outcome(inputs_digest, seed, select(inputs, seed))
