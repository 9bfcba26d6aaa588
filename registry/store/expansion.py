"""Expansions read level by level through `Store.linked`: for stores without a one-statement way.

The SQL store answers `query_expanded` and `get_expanded` with this (SQLite is in the process,
so a round trip costs little); the Neo4j store reads the whole tree in one Cypher statement.
"""

from __future__ import annotations

from collections.abc import Sequence

from registry.domain.records import Record, Ref
from registry.store.port import Expansion, Found, Linked, LinkGroup, Store, Visibility

NOTHING = Linked(0, [])


def expand(store: Store, roots: Sequence[Record], expansions: Sequence[Expansion], visibility: Visibility) -> Found:
    """What `expansions` find from `roots`, with one `linked` call per level."""
    found: Found = {}
    level: list[tuple[Sequence[Record], Sequence[Expansion]]] = [(roots, expansions)]
    while level:
        wanted: dict[LinkGroup, dict[Ref, Record]] = {}  # each group's near records
        children: dict[LinkGroup, list[Expansion]] = {}
        for records, below in level:
            for expansion in below:
                near = wanted.setdefault(expansion.group, {})
                near.update((r.ref, r) for r in records)
                children.setdefault(expansion.group, []).extend(expansion.then)
        groups = [LinkGroup(tuple(near), g.direction, g.rel, g.kind, g.first) for g, near in wanted.items()]
        level = []
        for (group, near), answer in zip(wanted.items(), store.linked(groups, visibility), strict=True):
            mine = found.setdefault(group, {})
            for ref in near:
                mine[ref] = answer.get(ref, NOTHING)
            if children[group]:
                reached = [far for linked in answer.values() for far, _ in linked.records]
                level.append((reached, children[group]))
    return found
