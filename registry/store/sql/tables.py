"""The SQL tables: one for records, one for links, and the registry's own books."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, Index, event
from sqlmodel import Field, SQLModel

from registry.store.columns import COLUMNS
from registry.store.sql import word_index

_PYTHON_TYPES: dict[str, type] = {"str": str, "int": int, "float": float}


def _indexed_fields() -> tuple[dict[str, Any], dict[str, Any]]:
    """The annotations and fields of the indexed columns (registry.store.columns), for RecordRow's body."""
    annotations: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    for column in COLUMNS:
        python_type = _PYTHON_TYPES[column.type]
        annotations[column.name] = python_type | None if column.nullable else python_type
        # Nullable columns default to null; the others (sort_name, search_text) are always given.
        fields[column.name] = (
            Field(default=None, index=column.indexed) if column.nullable else Field(index=column.indexed)
        )
    return annotations, fields


_INDEXED_ANNOTATIONS, _INDEXED_FIELDS = _indexed_fields()


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
    # Indexed copies of fields that filters, sorts and counts use: one column per entry of
    # registry.store.columns.COLUMNS (filled by registry.store.codec.columns).  A class body's
    # locals are the namespace SQLModel reads the fields from, so a declared column becomes a
    # field exactly as if it were written out here.
    __annotations__.update(_INDEXED_ANNOTATIONS)
    locals().update(_INDEXED_FIELDS)


def _with_word_index(_table: Any, connection: Connection, **_: Any) -> None:
    word_index.create(connection)  # a new database gets the search's index with its tables


event.listen(RecordRow.__table__, "after_create", _with_word_index)  # type: ignore[attr-defined]


def record_column(name: str) -> Any:
    """An indexed column of the records table, by name (they are made from a list, not spelt out)."""
    column: Column[Any] = RecordRow.__table__.c[name]  # type: ignore[attr-defined]
    return column


class LinkRow(SQLModel, table=True):
    __tablename__ = "links"
    # A record's links from the target side, read from the index alone (the primary key serves the
    # source side): the path search reads tens of thousands of them per level at x1,000.
    __table_args__ = (Index("links_target_source", "target_key", "source_key", "source_kind"),)

    source_key: str = Field(primary_key=True)
    rel: str = Field(primary_key=True)
    target_key: str = Field(primary_key=True)
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
