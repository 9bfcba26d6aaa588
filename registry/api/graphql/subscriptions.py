"""Live subscriptions: changes to case studies and records, read from the store's audit trail.

Each event carries its audit entry's number as `id`, a cursor: a client that reconnects
passes the last one it saw as `after` and first receives what it missed, then live events.
Callers see the events of the records they may read, under the same rules as queries:
coordinators everything, a hub also its own case studies at every step, anyone else the
changes a case study went through once published.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from registry.api.execution.context import Context, context_of
from registry.api.graphql.types import Entry, UseCase, wrap
from registry.api.http.persisted import TrustedDocuments
from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import AuditEntry, Kind, Record, Ref, ReviewState
from registry.kinds import PUBLIC_KINDS
from registry.observability import live_metrics
from registry.services.audit_feed import PAGE, AuditFeed

# The public kinds as a GraphQL enum, made from the declarations (the domain stays free of strawberry).
_PUBLIC_KIND: Any = enum.Enum("RecordKind", [(kind.name, kind.value) for kind in PUBLIC_KINDS])  # type: ignore[misc]
RecordKind: Any = strawberry.enum(_PUBLIC_KIND, description="The kinds of records.")
RecordKinds = Annotated[list[Any], strawberry.argument(graphql_type=list[RecordKind])]


@dataclass
class LiveContext(Context):
    """The context of a WebSocket connection: its caller is known once `connection_init` is read."""

    feed: AuditFeed | None = None
    connection_params: dict[str, Any] | None = None
    trusted: TrustedDocuments | None = None  # `--trusted-documents`: what a caller without a key may run


@strawberry.enum(description="What happened to a case study.")
class CaseStudyChange(enum.Enum):
    DRAFTED = "drafted"
    SUBMITTED = "submitted"
    UPDATED = "updated"
    PUBLISHED = "published"
    REJECTED = "rejected"


@strawberry.enum(description="What happened to a record.")
class RecordChange(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    LINKED = "linked"
    UNLINKED = "unlinked"


_ID = "The audit entry's number: pass it as `after` when subscribing again to receive what came after it."
_NOW = "The record as it is when the event is sent (its `version` may be past this event's)."


@strawberry.type(description="A change to a case study.")
class CaseStudyEvent:
    id: strawberry.ID = strawberry.field(description=_ID)
    change: CaseStudyChange
    at: datetime
    version: int | None = strawberry.field(description="The case study's version after this change.")
    reason: str | None = strawberry.field(description="Why it was rejected (REJECTED only).")
    case_study: UseCase = strawberry.field(description=_NOW)


@strawberry.type(description="A change to a record: created, updated, or linked to another.")
class RecordEvent:
    id: strawberry.ID = strawberry.field(description=_ID)
    change: RecordChange
    at: datetime
    kind: Any = strawberry.field(graphql_type=RecordKind)
    version: int | None = strawberry.field(description="The record's version after this change.")
    record: Entry = strawberry.field(description=_NOW)
    rel: str | None = strawberry.field(description="The link's relation (LINKED and UNLINKED).")
    other: Entry | None = strawberry.field(
        description="The record at the link's other end (LINKED and UNLINKED), when the caller may see it."
    )


def _cursor(after: strawberry.ID | None) -> int | None:
    if after is None:
        return None
    if not str(after).isdigit() or len(str(after)) > 18:
        raise RegistryError(ErrorCode.INVALID, "`after` is the `id` of an event received earlier.", "after")
    return int(after)


async def _entries(ctx: Context, after: int | None) -> AsyncIterator[AuditEntry]:
    """Entries numbered above `after` (or from now), what was missed first, then live ones, each once."""
    if not isinstance(ctx, LiveContext) or ctx.feed is None:
        raise RegistryError(ErrorCode.INVALID, "Subscriptions are served over WebSocket (graphql-transport-ws).")
    async with ctx.feed.subscribe() as subscriber:  # joined first: nothing committed from now on is lost
        last = subscriber.start if after is None else after
        if after is not None:
            while True:
                missed = await ctx.call(ctx.store.audit_after, last, PAGE)
                live_metrics.audit_read("catch_up", len(missed))
                for entry in missed:
                    yield entry
                    last = entry.seq
                if len(missed) < PAGE:
                    break
        while True:
            entry = await subscriber.next()
            if entry.seq > last:  # the live queue may repeat the end of what was missed
                yield entry
                last = entry.seq


def _ref(entry: AuditEntry) -> Ref | None:
    try:
        return Ref.parse(entry.ref)
    except (ValueError, KeyError):
        return None


def _state_after(entry: AuditEntry, record: Record) -> str | None:
    """The case study's review state right after this entry: the entry says it (since live
    updates exist), or the record still is at that version; else unknown."""
    state = entry.detail.get("review_state")
    if isinstance(state, str):
        return state
    if entry.action == "publish":
        return ReviewState.PUBLISHED.value
    return record.review_state.value if entry.version_after == record.version else None


def _visible(ctx: Context, entry: AuditEntry, record: Record) -> bool:
    """May this caller see this change of a record it may read now?"""
    if ctx.visibility.everything or record.kind is not Kind.USE_CASE:
        return True
    if ctx.visibility.hub is not None and record.hub == ctx.visibility.hub:
        return True
    # Others see a case study's changes from its publication on.  A link says nothing of the
    # case study's content: it is reported to whoever may read the case study now.
    if entry.action in ("link", "unlink"):
        return True
    return _state_after(entry, record) == ReviewState.PUBLISHED.value


async def _changes(
    ctx: Context, after: strawberry.ID | None, kinds: frozenset[Kind]
) -> AsyncIterator[tuple[AuditEntry, Record]]:
    """The caller's visible entries about records of `kinds`, each with the record as it is now."""
    async for entry in _entries(ctx, _cursor(after)):
        ref = _ref(entry)
        if ref is None or ref.kind not in kinds:
            continue
        record = await ctx.loaders.records.load(ref)  # None when the caller may not read it
        if record is not None and _visible(ctx, entry, record):
            yield entry, record


def _case_change(entry: AuditEntry, record: Record) -> CaseStudyChange | None:
    state = _state_after(entry, record)
    if entry.action in ("link", "unlink"):
        return None  # recordChanged reports links
    if entry.action == "reject":
        return CaseStudyChange.REJECTED
    if entry.action == "publish" or (entry.version_before is None and state == ReviewState.PUBLISHED.value):
        return CaseStudyChange.PUBLISHED  # published by a coordinator, or created published (seeds, imports)
    if entry.version_before is None:
        return CaseStudyChange.DRAFTED if state == ReviewState.DRAFT.value else CaseStudyChange.SUBMITTED
    if state == ReviewState.SUBMITTED.value and "review_state_before" in entry.detail:
        return CaseStudyChange.SUBMITTED  # a draft or a rejected case study submitted (again)
    return CaseStudyChange.UPDATED


def _record_change(entry: AuditEntry) -> RecordChange:
    if entry.action == "link":
        return RecordChange.LINKED
    if entry.action == "unlink":
        return RecordChange.UNLINKED
    return RecordChange.CREATED if entry.version_before is None else RecordChange.UPDATED


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Case studies drafted, submitted, updated, published or rejected, as they happen "
        "(coordinators: all; hubs: their own, and published ones; others: published ones). "
        "Pass the last event `id` received as `after` to first receive what was missed."
    )
    async def case_study_changed(
        self, info: Info[Any, Any], after: strawberry.ID | None = None
    ) -> AsyncGenerator[CaseStudyEvent, None]:
        ctx = context_of(info)
        async for entry, record in _changes(ctx, after, frozenset({Kind.USE_CASE})):
            change = _case_change(entry, record)
            if change is None:
                continue
            reason = entry.detail.get("reason") if change is CaseStudyChange.REJECTED else None
            yield CaseStudyEvent(
                id=strawberry.ID(str(entry.seq)),
                change=change,
                at=entry.at,
                version=entry.version_after,
                reason=reason if isinstance(reason, str) else None,
                case_study=wrap(record),
            )

    @strawberry.subscription(
        description="Records of these kinds created, updated, linked or unlinked, as they happen, "
        "when the caller may read them. Pass the last event `id` received as `after` to first "
        "receive what was missed."
    )
    async def record_changed(
        self,
        info: Info[Any, Any],
        kinds: RecordKinds,
        after: strawberry.ID | None = None,
    ) -> AsyncGenerator[RecordEvent, None]:
        ctx = context_of(info)
        if not kinds:
            raise RegistryError(ErrorCode.REQUIRED, "Name at least one kind.", "kinds")
        async for entry, record in _changes(ctx, after, frozenset(Kind(k.value) for k in kinds)):
            other, rel = None, None
            if entry.action in ("link", "unlink"):
                rel = entry.detail.get("rel")
                target = Ref.parse(str(entry.detail.get("target", "")))
                found = await ctx.loaders.records.load(target)
                other = None if found is None else wrap(found)
            yield RecordEvent(
                id=strawberry.ID(str(entry.seq)),
                change=_record_change(entry),
                at=entry.at,
                kind=RecordKind(record.kind.value),
                version=entry.version_after,
                record=wrap(record),
                rel=rel if isinstance(rel, str) else None,
                other=other,
            )
