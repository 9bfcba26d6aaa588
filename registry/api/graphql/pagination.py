"""Relay cursor connections: `edges { cursor node }`, `pageInfo`, `totalCount`."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.types import Info

from registry.api.execution.context import context_of
from registry.api.graphql.facets import Facets, facets_of
from registry.domain.errors import ErrorCode, RegistryError
from registry.kinds import DECLARATIONS
from registry.store.port import RecordQuery

MAX_PAGE = 100
DEFAULT_PAGE = 20
# Past any list we hold; Cypher slices lists with 32-bit indices, so offset + limit stays below 2^31.
MAX_OFFSET = 1_000_000_000
NodeT = TypeVar("NodeT")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT
    role: str | None = strawberry.field(
        default=None,
        description="The role of the linked record, where the link has one (e.g. an actor's role in a use case).",
    )


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    total_count: int
    # The query behind a root list, for its facets (a record's linked lists have none).
    counted: strawberry.Private[RecordQuery | None] = None

    @strawberry.field
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]

    @strawberry.field(
        description="Counts of the whole filtered list (not just this page) by domain, country, status…, "
        "from the store in one round trip. Null on a record's linked lists and on lists without facets."
    )
    async def facets(self, info: Info[Any, Any]) -> Facets | None:
        if self.counted is None or len(self.counted.kinds) != 1:
            return None
        facets = DECLARATIONS[self.counted.kinds[0]].facets
        if not facets:
            return None
        ctx = context_of(info)
        whole = replace(self.counted, offset=0, limit=0)
        return facets_of(facets, await ctx.call(ctx.store.facet_counts, whole, facets))


def cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def window(first: int | None, after: str | None) -> tuple[int, int]:
    """The (offset, limit) a client asked for, within the page-size cap."""
    limit = DEFAULT_PAGE if first is None else first
    if not 0 <= limit <= MAX_PAGE:
        raise RegistryError(ErrorCode.INVALID, f"first must be between 0 and {MAX_PAGE}.", "first")
    offset = 0
    if after is not None:
        try:
            kind, _, number = base64.b64decode(after, validate=True).decode().partition(":")
            offset = int(number) + 1
            if kind != "offset" or not 1 <= offset <= MAX_OFFSET:
                raise ValueError(after)
        except ValueError:
            raise RegistryError(ErrorCode.INVALID, "This is not a cursor of this list.", "after") from None
    return offset, limit


def connection(
    nodes: Sequence[NodeT], total: int, offset: int, roles: Sequence[str | None] | None = None
) -> Connection[NodeT]:
    """A connection over one page of `nodes` that starts at `offset`."""
    edges = [
        Edge(cursor=cursor(offset + i), node=node, role=(roles[i] if roles else None)) for i, node in enumerate(nodes)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=offset + len(edges) < total,
            has_previous_page=offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )
