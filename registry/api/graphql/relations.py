"""The record fields that follow links: one table, read by both executors.

Each GraphQL field that lists linked records (a use case's domains, a territory's
actors…) is declared once, in its kind's declaration (`registry.kinds`), and found
here by its type and Python name.  The strawberry
resolvers in `types` and the batched read path in `executor` both build their
connections from this table, so the two cannot disagree on what a field means.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from registry.api.graphql.pagination import Connection, connection
from registry.domain.records import Kind, Link, Record, Ref, Rel
from registry.kinds import PUBLIC_DECLARATIONS
from registry.store.port import Linked


@dataclass(frozen=True)
class Relation:
    direction: str  # "from": the record is the links' source; "to": their target
    rel: Rel
    kind: Kind  # only linked records of this kind are listed
    to_one: bool = False  # the field gives the first linked record, not a connection

    def far(self, link: Link) -> Ref:
        """The linked record's end of a link."""
        return link.target if self.direction == "from" else link.source

    def ends(self, links: Sequence[Link]) -> list[tuple[Ref, str]]:
        """The linked records' refs of the right kind, with the links' roles."""
        far = [(self.far(link), link.role) for link in links]
        return [(end, role) for end, role in far if end.kind is self.kind]


RELATIONS: dict[tuple[str, str], Relation] = {
    (decl.kind.value, link.name): Relation(link.direction, link.rel, link.target, link.to_one)
    for decl in PUBLIC_DECLARATIONS.values()
    for link in decl.links
}


def visible_linked(ends: Sequence[tuple[Ref, str]], records: Sequence[Record | None]) -> Linked:
    """A ref's visible linked records by slug, with their total, as the store's `linked` gives
    them: `records[i]` is `ends[i]`'s, None when the caller may not see it."""
    visible = [(record, role) for record, (_, role) in zip(records, ends, strict=True) if record is not None]
    visible.sort(key=lambda pair: pair[0].slug)
    return Linked(len(visible), visible)


def page_of(linked: Linked, offset: int, limit: int, wrap: Any) -> Connection[Any]:
    """One page of a ref's visible linked records, by slug, with their total: the one way both
    executors answer a linked field (the resolvers in `types`, the lean `executor`)."""
    page = linked.records[offset : offset + limit]
    return connection([wrap(r) for r, _ in page], linked.total, offset, [role or None for _, role in page])


def related_page(
    ends: Sequence[tuple[Ref, str]], records: Sequence[Record | None], offset: int, limit: int, wrap: Any
) -> Connection[Any]:
    """One page of the visible linked records (`records[i]` is `ends[i]`'s, None when hidden), by slug."""
    return page_of(visible_linked(ends, records), offset, limit, wrap)
