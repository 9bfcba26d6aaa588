"""The request's time budget (registry/budget.py) enforced by the SQL databases themselves."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, event

from registry.store import budget

_CHECK_EVERY = 10_000  # SQLite virtual-machine steps between two looks at the clock
_QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement ended by statement_timeout


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


def engine_options(url: str) -> dict[str, Any]:
    """What `install` needs of the engine it is given: on PostgreSQL, the driver in autocommit
    mode, since each transaction is then begun by `_on_postgres_begin` itself."""
    return {"isolation_level": "AUTOCOMMIT"} if url.startswith("postgresql") else {}


def _on_postgres_begin(connection: Connection) -> None:
    """Every transaction of a request gets what is left of its budget as its statement timeout.
    BEGIN and SET LOCAL (which ends with the transaction) travel as one simple query: one round
    trip where the driver's own BEGIN and a set_config() took two, for every store call.  The
    driver, in autocommit mode, sends no BEGIN of its own; its commit() and rollback() still end
    the transaction, as they look at the server's transaction state.  A connection asked for in
    autocommit mode (one statement, no transaction) is left as it is."""
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    left = budget.remaining()
    # A whole number of our own making: no parameter, so the driver sends it as a simple query.
    begin = "BEGIN" if left is None else f"BEGIN; SET LOCAL statement_timeout = {max(1, int(left * 1000))}"
    connection.exec_driver_sql(begin)


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
    bound_sqlite_lock_wait, called by the store's writes); `engine` made with `engine_options`."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _on_postgres_begin)
