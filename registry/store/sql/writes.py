"""The SQL store's primitives of the write sequence (registry/store/writing.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import InterfaceError as SAInterfaceError
from sqlmodel import col, select

from registry.domain.errors import StoreUnavailable
from registry.domain.records import JSON, ApiKey, Hub, Link
from registry.store import budget
from registry.store.codec import format_time
from registry.store.sql import deadline
from registry.store.sql.tables import ApiKeyRow, AuditRow, HubRow, IdempotencyRow, LinkRow, MetaRow, RecordRow
from registry.store.writing import Current, Transient, Wanted, WriteSequence, WriteTransaction, key_taken

T = TypeVar("T")

GENERATION = "generation"  # the MetaRow holding the store-wide change counter
# The last audit number given, kept next to the counter and moved only under its lock.
# `clear` and `load` drop it; the next write counts it again from the audit table.
AUDIT = "audit_seq"
# The writes whose audit entries describe all they changed (port.ChangeMark.described); never
# dropped: `clear` and `load` bump the counter without it, which readers see as a gap.
DESCRIBED = "described"
BUMP = update(MetaRow).where(col(MetaRow.name) == GENERATION).values(value=col(MetaRow.value) + 1)
SQLITE_BUSY_SECONDS = 30.0  # how long SQLite waits for another process's write lock before failing
# PostgreSQL's transient failures: a serialization failure, a deadlock.  Running the write again is safe.
_TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})
_CHUNK = 500  # keys per IN list: SQLite takes at most 32,766 parameters
_UPDATE_RECORD = update(RecordRow).where(col(RecordRow.key) == bindparam("updated_key"))


class SqlWrites(WriteSequence):
    """`Store.write` on SQLite or PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        # SQLite has one write lock per file, and its busy wait is not fair: 32 threads of one
        # process polling for it starve some beyond any timeout.  They queue here instead, and
        # only other processes wait on the file's lock.
        self._one_writer = threading.Lock() if self.dialect == "sqlite" else None

    def _writers_turn(self, left: float | None) -> AbstractContextManager[object]:
        if self._one_writer is None:
            return nullcontext()
        return _held(self._one_writer, left)

    def _in_transaction(self, work: Callable[[WriteTransaction], T]) -> T:
        with self.engine.begin() as connection:
            if self.dialect == "sqlite":
                deadline.bound_sqlite_lock_wait(connection, int(SQLITE_BUSY_SECONDS * 1000))
            return work(SqlTransaction(connection))

    def _failure(self, error: Exception) -> Exception | Transient:
        if isinstance(error, SAInterfaceError):
            return StoreUnavailable()
        if not isinstance(error, OperationalError | IntegrityError):
            return error
        if deadline.cancelled_by_budget(error):  # interrupted (SQLite) or cancelled (PostgreSQL)
            return budget.TimedOut()
        if isinstance(error, IntegrityError):  # under the counter's lock none is expected; a second run reads afresh
            return Transient(key_taken())
        if self.dialect == "sqlite":
            text = str(error.orig).lower()
            transient = "locked" in text or "busy" in text
        else:
            transient = getattr(error.orig, "sqlstate", None) in _TRANSIENT_SQLSTATES
        return Transient(StoreUnavailable()) if transient else StoreUnavailable()


@contextmanager
def _held(lock: threading.Lock, left: float | None) -> Iterator[None]:
    if not lock.acquire(timeout=-1 if left is None else left):
        raise budget.TimedOut()
    try:
        yield
    finally:
        lock.release()


def _chunks(keys: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(keys), _CHUNK):
        yield keys[start : start + _CHUNK]


class SqlTransaction:
    """The primitives on one connection inside its transaction (SQLAlchemy core: no ORM session)."""

    def __init__(self, connection: Connection) -> None:
        self.c = connection

    def lock(self, idempotency_key: str | None, wanted: Wanted) -> str | None:
        # `wanted` is read apart (`read`).  The row lock (PostgreSQL) or the write lock (SQLite) lasts until commit.
        self.c.execute(BUMP)
        if idempotency_key is None:
            return None
        stmt = select(IdempotencyRow.result).where(col(IdempotencyRow.key) == idempotency_key)
        result: str | None = self.c.execute(stmt).scalar()
        return result

    def read(self, wanted: Wanted) -> Current:
        versions: dict[str, int] = {}
        for part in _chunks([*wanted.records, *wanted.ends]):  # records and ends in one statement
            stmt = select(RecordRow.key, RecordRow.version).where(col(RecordRow.key).in_(part))
            versions.update((k, int(v)) for k, v in self.c.execute(stmt).all())
        hubs: set[str] = set()
        for part in _chunks(wanted.hubs):
            hubs.update(self.c.execute(select(HubRow.slug).where(col(HubRow.slug).in_(part))).scalars())
        keys: dict[str, str | None] = {}
        for part in _chunks(sorted({*wanted.keys, *wanted.revoked})):
            stmt2 = select(ApiKeyRow.key_id, ApiKeyRow.revoked_at).where(col(ApiKeyRow.key_id).in_(part))
            keys.update((k, r) for k, r in self.c.execute(stmt2).all())
        records = set(wanted.records)
        return Current(
            versions={k: v for k, v in versions.items() if k in records},
            ends=frozenset(k for k in wanted.ends if k in versions),
            hubs=frozenset(hubs),
            keys=frozenset(k for k in wanted.keys if k in keys),
            active=frozenset(k for k in wanted.revoked if k in keys and keys[k] is None),
        )

    def last_audit_number(self, count: int) -> int:
        kept = self.c.execute(select(MetaRow.value).where(col(MetaRow.name) == AUDIT)).scalar()
        if kept is None:
            last = int(self.c.execute(select(func.max(AuditRow.seq))).scalar() or 0)
            self.c.execute(insert(MetaRow).values(name=AUDIT, value=last + count))
            return last
        self.c.execute(update(MetaRow).where(col(MetaRow.name) == AUDIT).values(value=int(kept) + count))
        return int(kept)

    def put_records(self, created: list[JSON], updated: dict[str, JSON]) -> None:
        if created:
            self.c.execute(insert(RecordRow), created)
        if updated:
            self.c.execute(_UPDATE_RECORD, [{"updated_key": k, **columns} for k, columns in updated.items()])

    def change_links(
        self, dropped: list[tuple[str, str]], removed: list[tuple[str, str, str]], added: list[Link]
    ) -> None:
        for source, rel in dropped:
            self.c.execute(delete(LinkRow).where(col(LinkRow.source_key) == source, col(LinkRow.rel) == rel))
        for source, rel, target in removed:
            self.c.execute(
                delete(LinkRow).where(
                    col(LinkRow.source_key) == source, col(LinkRow.rel) == rel, col(LinkRow.target_key) == target
                )
            )
        if added:
            upsert: Any = (postgresql.insert if self.c.dialect.name == "postgresql" else sqlite.insert)(LinkRow)
            upsert = upsert.on_conflict_do_update(
                index_elements=["source_key", "rel", "target_key"], set_={"role": upsert.excluded.role}
            )
            self.c.execute(upsert, [link_columns(link) for link in added])

    def add_audit(self, rows: list[JSON], described: bool) -> None:
        self.c.execute(insert(AuditRow), rows)
        if described:  # under the counter's lock: no other writer counts at the same time
            counted = update(MetaRow).where(col(MetaRow.name) == DESCRIBED).values(value=col(MetaRow.value) + 1)
            if self.c.execute(counted).rowcount == 0:
                self.c.execute(insert(MetaRow).values(name=DESCRIBED, value=1))

    def change_access(self, hubs: list[Hub], keys: list[ApiKey], revoked: list[str], at: str | None) -> None:
        if hubs:
            self.c.execute(insert(HubRow), [hub_columns(hub) for hub in hubs])
        if keys:
            self.c.execute(insert(ApiKeyRow), [key_columns(key) for key in keys])
        if revoked:
            self.c.execute(update(ApiKeyRow).where(col(ApiKeyRow.key_id).in_(revoked)).values(revoked_at=at))

    def keep_result(self, idempotency_key: str, result: str) -> None:
        self.c.execute(insert(IdempotencyRow).values(key=idempotency_key, result=result))


def hub_columns(hub: Hub) -> JSON:
    return {"slug": hub.slug, "name": hub.name, "created_at": format_time(hub.created_at) or ""}


def key_columns(key: ApiKey) -> JSON:
    return {
        "key_id": key.key_id,
        "secret_hash": key.secret_hash,
        "role": key.role.value,
        "hub": key.hub,
        "created_at": format_time(key.created_at) or "",
        "revoked_at": format_time(key.revoked_at),
        "label": key.label,
    }


def link_columns(link: Link) -> JSON:
    return {
        "source_key": str(link.source),
        "rel": link.rel.value,
        "target_key": str(link.target),
        "source_kind": link.source.kind.value,
        "target_kind": link.target.kind.value,
        "role": link.role,
    }
