"""The graph of an assignment problem (see assignment.py): seeded tie values, the exact integer
cost scale, the match of every pair by tag profile, and the candidate arcs kept for min-cost
flow. Every formula is in docs/review-algorithm.md (§ Match, § Tie values, § Candidate graph).
Pure: numpy only.
"""

import hashlib
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np

MATCH_SCALE = 1000
TIE_BITS_MAX = 32
INT64_MAX = np.iinfo(np.int64).max
BLOCK_PAIRS = 1 << 21  # pairs scored at once: bounds the memory of the candidate search
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


# Tie values: a seeded pseudo-random integer per pair, p(s, r) in [0, 2^bits).


def _hash64(seed: str, label: str, item: str) -> int:
    block = hashlib.sha256(f"{seed}|{label}|{item}".encode()).digest()
    return int.from_bytes(block[:8], "big")


def _mix(z: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser on uint64 (multiplication modulo 2^64), in place."""
    tmp = np.empty_like(z)
    for shift, multiplier in ((30, _MIX1), (27, _MIX2), (31, None)):
        np.right_shift(z, np.uint64(shift), out=tmp)
        np.bitwise_xor(z, tmp, out=z)
        if multiplier is not None:
            np.multiply(z, multiplier, out=z)
    return z


def tie_value(seed: str, subject_id: int, reviewer_code: str, bits: int) -> int:
    """p(s, r) = mix(H(seed|tie-subject|id) XOR mix(H(seed|tie-reviewer|code))) >> (64 − bits)."""
    if bits == 0:
        return 0
    a = np.array([_hash64(seed, "tie-subject", str(subject_id))], dtype=np.uint64)
    b = _mix(np.array([_hash64(seed, "tie-reviewer", reviewer_code)], dtype=np.uint64))
    return int(_mix(a ^ b)[0] >> np.uint64(64 - bits))


def tie_bits(n: int, m: int, rules) -> int:
    """The largest b ≤ 32 with 4 · (n + m + 2)² · T · W · 2^b ≤ 2^63, where T = 2 · min(n, m)
    (at least 1) and W = max(1001, balance_weight · (load_max − 1) + 1): every arc cost, and
    every node potential OR-Tools' cost scaling can reach, then fits in 64 bits, and so does
    the ranking number (1000 − match) · 2^b · n·m + i·m + j (as n·m ≤ (n + m)² / 4)."""
    weight = max(MATCH_SCALE + 1, rules.balance_weight * (rules.load_max - 1) + 1)
    base = 4 * (n + m + 2) ** 2 * tie_span(n, m) * weight
    if base > 2**63:
        raise ValueError("the instance is too large for exact 64-bit costs")
    bits = 0
    while bits < TIE_BITS_MAX and base << (bits + 1) <= 2**63:
        bits += 1
    return bits


def tie_span(n: int, m: int) -> int:
    """T = 2 · min(n, m): no simple cycle of the flow graph has more expert-application arcs
    (each application or expert on it touches two), so T · 2^b bounds any cycle's tie sum."""
    return max(1, 2 * min(n, m))


def cost_scale(n: int, m: int, rules) -> int:
    """S = T · 2^b: costs are S × (1000 − match) + p and S × balance_weight × (t − 1), so a
    cheaper assignment without ties stays cheaper with them and ties are broken by p."""
    return tie_span(n, m) << tie_bits(n, m, rules)


# ---------------------------------------------------------------------------------------------
# The instance and its graph.


def _distinct(values: np.ndarray) -> np.ndarray:
    """A sorted array without repeats."""
    if len(values) < 2:
        return values
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def _profiles(items) -> tuple[list[tuple[frozenset, frozenset]], np.ndarray]:
    """The distinct (industries, major groups) of ``items`` and each item's profile index."""
    index: dict[tuple[frozenset, frozenset], int] = {}
    of = [index.setdefault((item.industries, item.major_groups), len(index)) for item in items]
    return list(index), np.array(of, dtype=np.int64)


def _base_matrix(s_profiles, r_profiles) -> np.ndarray:
    """1000 − match for every pair of profiles, in integers (the formula of :func:`match`)."""
    tags = sorted({("i", t) for ind, _ in s_profiles for t in ind}
                  | {("g", t) for _, grp in s_profiles for t in grp})
    bit = {tag: i for i, tag in enumerate(tags)}
    words = max(1, -(-len(tags) // 64))

    def masks(profiles, kind: int, label: str) -> np.ndarray:
        out = np.zeros((len(profiles), words), dtype=np.uint64)
        for row, profile in enumerate(profiles):
            for tag in profile[kind]:
                b = bit.get((label, tag))
                if b is not None:
                    out[row, b // 64] |= np.uint64(1) << np.uint64(b % 64)
        return out

    ci = np.bitwise_count(masks(s_profiles, 0, "i")[:, None, :] & masks(r_profiles, 0, "i")[None, :, :])
    cg = np.bitwise_count(masks(s_profiles, 1, "g")[:, None, :] & masks(r_profiles, 1, "g")[None, :, :])
    ci, cg = ci.sum(axis=2, dtype=np.int64), cg.sum(axis=2, dtype=np.int64)
    a = np.array([len(p[0]) for p in s_profiles], dtype=np.int64)[:, None]
    g = np.array([len(p[1]) for p in s_profiles], dtype=np.int64)[:, None]
    both = (a > 0) & (g > 0)
    numerator = np.where(both, ci * g + cg * a, ci + cg)
    denominator = np.where(both, 2 * a * g, np.maximum(a + g, 1))
    base = MATCH_SCALE - (2 * MATCH_SCALE * numerator + denominator) // (2 * denominator)
    return base.astype(np.int16)


@dataclass
class Graph:
    subject: np.ndarray  # subject index per arc
    reviewer: np.ndarray  # reviewer index per arc
    base: np.ndarray  # 1000 − match
    tie: np.ndarray  # p(s, r)
    full: bool


@dataclass
class Instance:
    subjects: list  # Subject, sorted by id
    reviewers: list  # Reviewer, sorted by code
    rules: object  # Rules
    seed: str
    conflict_subject: np.ndarray = field(repr=False)
    conflict_reviewer: np.ndarray = field(repr=False)

    @classmethod
    def build(cls, subjects, reviewers, conflicts, rules, seed: str) -> "Instance":
        subjects = sorted(subjects, key=lambda s: s.id)
        reviewers = sorted(reviewers, key=lambda r: r.code)
        if len({s.id for s in subjects}) != len(subjects):
            raise ValueError("subject ids must be unique")
        if len({r.code for r in reviewers}) != len(reviewers):
            raise ValueError("reviewer codes must be unique")
        n, m = len(subjects), len(reviewers)
        conflicts = list(conflicts)
        if conflicts and n and m:
            codes = [pair[0] for pair in conflicts]
            ids = [pair[1] for pair in conflicts]
            r_index = {r.code: j for j, r in enumerate(reviewers)}
            s_index = {s.id: i for i, s in enumerate(subjects)}
            j = np.fromiter(map(r_index.get, codes, repeat(-1)), dtype=np.int64, count=len(codes))
            i = np.fromiter(map(s_index.get, ids, repeat(-1)), dtype=np.int64, count=len(ids))
            known = (i >= 0) & (j >= 0)
            pairs = _distinct(np.sort(i[known] * m + j[known]))
        else:
            pairs = np.zeros(0, dtype=np.int64)
        return cls(subjects, reviewers, rules, seed, pairs // max(m, 1), pairs % max(m, 1))

    @property
    def n(self) -> int:
        return len(self.subjects)

    @property
    def m(self) -> int:
        return len(self.reviewers)

    def available(self) -> tuple[np.ndarray, np.ndarray]:
        """Experts free of conflict per subject, subjects free of conflict per reviewer."""
        per_subject = self.m - np.bincount(self.conflict_subject, minlength=self.n)
        per_reviewer = self.n - np.bincount(self.conflict_reviewer, minlength=self.m)
        return per_subject, per_reviewer

    def restricted_is_full(self) -> bool:
        return max(self.rules.candidates, self.rules.needed) >= self.m

    def graph(self, *, full: bool) -> Graph:
        """The arcs: every pair free of conflict (full), or the candidate graph: a pair is kept
        when the reviewer is among the subject's best max(candidates, needed) reviewers, or the
        subject among the reviewer's best `candidates` subjects. "Best" = smallest
        (1000 − match, tie value, index of the other side)."""
        n, m, rules = self.n, self.m, self.rules
        bits = tie_bits(n, m, rules)
        if n == 0 or m == 0:
            empty = np.zeros(0, dtype=np.int64)
            return Graph(empty, empty, empty, empty, full=True)
        # Applications (and experts) with the same tags share a row (column) of 1000 − match.
        s_profiles, s_of = _profiles(self.subjects)
        r_profiles, r_of = _profiles(self.reviewers)
        profile_base = _base_matrix(s_profiles, r_profiles)
        s_hash = np.array([_hash64(self.seed, "tie-subject", str(s.id)) for s in self.subjects],
                          dtype=np.uint64)
        r_hash = _mix(np.array([_hash64(self.seed, "tie-reviewer", r.code) for r in self.reviewers],
                               dtype=np.uint64))
        shift = np.uint64(64 - bits) if bits else None

        keep_all = full or self.restricted_is_full()
        row_limit = min(m, max(rules.candidates, rules.needed))
        col_limit = min(n, rules.candidates)
        # One int64 per pair orders rows and columns alike: key · n·m + i·m + j, i.e. by
        # (1000 − match, tie value, then the other side's index); it fits (see tie_bits).
        nm = n * m
        best_col = np.zeros((0, m), dtype=np.int64)
        chosen = []
        block = max(1, BLOCK_PAIRS // m)
        for lo in range(0, n, block):
            hi = min(n, lo + block)
            ranked = np.take(profile_base[s_of[lo:hi]], r_of, axis=1).astype(np.int64)
            ranked <<= bits
            if bits:
                tie = _mix(s_hash[lo:hi, None] ^ r_hash[None, :])
                tie >>= shift
                ranked |= tie.view(np.int64)
            ranked *= nm
            ranked += np.arange(lo * m, hi * m, dtype=np.int64).reshape(hi - lo, m)
            sel = slice(*np.searchsorted(self.conflict_subject, [lo, hi]))
            ranked[self.conflict_subject[sel] - lo, self.conflict_reviewer[sel]] = INT64_MAX
            if keep_all:
                chosen.append(ranked[ranked != INT64_MAX])
                continue
            chosen.append(np.partition(ranked, row_limit - 1, axis=1)[:, :row_limit].ravel())
            if ranked.shape[0] > col_limit:
                ranked = np.partition(ranked, col_limit - 1, axis=0)[:col_limit]
            best_col = np.vstack([best_col, ranked])
            if best_col.shape[0] > col_limit:
                best_col = np.partition(best_col, col_limit - 1, axis=0)[:col_limit]
        chosen.append(best_col.ravel())
        ranked = np.concatenate(chosen)
        ranked = _distinct(np.sort(ranked[ranked != INT64_MAX]))
        pairs, keys = ranked % nm, ranked // nm
        order = np.argsort(pairs)
        pairs, keys = pairs[order], keys[order]
        return Graph(subject=pairs // m, reviewer=pairs % m, base=keys >> bits,
                      tie=keys & ((1 << bits) - 1), full=keep_all)

    def load_arcs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(reviewer, capacity in assignments, unit cost) for the loads above load_min: the t-th
        unit costs balance_weight × (t − 1); with weight 0 one arc carries them all."""
        rules, m = self.rules, self.m
        extra = rules.load_max - rules.load_min
        if extra == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        if rules.balance_weight == 0:
            return (np.arange(m, dtype=np.int64), np.full(m, extra, dtype=np.int64),
                    np.zeros(m, dtype=np.int64))
        t = np.arange(rules.load_min + 1, rules.load_max + 1, dtype=np.int64)
        return (np.repeat(np.arange(m, dtype=np.int64), extra), np.ones(m * extra, dtype=np.int64),
                np.tile(rules.balance_weight * (t - 1), m))

    def fixed_load_cost(self) -> int:
        lm = self.rules.load_min
        return self.m * self.rules.balance_weight * lm * (lm - 1) // 2
