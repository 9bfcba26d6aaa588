"""The request's time budget (registry/budget.py) enforced by the SQL databases themselves."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, event, text

from registry.store import budget

_CHECK_EVERY = 10_000  # SQLite virtual-machine steps between two looks at the clock
_QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement ended by statement_timeout

_STATEMENT_TIMEOUT = text("SELECT set_config('statement_timeout', :ms, true)")


def _interrupt() -> int:
    """SQLite's progress handler: non-zero stops the running statement ("interrupted")."""
    return 1 if budget.expired() else 0


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.set_progress_handler(_interrupt, _CHECK_EVERY)


def bound_sqlite_lock_wait(connection: Connection, most_ms: int) -> None:
    """Before a write takes SQLite's lock: waiting for another writer's lock runs no statement, so
    the progress handler does not see it; the wait itself is bounded by what is left of the
    budget (else the store's own `most_ms`).  Only writes wait for the lock (readers do not, in
    write-ahead-log mode), so reads are spared this statement."""
    left = budget.remaining()
    wait = most_ms if left is None else min(most_ms, max(1, int(left * 1000)))
    connection.exec_driver_sql(f"PRAGMA busy_timeout = {wait}")  # a PRAGMA takes no parameters


def _on_postgres_begin(connection: Connection) -> None:
    """Every transaction of a request gets what is left of its budget as its statement timeout
    (set_config(..., true) is SET LOCAL: it ends with the transaction)."""
    left = budget.remaining()
    if left is not None:
        connection.execute(_STATEMENT_TIMEOUT, {"ms": str(max(1, int(left * 1000)))})


def cancelled_by_budget(error: Exception) -> bool:
    """Whether a database error is the budget's doing: the clock may read a hair short of the
    deadline when the database, given the budget in whole milliseconds, ends the statement."""
    if budget.DEADLINE.get() is None:
        return False
    if budget.expired():
        return True
    cause = getattr(error, "orig", None)
    return getattr(cause, "sqlstate", None) == _QUERY_CANCELED or "interrupted" in str(cause).lower()


def install(engine: Engine) -> None:
    """Enforce the request's budget on `engine`'s statements (SQLite's lock wait: see
    bound_sqlite_lock_wait, called by the store's writes)."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _on_postgres_begin)
