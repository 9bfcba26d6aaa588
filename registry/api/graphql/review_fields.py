"""What a coordinator reviewing a case study needs beyond its facts: the hub's name, and what
changed since the version last rejected.  Both for the callers who may review or wrote it:
coordinators and admins, and the case study's own hub; null for anyone else."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON as JSONScalar
from strawberry.types import Info

from registry.api.execution.context import context_of
from registry.domain.records import Kind, Record
from registry.services.review_changes import changes_since_rejection
from registry.store.port import Visibility


@strawberry.type(description="A MyData hub that contributes case studies.")
class Hub:
    slug: str
    name: str


@strawberry.type(
    description="A fact of a record that differs from an earlier version: the version a coordinator last "
    "rejected (a case study's `changes`), or the previous version shown (`history`)."
)
class FieldChange:
    field: str = strawberry.field(description="The field's name in this schema: status, yearStart, territories…")
    before: JSONScalar | None = strawberry.field(
        description="Its value then, as this schema writes it (enum names, slugs for links); null when unknown."
    )
    after: JSONScalar | None = strawberry.field(description="Its value after, written the same way.")


def _may_review(visibility: Visibility, record: Record) -> bool:
    return visibility.everything or (visibility.hub is not None and record.hub == visibility.hub)


async def _contributor(self: Any, info: Info[Any, Any]) -> Hub | None:
    ctx = context_of(info)
    record: Record = self.record
    if record.hub is None or not _may_review(ctx.visibility, record):
        return None
    hubs = await ctx.call(ctx.store.hubs)
    found = next((h for h in hubs if h.slug == record.hub), None)
    return None if found is None else Hub(slug=found.slug, name=found.name)


async def _changes(self: Any, info: Info[Any, Any]) -> list[FieldChange] | None:
    ctx = context_of(info)
    record: Record = self.record
    if not _may_review(ctx.visibility, record):
        return None
    found = await ctx.call(changes_since_rejection, ctx.store, record)
    return None if found is None else [FieldChange(field=c.field, before=c.before, after=c.after) for c in found]


# Fields added to a kind's generated type (types.py), beside those its declaration gives.
EXTRA_FIELDS: dict[Kind, dict[str, Any]] = {
    Kind.USE_CASE: {
        "contributor": strawberry.field(
            resolver=_contributor,
            description="The hub that contributed it, with its name: for coordinators and that hub; else null.",
        ),
        "changes": strawberry.field(
            resolver=_changes,
            description="What differs from the version a coordinator last rejected (null when none was): "
            "for coordinators and its hub.",
        ),
    }
}
