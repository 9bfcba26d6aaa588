"""The request's time budget (registry/budget.py) enforced by the SQL databases themselves."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, event, text

from registry import budget

_CHECK_EVERY = 10_000  # SQLite virtual-machine steps between two looks at the clock
_SQLITE_WAIT = 5000  # ms: sqlite3's own default wait for a lock

_STATEMENT_TIMEOUT = text("SELECT set_config('statement_timeout', :ms, true)")


def _interrupt() -> int:
    """SQLite's progress handler: non-zero stops the running statement ("interrupted")."""
    return 1 if budget.expired() else 0


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.set_progress_handler(_interrupt, _CHECK_EVERY)


def _on_sqlite_begin(connection: Connection) -> None:
    """Waiting for another writer's lock runs no statement, so the progress handler does not see
    it: the wait itself is bounded by what is left of the budget (else sqlite3's 5 s)."""
    left = budget.remaining()
    wait = _SQLITE_WAIT if left is None else min(_SQLITE_WAIT, max(1, int(left * 1000)))
    connection.exec_driver_sql(f"PRAGMA busy_timeout = {wait}")  # a PRAGMA takes no parameters


def _on_postgres_begin(connection: Connection) -> None:
    """Every transaction of a request gets what is left of its budget as its statement timeout
    (set_config(..., true) is SET LOCAL: it ends with the transaction)."""
    left = budget.remaining()
    if left is not None:
        connection.execute(_STATEMENT_TIMEOUT, {"ms": str(max(1, int(left * 1000)))})


def install(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _on_postgres_begin)
