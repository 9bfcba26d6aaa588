"""The Neo4j store's primitives of the write sequence (registry/store/writing.py).

Every statement's text is fixed (values go in parameters), so Neo4j plans each once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TypeVar

from neo4j import ManagedTransaction, Session, unit_of_work
from neo4j.exceptions import ConstraintError, TransientError

from graph import cypher
from registry.domain.records import JSON, ApiKey, Hub, Link
from registry.store import budget, causal
from registry.store.writing import Current, Transient, Wanted, WriteSequence, WriteTransaction, key_taken

T = TypeVar("T")

_QUEUE_SECONDS = 5.0  # how long a writer waits for the writers of its process before going on

# Everything a write changes, in one statement and so one round trip under the counter's lock
# (it is held until commit: each round trip there is one every other writer waits for).  Each
# part is a unit subquery over a list that is empty when the write has none of it, so the text
# is the same for every write and Neo4j plans it once; the parts run in this order, the order of
# `WriteTransaction` (records, then links: drop, remove, add; audit; access; the idempotency result).
# Dynamic labels and types (Neo4j 5.26) come from the rows, never from text.
_APPLY = """
CALL () { UNWIND $created AS row CREATE (r:Record:$(row.kind)) SET r = row }
CALL () { UNWIND $updated AS row MATCH (r:Record {key: row.key}) SET r += row.props }
CALL () { UNWIND $dropped AS row MATCH (:Record {key: row[0]})-[l]->(:Record) WHERE type(l) = row[1] DELETE l }
CALL () {
  UNWIND $removed AS row MATCH (:Record {key: row[0]})-[l]->(:Record {key: row[2]}) WHERE type(l) = row[1] DELETE l
}
CALL () {
  UNWIND $added AS row MATCH (s:Record {key: row.source}), (t:Record {key: row.target})
  MERGE (s)-[l:$(row.rel)]->(t) SET l.role = row.role
}
CALL () { UNWIND $audit AS row CREATE (a:AuditEntry) SET a = row }
CALL () {
  UNWIND $numbered AS last MATCH (g:Meta {name: 'generation'})
  SET g.audit = last, g.described = coalesce(g.described, 0) + $described
}
CALL () { UNWIND $hubs AS row CREATE (h:Hub) SET h = row }
CALL () { UNWIND $keys AS row CREATE (k:ApiKey) SET k = row }
CALL () { MATCH (k:ApiKey) WHERE k.key_id IN $revoked SET k.revoked_at = $at }
CALL () { UNWIND $results AS row CREATE (:Idempotency {key: row.key, result: row.result}) }
"""


def within_budget(work: Callable[[ManagedTransaction], T]) -> Callable[[ManagedTransaction], T]:
    """`work` as a transaction function bounded by the request's time budget, if it has one:
    Neo4j ends the transaction at the deadline, and the driver's retries stop with it
    (TimedOut is not retried)."""
    left = budget.remaining()
    if left is None:
        return work

    @unit_of_work(timeout=left)
    def bounded(tx: ManagedTransaction) -> T:
        budget.remaining()
        return work(tx)

    return bounded


class Neo4jWrites(WriteSequence):
    """`Store.write` on Neo4j.  The driver runs a transaction again on transient failures for its
    `retry_seconds`; a ConstraintError (not expected under the counter's lock) or a transient
    failure that outlasted those is run again by the sequence."""

    def __init__(
        self,
        session: Callable[[], AbstractContextManager[Session]],
        translated: Callable[[], AbstractContextManager[None]],
    ) -> None:
        """`session` opens a session on the store's database; `translated` turns the driver's
        failures into the registry's own (the store's edge)."""
        self._session = session
        self._translated = translated
        # The writers of this process queue here, in turn, rather than on the counter node's lock,
        # which Neo4j grants in no particular order: with 32 waiting, some waited 10 s and more.
        self._one_writer = threading.Lock()

    @contextmanager
    def _writers_turn(self, left: float | None) -> Iterator[None]:
        # Bounded: when Neo4j is down each writer takes `retry_seconds` to fail, and a queue of
        # them must not add those up; past the bound a writer waits on Neo4j's lock alone.
        queued = self._one_writer.acquire(timeout=_QUEUE_SECONDS if left is None else min(_QUEUE_SECONDS, left))
        try:
            yield
        finally:
            if queued:
                self._one_writer.release()

    def _in_transaction(self, work: Callable[[WriteTransaction], T]) -> T:
        def unit(tx: ManagedTransaction) -> T:
            writing = Neo4jTransaction(tx)
            done = work(writing)
            writing.apply()  # what the sequence decided to write, in one statement
            return done

        with self._session() as session:
            done = session.execute_write(within_budget(unit))
            causal.wrote(session.last_bookmarks().raw_values)  # for the client to read it elsewhere
            return done

    def _failure(self, error: Exception) -> Exception | Transient:
        if isinstance(error, ConstraintError):
            return Transient(key_taken())
        translated = self._translate(error)
        return Transient(translated) if isinstance(error, TransientError) else translated

    def _translate(self, error: Exception) -> Exception:
        try:
            with self._translated():
                raise error
        except Exception as translated:
            return translated
        raise AssertionError("unreachable")


class Neo4jTransaction:
    """The primitives inside one managed transaction.  `lock` runs at once and reads, in its
    round trip, what the write depends on (`read` answers from it; the sequence decides from
    that); the changes are gathered and sent together by `apply`, once the sequence has
    decided them all: two round trips under the counter's lock, then the commit."""

    def __init__(self, tx: ManagedTransaction) -> None:
        self.tx = tx
        self._last_audit = 0
        self._wanted: Wanted | None = None
        self._current = Current()
        self._rows: JSON = (
            {name: [] for name in ("created", "updated", "dropped", "removed", "added", "audit", "numbered")}
            | {name: [] for name in ("hubs", "keys", "revoked", "results")}
            | {"described": 0, "at": None}
        )

    def lock(self, idempotency_key: str | None, wanted: Wanted) -> str | None:
        # One round trip: the bump, the last audit number, the idempotency key and what the
        # write depends on (see cypher.LOCK_GENERATION); `read` answers from it.
        params = {
            "key": idempotency_key,
            "records": list(wanted.records),
            "ends": list(wanted.ends),
            "hubs": list(wanted.hubs),
            "keys": list(wanted.keys),
            "revoked": list(wanted.revoked),
        }
        locked = self.tx.run(cypher.LOCK_GENERATION, params).single()
        if locked is None:  # no counter node yet: make it, then take its lock as any write does
            self.tx.run(cypher.START_GENERATION).consume()
            locked = self.tx.run(cypher.LOCK_GENERATION, params).single(strict=True)
        self._last_audit = int(locked["last_audit"])
        self._current = Current(
            versions={k: int(v) for k, v in locked["versions"]},
            ends=frozenset(locked["ends"]),
            hubs=frozenset(locked["hubs"]),
            keys=frozenset(locked["keys"]),
            active=frozenset(locked["active"]),
        )
        self._wanted = wanted
        return None if locked["replayed"] is None else str(locked["replayed"])

    def read(self, wanted: Wanted) -> Current:
        # Read with the lock, in its round trip: the sequence asks for what it gave `lock`.
        assert wanted == self._wanted, "read wants what lock was given"
        return self._current

    def last_audit_number(self, count: int) -> int:
        return self._last_audit  # read by `lock`; `apply` keeps the new last on the counter node

    def put_records(self, created: list[JSON], updated: dict[str, JSON]) -> None:
        self._rows["created"] += [cypher.stored_text(props) for props in created]
        self._rows["updated"] += [{"key": k, "props": cypher.stored_text(props)} for k, props in updated.items()]

    def change_links(
        self, dropped: list[tuple[str, str]], removed: list[tuple[str, str, str]], added: list[Link]
    ) -> None:
        self._rows["dropped"] += [list(row) for row in dropped]
        self._rows["removed"] += [list(row) for row in removed]
        self._rows["added"] += [
            {"source": cypher.key(x.source), "rel": x.rel.value, "target": cypher.key(x.target), "role": x.role}
            for x in added
        ]

    def add_audit(self, rows: list[JSON], described: bool) -> None:
        # Numbered under the lock; the last number is kept on the counter node (read by LOCK_GENERATION).
        self._rows["audit"] += rows
        self._rows["numbered"] = [rows[-1]["seq"]]
        self._rows["described"] = int(described)

    def change_access(self, hubs: list[Hub], keys: list[ApiKey], revoked: list[str], at: str | None) -> None:
        self._rows["hubs"] += [cypher.hub_props(hub) for hub in hubs]
        self._rows["keys"] += [cypher.api_key_props(key) for key in keys]
        self._rows["revoked"] += revoked
        self._rows["at"] = at

    def keep_result(self, idempotency_key: str, result: str) -> None:
        self._rows["results"] += [{"key": idempotency_key, "result": result}]

    def apply(self) -> None:
        """Send the changes gathered: nothing when there are none (a replay raises before)."""
        if any(value for name, value in self._rows.items() if isinstance(value, list)):
            self.tx.run(_APPLY, self._rows).consume()
