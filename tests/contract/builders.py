"""Small hand-made records for the contract suite: every field a store indexes, nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from registry.domain.records import Kind, Link, Record, Ref, Rel, ReviewState, Source
from registry.store.port import AuditDraft, Put, Store, WriteBatch

AT = datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=UTC)
SOURCE = (Source("https://example.org/source", "A source", "2026-01-15"),)


def text(en: str, fr: str | None = None) -> dict[str, str]:
    return {"en": en, "fr": fr if fr is not None else en}


def record(kind: Kind, slug: str, data: dict[str, Any], *, minutes: int = 0, **envelope: Any) -> Record:
    """A record created `minutes` after AT (so that times sort as the test says)."""
    at = AT + timedelta(minutes=minutes)
    return Record(kind, slug, data, SOURCE, created_at=at, updated_at=at, **envelope)


def territory(slug: str, name: str = "", *, country: str = "FR", status: str = "pilot_city", **data: Any) -> Record:
    fields = {
        "name": text(name or slug.title()),
        "territory_kind": "city",
        "country": country,
        "programme_status": status,
        "languages": ["fr"],
    }
    return record(Kind.TERRITORY, slug, {**fields, **data})


def actor(slug: str, actor_kind: str = "company", name: str = "", **data: Any) -> Record:
    return record(Kind.ACTOR, slug, {"name": text(name or slug.title()), "actor_kind": actor_kind, **data})


def domain(slug: str, name: str = "") -> Record:
    return record(Kind.DOMAIN, slug, {"name": text(name or slug.title())})


def use_case(
    slug: str,
    title: str | dict[str, str] = "",
    *,
    status: str = "live",
    review_state: ReviewState = ReviewState.PUBLISHED,
    hub: str | None = None,
    minutes: int = 0,
    **data: Any,
) -> Record:
    name = title if isinstance(title, dict) else text(title or slug.replace("-", " ").title())
    fields = {"title": name, "status": status, **data}
    return record(Kind.USE_CASE, slug, fields, minutes=minutes, review_state=review_state, hub=hub)


def priority(slug: str, title: str = "") -> Record:
    fields = {"title": text(title or slug.title()), "priority_kind": "self_data", "status": "validated"}
    return record(Kind.PRIORITY, slug, fields)


def link(source: Record, rel: Rel, target: Record, role: str = "") -> Link:
    return Link(source.ref, rel, target.ref, role)


def create(store: Store, records: Sequence[Record], links: Sequence[Link] = (), who: str = "admin:test") -> None:
    """Given these records and links, written as one batch (each audited)."""
    batch = WriteBatch(puts=[Put(r, None) for r in records], add_links=list(links), at=AT)
    batch.audit = [AuditDraft(who, "create", str(r.ref), None, r.version) for r in records]
    store.write(batch)


def updated(current: Record, minutes: int = 1, **data: Any) -> Record:
    """The next version of `current` with some fields changed."""
    return replace(
        current,
        data={**current.data, **data},
        version=current.version + 1,
        updated_at=(current.updated_at or AT) + timedelta(minutes=minutes),
    )


def ref(kind: Kind, slug: str) -> Ref:
    return Ref(kind, slug)
