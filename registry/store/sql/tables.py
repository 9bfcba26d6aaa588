"""The SQL tables: one for records, one for links, and the registry's own books."""

from __future__ import annotations

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class RecordRow(SQLModel, table=True):
    __tablename__ = "records"
    # Lists of one kind by slug, and their counts, for public callers: an index scan, no sort.
    __table_args__ = (Index("records_kind_state_slug", "kind", "review_state", "slug"),)

    key: str = Field(primary_key=True)  # "Kind:slug"
    kind: str = Field(index=True)
    slug: str
    data: str  # canonical JSON of the kind's fields
    sources: str  # canonical JSON list
    version: int
    created_at: str
    updated_at: str
    review_state: str = Field(index=True)
    hub: str | None = Field(default=None, index=True)
    # Indexed copies of fields that filters and sorts use (registry.store.codec.columns).
    status: str | None = Field(default=None, index=True)
    subkind: str | None = Field(default=None, index=True)
    country: str | None = Field(default=None, index=True)
    governance: str | None = Field(default=None, index=True)
    year_start: int | None = None
    year_end: int | None = None
    sort_name: str = Field(index=True)
    search_text: str


class LinkRow(SQLModel, table=True):
    __tablename__ = "links"

    source_key: str = Field(primary_key=True)
    rel: str = Field(primary_key=True)
    target_key: str = Field(primary_key=True, index=True)
    source_kind: str
    target_kind: str
    role: str = ""


class HubRow(SQLModel, table=True):
    __tablename__ = "hubs"

    slug: str = Field(primary_key=True)
    name: str
    created_at: str


class ApiKeyRow(SQLModel, table=True):
    __tablename__ = "api_keys"

    key_id: str = Field(primary_key=True)
    secret_hash: str
    role: str
    hub: str | None = None
    created_at: str
    revoked_at: str | None = None
    label: str = ""


class AuditRow(SQLModel, table=True):
    __tablename__ = "audit"

    seq: int = Field(primary_key=True)
    at: str
    who: str
    action: str
    ref: str = Field(index=True)
    version_before: int | None = None
    version_after: int | None = None
    detail: str = "{}"


class IdempotencyRow(SQLModel, table=True):
    __tablename__ = "idempotency"

    key: str = Field(primary_key=True)
    result: str


class MetaRow(SQLModel, table=True):
    """Store-wide counters; `clear` never deletes them (see SqlStore.generation)."""

    __tablename__ = "meta"

    name: str = Field(primary_key=True)
    value: int = 0
