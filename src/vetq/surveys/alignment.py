"""The major–industry alignment index (R32, 专业结构与产业结构吻合度). Pure: no Django.

Two share vectors over the policy's industries: p, the share of students counted towards each
industry (a major's students split over the industries it serves by the bureau's weights),
and q, the share of the industry's output value or employment. From them:

- structural deviation per industry  d_i = p_i / q_i − 1   (undefined where q_i = 0)
- total deviation                    D = mean |d_i| over the industries with q_i > 0
- similarity                         S = 1 − ½ Σ |p_i − q_i|   (0 … 1; 1 when the shares match)
- Pearson correlation of p and q     r  (None when either vector is constant)
- coverage of local industries       served industries with q_i > 0 ÷ industries with q_i > 0
- coverage of pillar industries      served pillar industries ÷ pillar industries

Statistics are floats (shares are ratios, not money); pages and reports round them. A total of
zero on either side is refused with `ZeroTotal`, never a ZeroDivisionError. docs/surveys.md
explains each formula in one sentence, with the worked example the tests check.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

Amount = int | float | Decimal


class ZeroTotal(ValueError):
    """The amounts to turn into shares add up to zero (no students, or an industry structure
    with a zero total): no share can be computed. `side` says which: "enrolment" or
    "industry"."""

    def __init__(self, side: str):
        self.side = side
        super().__init__(f"the {side} amounts add up to zero: no shares can be computed")


class Status(StrEnum):
    """How an industry is served, from the gap p − q between its two shares."""

    UNDER = "under"  # fewer students than the industry's weight in the economy
    BALANCED = "balanced"  # the gap is within the tolerance
    OVER = "over"  # more students than the industry's weight
    NOT_LOCAL = "not_local"  # students, but no local output or employment (q = 0)
    ABSENT = "absent"  # neither students nor local output


@dataclass(frozen=True)
class IndustryRow:
    """One industry: both amounts, both shares, the gap and the structural deviation."""

    industry: str
    label: str
    pillar: bool
    students: float  # students counted towards the industry (split by weight)
    amount: float  # the industry's output value or employment
    enrolment_share: float  # p
    industry_share: float  # q
    gap: float  # p − q
    deviation: float | None  # p ÷ q − 1; None where q = 0
    status: Status

    @property
    def served(self) -> bool:
        return self.students > 0

    @property
    def local(self) -> bool:
        return self.amount > 0


@dataclass(frozen=True)
class Alignment:
    """The alignment of one enrolment vector with one industry vector."""

    rows: tuple[IndustryRow, ...]
    similarity: float
    pearson: float | None
    total_deviation: float
    local_industries: int
    local_served: int
    pillar_industries: int
    pillar_served: int

    @property
    def coverage(self) -> float:
        """Share of local industries (q > 0) that some students are counted towards."""
        return self.local_served / self.local_industries

    @property
    def pillar_coverage(self) -> float | None:
        """Share of pillar industries served; None when the policy names no pillar industry."""
        if not self.pillar_industries:
            return None
        return self.pillar_served / self.pillar_industries

    @property
    def undefined_deviation(self) -> tuple[str, ...]:
        """Industries without local output or employment (q = 0): no deviation for them."""
        return tuple(row.industry for row in self.rows if row.deviation is None)

    @property
    def by_gap(self) -> tuple[IndustryRow, ...]:
        """The rows from the most under-served to the most over-served."""
        return tuple(sorted(self.rows, key=lambda row: (row.gap, row.industry)))

    @property
    def under_served(self) -> tuple[IndustryRow, ...]:
        return tuple(row for row in self.by_gap if row.status == Status.UNDER)

    @property
    def over_served(self) -> tuple[IndustryRow, ...]:
        return tuple(row for row in reversed(self.by_gap)
                     if row.status in (Status.OVER, Status.NOT_LOCAL))

    @property
    def unserved_local(self) -> tuple[IndustryRow, ...]:
        """Local industries no student is counted towards (they lower the coverage)."""
        return tuple(row for row in self.rows if row.local and not row.served)

    @property
    def unserved_pillars(self) -> tuple[IndustryRow, ...]:
        return tuple(row for row in self.rows if row.pillar and not row.served)


@dataclass(frozen=True)
class EnrolmentSplit:
    """Students per industry after splitting each major by its weights, and the majors the
    mapping does not cover (left out of the shares, their students counted here)."""

    by_industry: dict[str, float]
    unmapped: dict[str, int]

    @property
    def counted(self) -> float:
        return sum(self.by_industry.values())

    @property
    def unmapped_students(self) -> int:
        return sum(self.unmapped.values())


def enrolment_split(students: Mapping[str, int],
                    weights: Mapping[str, Mapping[str, Amount]]) -> EnrolmentSplit:
    """Students per industry: each major's students (keyed by catalogue code) go to the
    industries its weights name, in proportion weight ÷ the sum of the major's weights. A major
    with no weight (or weights summing to zero) is unmapped."""
    by_industry: dict[str, float] = {}
    unmapped: dict[str, int] = {}
    for code, count in students.items():
        if count < 0:
            raise ValueError(f"a negative number of students for {code}: {count}")
        major_weights = {k: float(w) for k, w in (weights.get(code) or {}).items() if w > 0}
        total = math.fsum(major_weights.values())
        if total <= 0:
            if count:
                unmapped[code] = unmapped.get(code, 0) + count
            continue
        for industry, weight in major_weights.items():
            by_industry[industry] = by_industry.get(industry, 0.0) + count * weight / total
    return EnrolmentSplit(by_industry, unmapped)


def shares(amounts: Mapping[str, Amount], *, side: str = "industry") -> dict[str, float]:
    """Each amount ÷ the total. Refuses negative amounts (ValueError) and a zero total
    (ZeroTotal, naming `side`)."""
    values = {key: float(value) for key, value in amounts.items()}
    if any(value < 0 or math.isnan(value) for value in values.values()):
        raise ValueError(f"the {side} amounts must not be negative")
    total = math.fsum(values.values())
    if total <= 0:
        raise ZeroTotal(side)
    return {key: value / total for key, value in values.items()}


def deviation(p: float, q: float) -> float | None:
    """Structural deviation p ÷ q − 1: 0 when the shares match, −1 when an industry with
    output has no students; None (undefined) where q = 0."""
    if q <= 0:
        return None
    return p / q - 1


def total_deviation(p: Mapping[str, float], q: Mapping[str, float]) -> float:
    """Mean absolute structural deviation over the industries with q > 0. Refuses an industry
    vector with no positive share (ZeroTotal)."""
    values = [abs(d) for key in q if (d := deviation(p.get(key, 0.0), q[key])) is not None]
    if not values:
        raise ZeroTotal("industry")
    return math.fsum(values) / len(values)


def similarity(p: Mapping[str, float], q: Mapping[str, float]) -> float:
    """1 − ½ Σ |p_i − q_i| over every industry of either vector: the share of students who
    already sit where the economy is (1: the same structure; 0: no overlap at all)."""
    keys = _keys(p, q)
    distance = math.fsum(abs(p.get(key, 0.0) - q.get(key, 0.0)) for key in keys)
    return min(1.0, max(0.0, 1.0 - distance / 2))


def pearson(p: Mapping[str, float], q: Mapping[str, float]) -> float | None:
    """Pearson correlation of the two vectors over the industries with students or output
    (an industry absent from both says nothing about the fit and is left out); None when fewer
    than two remain or either vector is constant (no variance)."""
    keys = [key for key in _keys(p, q) if p.get(key, 0.0) > 0 or q.get(key, 0.0) > 0]
    n = len(keys)
    if n < 2:
        return None
    xs = [p.get(key, 0.0) for key in keys]
    ys = [q.get(key, 0.0) for key in keys]
    mean_x, mean_y = math.fsum(xs) / n, math.fsum(ys) / n
    dx = [x - mean_x for x in xs]
    dy = [y - mean_y for y in ys]
    sxx = math.fsum(d * d for d in dx)
    syy = math.fsum(d * d for d in dy)
    # A vector whose spread is only rounding noise is constant.
    if sxx <= 1e-24 or syy <= 1e-24:
        return None
    r = math.fsum(a * b for a, b in zip(dx, dy, strict=True)) / math.sqrt(sxx * syy)
    return min(1.0, max(-1.0, r))


def status(p: float, q: float, *, balanced_within: float = 0.0) -> Status:
    """Under-served when p falls short of q by more than the tolerance, over-served when it
    exceeds q by more; an industry with no local output but students is not local."""
    if q <= 0:
        return Status.NOT_LOCAL if p > 0 else Status.ABSENT
    gap = p - q
    if gap < -balanced_within:
        return Status.UNDER
    if gap > balanced_within:
        return Status.OVER
    return Status.BALANCED


def align(enrolment: Mapping[str, Amount], industry: Mapping[str, Amount], *,
          pillars: Iterable[str] = (), labels: Mapping[str, str] | None = None,
          balanced_within: float = 0.0) -> Alignment:
    """Every measure for one enrolment vector (students per industry) against one industry
    vector (output value or employment per industry). Industries of either mapping, and every
    pillar industry, get a row (missing amounts are zero), in the order they first appear:
    the industry mapping's order, then the enrolment's, then the pillars'.

    Refuses a zero total on either side with ZeroTotal ("enrolment" or "industry")."""
    pillars = frozenset(pillars)
    labels = labels or {}
    keys = _keys(industry, enrolment, dict.fromkeys(sorted(pillars), 0))
    students = {key: float(enrolment.get(key, 0)) for key in keys}
    amounts = {key: float(industry.get(key, 0)) for key in keys}
    q = shares(amounts, side="industry")
    p = shares(students, side="enrolment")
    rows = tuple(
        IndustryRow(
            industry=key, label=labels.get(key, key), pillar=key in pillars,
            students=students[key], amount=amounts[key],
            enrolment_share=p[key], industry_share=q[key], gap=p[key] - q[key],
            deviation=deviation(p[key], q[key]),
            status=status(p[key], q[key], balanced_within=balanced_within),
        )
        for key in keys
    )
    local = [row for row in rows if row.local]
    pillar_rows = [row for row in rows if row.pillar]
    return Alignment(
        rows=rows,
        similarity=similarity(p, q),
        pearson=pearson(p, q),
        total_deviation=total_deviation(p, q),
        local_industries=len(local),
        local_served=sum(1 for row in local if row.served),
        pillar_industries=len(pillar_rows),
        pillar_served=sum(1 for row in pillar_rows if row.served),
    )


def _keys(*mappings: Mapping) -> list:
    """The keys of all mappings, each once, in the order they first appear."""
    return list(dict.fromkeys(key for mapping in mappings for key in mapping))
