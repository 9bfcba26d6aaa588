"""The `path` query's answer: the records from one to the other, and the link at each step."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from registry.api.execution.context import Context, context_of
from registry.api.graphql.subscriptions import RecordKind
from registry.api.graphql.types import Node, wrap
from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import Kind, Ref, Rel
from registry.services.paths import find_path

MAX_HOPS = 8

# Only these kinds between the two ends (organisations and territories: no shortcut through a domain).
PathKinds = Annotated[
    list[Any] | None,
    strawberry.argument(graphql_type=list[RecordKind] | None),  # described on the field: the SDL keeps one line
]


@strawberry.type(description="The link between two neighbouring records of a path.")
class PathStep:
    relation: Rel = strawberry.field(description="The relation of the link, as links are stored (source to target).")
    forward: bool = strawberry.field(
        description="True when the link runs from the earlier record of the step to the later, false the other way."
    )
    role: str | None = strawberry.field(description="The role the link states, where it has one (e.g. an actor's).")
    stated_by: Node = strawberry.field(
        description="The record on which the link is stated (its source end): its sources back the link."
    )


@strawberry.type
class Path:
    length: int = strawberry.field(description="The number of links from the first record to the last.")
    nodes: list[Node]
    steps: list[PathStep] = strawberry.field(
        description="The link between nodes[i] and nodes[i + 1], for each i: one fewer than the nodes."
    )


async def resolve_path(
    info: Info[Any, Any], start: Ref, end: Ref, max_hops: int, kinds: list[Any] | None
) -> Path | None:
    """The shortest path (through records of `kinds` only, when given), with the link of each step."""
    if not 1 <= max_hops <= MAX_HOPS:
        raise RegistryError(ErrorCode.INVALID, f"maxHops must be between 1 and {MAX_HOPS}.", "maxHops")
    ctx: Context = context_of(info)
    kept = None if kinds is None else frozenset(Kind(k.value) for k in kinds)
    found = await ctx.call(find_path, ctx.store, start, end, max_hops, ctx.visibility, kept)
    if found is None:
        return None
    records = await ctx.loaders.records.load_many(found.refs)
    nodes = {r.ref: wrap(r) for r in records if r is not None}
    if len(nodes) != len(found.refs):  # a record removed since the path was read: no half answer
        return None
    steps = [
        PathStep(
            relation=step.link.rel,
            forward=step.forward,
            role=step.link.role or None,
            stated_by=nodes[step.link.source],
        )
        for step in found.steps
    ]
    return Path(length=len(found.refs) - 1, nodes=[nodes[r] for r in found.refs], steps=steps)
