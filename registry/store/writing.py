"""The write sequence of `Store.write`, stated once: each store supplies its primitives.

The shape is a template method (as cosmicpython's abstract repository): `WriteSequence.write`
runs the algorithm, and a store fills in how to take its writers' turn, how to run one
transaction and which of its driver's failures are worth running again; inside the
transaction a `WriteTransaction` reads and writes rows.  What a write decides (versions,
slugs, hubs, keys, link ends) and the error each decision raises are written here only,
so every store answers the same batch with the same error.

The sequence, in one transaction:
1. `lock`: bump the change counter first; its lock lasts until commit, so writers take
   turns and everything below is decided with no other writer in between.  (A store may
   read step 3's `wanted` in the lock's own round trip.)
2. the idempotency key: already stored means `Replayed`, and nothing is written.
3. `read` what the batch depends on (in as few round trips as the store can), then
   `decide`: every error is raised before anything is written.
4. number the audit entries (`last_audit_number`), then apply: records, links, audit,
   hubs and keys, the idempotency result.
"""

from __future__ import annotations

import json
import random
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import JSON, ApiKey, AuditEntry, Hub, Link
from registry.store import budget, changes
from registry.store.codec import audit_columns, format_time, parse_time, record_columns
from registry.store.port import Replayed, WriteBatch

T = TypeVar("T")

ATTEMPTS = 6  # a write that meets a transient failure is run again, this many times at most


@dataclass(frozen=True)
class Wanted:
    """What a batch's decisions depend on, read under the counter's lock."""

    records: tuple[str, ...] = ()  # keys of the records put: their versions (a store may lock them)
    ends: tuple[str, ...] = ()  # keys of link ends not put by the batch: whether they exist
    hubs: tuple[str, ...] = ()  # slugs of new hubs: which are taken
    keys: tuple[str, ...] = ()  # ids of new keys: which are taken
    revoked: tuple[str, ...] = ()  # ids of keys to revoke: which are active

    def __bool__(self) -> bool:
        return any((self.records, self.ends, self.hubs, self.keys, self.revoked))


@dataclass(frozen=True)
class Current:
    """What the store holds of what was `Wanted`."""

    versions: dict[str, int] = field(default_factory=dict)  # of the wanted records that exist
    ends: frozenset[str] = frozenset()  # the wanted ends that exist
    hubs: frozenset[str] = frozenset()  # the wanted hub slugs taken
    keys: frozenset[str] = frozenset()  # the wanted key ids taken
    active: frozenset[str] = frozenset()  # the keys to revoke that are active


@dataclass
class Plan:
    """The rows a batch writes, once every decision has passed."""

    created: list[JSON] = field(default_factory=list)  # record columns
    updated: dict[str, JSON] = field(default_factory=dict)  # key -> columns but the key and creation time
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (source key, relation): all such links
    removed: list[tuple[str, str, str]] = field(default_factory=list)  # (source key, relation, target key)
    added: list[Link] = field(default_factory=list)  # one per (source, relation, target): the last role
    hubs: list[Hub] = field(default_factory=list)
    keys: list[ApiKey] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)  # key ids


class WriteTransaction(Protocol):
    """A store's primitives inside one write transaction."""

    def lock(self, idempotency_key: str | None, wanted: Wanted) -> str | None:
        """Bump the change counter, as the transaction's first statement; return the result
        stored under `idempotency_key`, if any.  A store may read `wanted` in the same round
        trip, under the lock, and answer `read` from it."""
        ...

    def read(self, wanted: Wanted) -> Current: ...

    def last_audit_number(self, count: int) -> int:
        """Reserve `count` audit numbers; return the last one given before them."""
        ...

    def put_records(self, created: list[JSON], updated: dict[str, JSON]) -> None: ...

    def change_links(
        self, dropped: list[tuple[str, str]], removed: list[tuple[str, str, str]], added: list[Link]
    ) -> None:
        """Drop, then remove, then add (a repeated link updates its role)."""
        ...

    def add_audit(self, rows: list[JSON], described: bool) -> None:
        """Insert the audit rows (`codec.audit_columns`), numbered in order; when `described`
        (they name all the batch changes: `changes.described`), count the write as such
        (`ChangeMark.described`)."""
        ...

    def change_access(self, hubs: list[Hub], keys: list[ApiKey], revoked: list[str], at: str | None) -> None: ...

    def keep_result(self, idempotency_key: str, result: str) -> None: ...


@dataclass(frozen=True)
class Transient:
    """A failure the same write, run again, may not meet; `last` is raised when every attempt met one."""

    last: Exception


def key_taken() -> RegistryError:
    """A unique key the database refused though the decisions passed (not expected under the lock)."""
    return RegistryError(ErrorCode.DUPLICATE, "This write repeats a key that is already taken.")


class WriteSequence(ABC):
    """`Store.write` for a store that supplies the primitives below."""

    def write(self, batch: WriteBatch) -> list[AuditEntry]:
        """See Store.write: the sequence in one transaction, run again on transient failures."""
        if batch.audit and batch.at is None:
            raise ValueError("An audited write needs its time (`at`).")
        for attempt in range(1, ATTEMPTS + 1):
            left = budget.remaining()  # a spent budget reaches no store; the turn's wait is bounded by it
            try:
                with self._writers_turn(left):
                    return self._in_transaction(lambda tx: run(tx, batch))
            except (RegistryError, Replayed):
                raise  # decided: running it again would decide the same
            except Exception as error:
                verdict = self._failure(error)
                if not isinstance(verdict, Transient):
                    if verdict is error:
                        raise
                    raise verdict from error
                if attempt == ATTEMPTS:
                    raise verdict.last from error
            pause = random.uniform(0, 0.02 * 2**attempt)  # jitter: writers that clashed do not meet again
            left = budget.remaining()
            time.sleep(pause if left is None else min(pause, left))
        raise AssertionError("unreachable")

    @abstractmethod
    def _writers_turn(self, left: float | None) -> AbstractContextManager[object]:
        """Wait for this process's other writers (at most `left` seconds, when not None)."""

    @abstractmethod
    def _in_transaction(self, work: Callable[[WriteTransaction], T]) -> T:
        """Run `work` in one transaction, committed when it returns, rolled back when it raises."""

    @abstractmethod
    def _failure(self, error: Exception) -> Exception | Transient:
        """What a failure of `_in_transaction` becomes: an error to raise now (the registry's own,
        or `error` itself), or Transient when running the write again may succeed."""


def run(tx: WriteTransaction, batch: WriteBatch) -> list[AuditEntry]:
    """The sequence inside one transaction (see the module's docstring)."""
    wanted = wanted_by(batch)
    replayed = tx.lock(None if batch.idempotency is None else batch.idempotency[0], wanted)
    if replayed is not None:  # checked under the lock: of concurrent replays one writes
        raise Replayed(replayed)
    plan = decide(batch, tx.read(wanted) if wanted else Current())
    entries: list[AuditEntry] = []
    rows: list[JSON] = []
    if batch.audit:
        at = batch.at
        if at is None:
            raise ValueError("An audited write needs its time (`at`).")
        last = tx.last_audit_number(len(batch.audit))
        rows = [
            audit_columns(AuditEntry(last + n, at, d.who, d.action, d.ref, d.version_before, d.version_after, d.detail))
            for n, d in enumerate(batch.audit, start=1)
        ]
        entries = [_entry(row) for row in rows]
    if plan.created or plan.updated:
        tx.put_records(plan.created, plan.updated)
    if plan.dropped or plan.removed or plan.added:
        tx.change_links(plan.dropped, plan.removed, plan.added)
    if rows:
        tx.add_audit(rows, changes.described(batch))
    if plan.hubs or plan.keys or plan.revoked:
        tx.change_access(plan.hubs, plan.keys, plan.revoked, format_time(batch.at))
    if batch.idempotency is not None:
        tx.keep_result(*batch.idempotency)
    return entries


def wanted_by(batch: WriteBatch) -> Wanted:
    records = sorted({str(put.record.ref) for put in batch.puts})
    ends = {str(end) for link in batch.add_links for end in (link.source, link.target)}
    return Wanted(
        records=tuple(records),
        ends=tuple(sorted(ends.difference(records))),
        hubs=tuple(sorted({hub.slug for hub in batch.new_hubs})),
        keys=tuple(sorted({key.key_id for key in batch.new_keys})),
        revoked=tuple(sorted(set(batch.revoke_keys))),
    )


def decide(batch: WriteBatch, current: Current) -> Plan:
    """Every decision of the batch, in batch order, against what the store holds: the first
    failing one raises.  A batch may create a record and update it, but not create it twice."""
    plan = Plan()
    versions = dict(current.versions)
    created: dict[str, JSON] = {}
    for put in batch.puts:
        record_key, record_ref = str(put.record.ref), put.record.ref
        if put.expected_version is None:
            if record_key in versions:
                raise RegistryError(ErrorCode.DUPLICATE, f"{record_ref} already exists.", "slug")
        elif record_key not in versions:
            raise RegistryError(ErrorCode.NOT_FOUND, f"{record_ref} does not exist.", "id")
        elif versions[record_key] != put.expected_version:
            raise RegistryError(
                ErrorCode.CONFLICT,
                f"{record_ref} is at version {versions[record_key]}, not {put.expected_version}.",
                "version",
            )
        versions[record_key] = put.record.version
        columns = record_columns(put.record)
        if record_key in current.versions:  # an update keeps the key and the creation time
            plan.updated[record_key] = {k: v for k, v in columns.items() if k not in ("key", "created_at")}
        elif record_key in created:  # created, then updated, in the same batch
            created[record_key] = {**columns, "created_at": created[record_key]["created_at"]}
        else:
            created[record_key] = columns
    plan.created = list(created.values())
    plan.dropped = list(dict.fromkeys((str(source), rel.value) for source, rel in batch.replace_links))
    plan.removed = list(dict.fromkeys((str(x.source), x.rel.value, str(x.target)) for x in batch.remove_links))
    for link in batch.add_links:
        for end, name in ((link.source, "source"), (link.target, "target")):
            if str(end) not in versions and str(end) not in current.ends:
                raise RegistryError(ErrorCode.NOT_FOUND, f"{end} does not exist.", name)
    plan.added = list({(x.source, x.rel, x.target): x for x in batch.add_links}.values())
    _decide_access(batch, current, plan)
    return plan


def _decide_access(batch: WriteBatch, current: Current, plan: Plan) -> None:
    """New hubs and keys must be new (in the store and in the batch); a revoked key must be active."""
    hubs = set(current.hubs)
    for hub in batch.new_hubs:
        if hub.slug in hubs:
            raise RegistryError(ErrorCode.DUPLICATE, f"The hub {hub.slug!r} already exists.", "slug")
        hubs.add(hub.slug)
        plan.hubs.append(hub)
    keys = set(current.keys)
    active = set(current.active)
    for key in batch.new_keys:
        if key.key_id in keys:
            raise RegistryError(ErrorCode.DUPLICATE, f"The key {key.key_id!r} already exists.", "id")
        keys.add(key.key_id)
        if key.revoked_at is None:
            active.add(key.key_id)
        plan.keys.append(key)
    for key_id in batch.revoke_keys:
        if key_id not in active:
            raise RegistryError(ErrorCode.NOT_FOUND, f"No active key {key_id!r}.", "id")
        active.discard(key_id)
        plan.revoked.append(key_id)


def _entry(row: JSON) -> AuditEntry:
    """The entry as a store reads it back (times in UTC to the microsecond, detail through JSON)."""
    at = parse_time(row["at"])
    assert at is not None
    return AuditEntry(
        row["seq"],
        at,
        row["who"],
        row["action"],
        row["ref"],
        row["version_before"],
        row["version_after"],
        json.loads(row["detail"]),
    )
