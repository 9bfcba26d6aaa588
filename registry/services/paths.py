"""How two records are linked: the shortest path, and the link behind each of its steps.

The stores find the chain of records; which link joins two neighbours is decided here, once,
from the links each store reads the same way, so that every store names the same relation.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from registry.domain.records import REL_KINDS, Kind, Link, Ref, Rel
from registry.store.port import Store, Visibility


@dataclass(frozen=True)
class Step:
    """The link between two neighbours of a path, and whether it runs from the first to the second."""

    link: Link
    forward: bool


@dataclass(frozen=True)
class FoundPath:
    refs: list[Ref]
    steps: list[Step]


def _order(link: Link) -> tuple[str, Ref, Ref, str]:
    # Two records may be joined by more than one relation (a workshop run in a territory that
    # also took part in it): the first relation by name speaks for the step, on every store.
    return (link.rel.value, link.source, link.target, link.role)


def steps_of(store: Store, refs: list[Ref]) -> list[Step]:
    """The link behind each step of `refs`: one read per relation the path's kinds allow."""
    sources: dict[Rel, set[Ref]] = {}
    for a, b in pairwise(refs):
        for rel, (from_kinds, to_kinds) in REL_KINDS.items():
            for source, target in ((a, b), (b, a)):
                if source.kind in from_kinds and target.kind in to_kinds:
                    sources.setdefault(rel, set()).add(source)  # read from the source: its few links
    links = [link for rel in sorted(sources) for link in store.links_from(sorted(sources[rel]), rel)]
    steps = []
    for a, b in pairwise(refs):
        joining = sorted((link for link in links if {link.source, link.target} == {a, b}), key=_order)
        if not joining:  # the store found the step along a link: a missing one is a store bug
            raise LookupError(f"No link between {a} and {b}.")
        steps.append(Step(joining[0], joining[0].source == a))
    return steps


def find_path(
    store: Store, start: Ref, end: Ref, max_hops: int, visibility: Visibility, kinds: frozenset[Kind] | None = None
) -> FoundPath | None:
    """The shortest path from `start` to `end` (through records of `kinds` only, when given), with its links."""
    refs = store.shortest_path(start, end, max_hops, visibility, kinds)
    if refs is None:
        return None
    return FoundPath(refs, steps_of(store, refs))
