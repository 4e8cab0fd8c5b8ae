"""Bipartite dependent rounding (Gandhi, Khuller, Parthasarathy, Srinivasan, J. ACM 2006).

Turns a fractional assignment x (pair → probability) into a 0/1 assignment such that every
pair is chosen with probability exactly x, every node whose fractional degree is an integer
keeps that degree, and every other node ends at the floor or the ceiling of its fractional
degree. Driven by a :class:`~vetq.reviews.canonical.Stream`, in exact integer arithmetic, so
the same x and seed give the same assignment everywhere. The steps are in
docs/review-algorithm.md (§ Probability caps).
"""

import math
from fractions import Fraction

from .canonical import Stream


def dependent_round(x: dict[tuple, Fraction], stream: Stream) -> list[tuple]:
    """The chosen pairs, sorted. Keys are (left, right) with left and right each sortable
    within their side (application ids, expert codes); values are Fractions in [0, 1]."""
    denominator = 1
    for value in x.values():
        value = Fraction(value)
        if not 0 <= value <= 1:
            raise ValueError(f"a probability must lie in [0, 1], not {value}")
        denominator = math.lcm(denominator, value.denominator)
    units = {pair: int(Fraction(value) * denominator) for pair, value in x.items()}

    def fractional(pair) -> bool:
        return 0 < units[pair] < denominator

    # Vertices are ("L", left) and ("R", right); each one's edges sorted by the other end.
    adjacency: dict[tuple, list[tuple]] = {}
    for pair in sorted(p for p in units if fractional(p)):
        left, right = ("L", pair[0]), ("R", pair[1])
        adjacency.setdefault(left, []).append((right, pair))
        adjacency.setdefault(right, []).append((left, pair))
    for edges in adjacency.values():
        edges.sort(key=lambda item: item[0][1])
    order = sorted(p for p in units if fractional(p))

    def next_edge(vertex, came_from):
        for other, pair in adjacency[vertex]:
            if other != came_from and fractional(pair):
                return other, pair
        return None

    def walk(first) -> list[tuple]:
        path = [("L", first[0]), ("R", first[1])]
        edges = [first]
        position = {vertex: index for index, vertex in enumerate(path)}
        for attempt in (0, 1):
            while (step := next_edge(path[-1], path[-2])) is not None:
                other, pair = step
                if other in position:  # a cycle: from `other` round to the closing edge
                    return edges[position[other]:] + [pair]
                position[other] = len(path)
                path.append(other)
                edges.append(pair)
            if attempt == 0:  # dead end: now grow the other end
                path.reverse()
                edges.reverse()
                position = {vertex: index for index, vertex in enumerate(path)}
        return edges  # a maximal path

    cursor = 0
    while True:
        while cursor < len(order) and not fractional(order[cursor]):
            cursor += 1
        if cursor == len(order):
            break
        edges = walk(order[cursor])
        up, down = edges[0::2], edges[1::2]
        alpha = min([denominator - units[p] for p in up] + [units[p] for p in down])
        beta = min([units[p] for p in up] + [denominator - units[p] for p in down])
        shift = alpha if stream.below(Fraction(beta, alpha + beta)) else -beta
        for pair in up:
            units[pair] += shift
        for pair in down:
            units[pair] -= shift
    return sorted(pair for pair, value in units.items() if value == denominator)
