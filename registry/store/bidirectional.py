"""The shortest path between two records as a bidirectional breadth-first search.

A search from one end only widens through the organisations present on every territory: at
six hops it reads most of a large registry.  Searching from both ends and always widening the
side with the smaller frontier meets in the middle after reading far fewer links.

Every store answers with the same path: among equally short paths, the one whose sequence of
records sorts first (see Store.shortest_path).  The search keeps, for each record it reaches,
every neighbour one level nearer its own end; once the two sides meet, those links hold every
shortest path, and a walk from the start that always takes the smallest record still on a
shortest path gives that first one.

The search is store-neutral: a store supplies `expand`, which reads the links of a whole
frontier at once (one round trip per level, not one per record) and leaves out the records
the caller may not cross.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

# (a frontier, its cost) -> pairs (a record of the frontier, a neighbour the caller may cross)
Expand = Callable[[Sequence[str], int], Iterable[tuple[str, str]]]
# (a frontier, a bound or None) -> an estimate of what expanding it reads (its records' links,
# say); with a bound, the count may stop past it: any figure above the bound means "more"
Cost = Callable[[Sequence[str], int | None], int]
# (a frontier, the other side's frontier) -> the pairs linking the two
Meet = Callable[[Sequence[str], Sequence[str]], Iterable[tuple[str, str]]]


class _Side:
    """What the search knows from one end: distances and, per record, its nearer neighbours."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.distance: dict[str, int] = {root: 0}
        self.nearer: dict[str, set[str]] = {root: set()}
        self.frontier: list[str] = [root]
        self.depth = 0
        self.cost: int | None = None  # of expanding the frontier, once asked
        self.floor = False  # whether `cost` is only a floor (counted up to the other side's cost)

    def widen(self, pairs: Iterable[tuple[str, str]]) -> list[str]:
        """Take one level: the records first reached from the frontier, each with all its parents."""
        depth = self.depth + 1
        reached: list[str] = []
        for near, far in pairs:
            known = self.distance.get(far)
            if known is None:
                self.distance[far] = depth
                self.nearer[far] = {near}
                reached.append(far)
            elif known == depth:
                self.nearer[far].add(near)
        self.depth = depth
        self.cost, self.floor = None, False
        self.frontier = sorted(reached)  # sorted: the next round's query text and plan do not depend on set order
        return self.frontier


def shortest_path(
    start: str,
    end: str,
    max_hops: int,
    expand: Expand,
    key_order: Callable[[str], Any],
    cost: Cost = lambda frontier, _bound: len(frontier),
    meet: Meet | None = None,
    meet_from: int = 0,
) -> list[str] | None:
    """The first (by `key_order` of its records) of the shortest paths from `start` to `end` at
    most `max_hops` links long, both ends included; None if there is none.  The ends are taken
    as given: the caller checks that it may see them.  Each round widens the side whose frontier
    `cost`s less: by default the one with fewer records; a store that counts links cheaply does
    better, since one policy domain can hold as many links as a thousand organisations.  A new
    frontier is counted only up to the other side's cost: past it, that side is the cheaper one.

    With `meet`, a round whose frontier costs `meet_from` or more, and the last round, first
    ask whether the frontier touches the other side's: the round that meets, the widest, then
    reads only the links where the two sides meet.  A cheaper round just widens: asking first
    would read its links twice."""
    if start == end:
        return [start]
    ahead, behind = _Side(start), _Side(end)
    for hop in range(max_hops):
        side, other = _cheaper(ahead, behind, cost)
        last = hop == max_hops - 1
        if meet is not None and (last or (side.cost or 0) >= meet_from):
            touching = list(meet(side.frontier, other.frontier))
            if touching:  # a record met is always on the other side's frontier (see below)
                return _first_path(ahead, behind, set(side.widen(touching)), key_order)
            if last:  # a last level that does not meet is not read
                return None
        reached = side.widen(expand(side.frontier, side.cost or 0))
        if not reached:  # this end's whole component is read: the other end is not in it
            return None
        # The levels so far did not meet, so the shortest path is longer than both depths
        # together before this round; a record met now is on the other side's frontier.
        met = [key for key in reached if key in other.distance]
        if met:
            return _first_path(ahead, behind, set(met), key_order)
    return None


def _cheaper(ahead: _Side, behind: _Side, cost: Cost) -> tuple[_Side, _Side]:
    """The side to widen (the one whose frontier costs less, the start's on a tie) and the other.
    The side chosen always has its exact cost; the other may have only a floor above it."""
    for each, other in ((ahead, behind), (behind, ahead)):
        if each.cost is None:
            each.cost = cost(each.frontier, other.cost)
            each.floor = other.cost is not None and each.cost > other.cost
    while True:
        side, other = (ahead, behind) if (ahead.cost or 0) <= (behind.cost or 0) else (behind, ahead)
        if not side.floor:
            return side, other
        # Counted only as far as an earlier figure of the other side: count on, four times as far
        # each time at least, so that two wide sides settle in a few turns and read about the smaller.
        bound = max(other.cost or 0, 4 * (side.cost or 0))
        side.cost = cost(side.frontier, bound)
        side.floor = side.cost > bound


def _first_path(ahead: _Side, behind: _Side, met: set[str], key_order: Callable[[str], Any]) -> list[str]:
    middle = ahead.distance[next(iter(met))]
    # The records of each level from the start that lie on some shortest path, nearest the middle first.
    on_path: list[set[str]] = [met]
    for _ in range(middle):
        on_path.append({parent for key in on_path[-1] for parent in ahead.nearer[key]})
    on_path.reverse()
    path = [ahead.root]
    for level in on_path[1:]:
        here = path[-1]
        path.append(min((key for key in level if here in ahead.nearer[key]), key=key_order))
    # From the middle on, every neighbour one level nearer the end is on a shortest path.
    while path[-1] != behind.root:
        path.append(min(behind.nearer[path[-1]], key=key_order))
    return path
