"""The request's time budget (registry/budget.py) enforced by the SQL databases themselves."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, event, text

from registry import budget

_CHECK_EVERY = 10_000  # SQLite virtual-machine steps between two looks at the clock
_QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement ended by statement_timeout

_STATEMENT_TIMEOUT = text("SELECT set_config('statement_timeout', :ms, true)")


def _interrupt() -> int:
    """SQLite's progress handler: non-zero stops the running statement ("interrupted")."""
    return 1 if budget.expired() else 0


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.set_progress_handler(_interrupt, _CHECK_EVERY)


def _sqlite_lock_wait(most_ms: int) -> Any:
    def on_begin(connection: Connection) -> None:
        """Waiting for another writer's lock runs no statement, so the progress handler does not
        see it: the wait itself is bounded by what is left of the budget (else the store's own)."""
        left = budget.remaining()
        wait = most_ms if left is None else min(most_ms, max(1, int(left * 1000)))
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {wait}")  # a PRAGMA takes no parameters

    return on_begin


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


def install(engine: Engine, sqlite_lock_wait_ms: int) -> None:
    """Enforce the request's budget on `engine`'s connections; SQLite's lock wait is otherwise
    `sqlite_lock_wait_ms` (the store's own, which concurrent writers of other processes rely on)."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _sqlite_lock_wait(sqlite_lock_wait_ms))
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _on_postgres_begin)
