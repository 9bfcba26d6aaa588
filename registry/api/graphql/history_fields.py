"""A record's history as the API shows it: the versions the caller may see (services/versions.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from registry.api.execution.context import context_of
from registry.api.graphql.review_fields import FieldChange
from registry.domain.errors import ErrorCode, RegistryError, Rule
from registry.domain.records import Record
from registry.services.versions import history

MAX_VERSIONS = 50  # a bounded list, newest first: a record has few versions, and a client pages no further back


@strawberry.type(description="A source as a version cited it.")
class VersionSource:
    url: str
    title: str


@strawberry.type(description="One version of a record the caller may see, from the audit trail.")
class RecordVersion:
    version: int = strawberry.field(description="The record's version after this change (a link keeps it).")
    at: datetime = strawberry.field(description="When it changed.")
    action: str = strawberry.field(
        description="What the change was: create, update, submit, publish, reject, link or unlink."
    )
    changes: list[FieldChange] = strawberry.field(
        description="Each fact that differs from the previous version shown (the first shown: each fact it "
        "states), by API name: fields, sources, links (slugs of the records reached) and, for those who see "
        "drafts, reviewState."
    )
    sources: list[VersionSource] = strawberry.field(description="The sources it cited at that version.")


async def record_history(record: Record, info: Info[Any, Any], limit: int) -> list[RecordVersion]:
    if not 1 <= limit <= MAX_VERSIONS:
        raise RegistryError(
            ErrorCode.INVALID,
            f"Ask for 1 to {MAX_VERSIONS} versions, not {limit}.",
            "limit",
            {"rule": Rule.RANGE.value, "min": 1, "max": MAX_VERSIONS, "value": limit},
        )
    ctx = context_of(info)
    found = await ctx.call(history, ctx.store, record, ctx.visibility, limit)
    return [
        RecordVersion(
            version=v.version,
            at=v.at,
            action=v.action,
            changes=[FieldChange(field=c.field, before=c.before, after=c.after) for c in v.changes],
            sources=[VersionSource(url=str(s["url"]), title=str(s["title"])) for s in v.sources],
        )
        for v in found
    ]
