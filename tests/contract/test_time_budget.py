"""The request's time budget is enforced by every store's database: a statement still running
when the budget runs out is stopped there (SQLite interrupted, PostgreSQL cancelled, Neo4j's
transaction timed out), the caller gets TIMEOUT, and the store serves the next call."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import text

from registry.domain.errors import ErrorCode, RegistryError
from registry.store import budget
from registry.store.port import EVERYTHING, Store
from registry.store.sql.store import SqlStore
from tests.conftest import MakeStore
from tests.contract.builders import create, territory

# Statements slow on purpose: each runs for tens of seconds when nothing stops it.
_SQLITE_SLOW = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 500000000) SELECT count(*) FROM c"
)
_POSTGRES_SLOW = "SELECT pg_sleep(60)"
_NEO4J_SLOW = "UNWIND range(1, 5000000000) AS x WITH x WHERE x % 7 = 8 RETURN count(x) AS n"


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """What the HTTP layer sets for a request (budget.within), here for the calling thread."""
    token = budget.DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        budget.DEADLINE.reset(token)


def _slow(store: Store) -> Any:
    """Run the slow statement through the store's own plumbing (its transaction set-up and
    error translation), as its reads run."""
    if isinstance(store, SqlStore):
        slow = _SQLITE_SLOW if store.engine.dialect.name == "sqlite" else _POSTGRES_SLOW

        def work() -> Any:
            with store.engine.begin() as connection:
                return connection.execute(text(slow)).all()

        return store._guard(work)
    return store._read(_NEO4J_SLOW)  # type: ignore[attr-defined]


def test_a_statement_over_the_budget_is_stopped_by_the_database(store: Store) -> None:
    create(store, [territory("lyon")])
    with _deadline(0.3), pytest.raises(RegistryError) as raised:
        _slow(store)
    assert raised.value.code is ErrorCode.TIMEOUT
    # the store is fine: the next calls, with a budget or without, are served
    with _deadline(30):
        assert [r.ref.slug for r in store.get([territory("lyon").ref], EVERYTHING).values()] == ["lyon"]
    create(store, [territory("paris")])
    assert len(store.get([territory("lyon").ref, territory("paris").ref], EVERYTHING)) == 2


def test_a_call_made_once_the_budget_is_spent_does_not_reach_the_store(store: Store) -> None:
    before = store.generation()
    with _deadline(0.0), pytest.raises(RegistryError) as raised:
        create(store, [territory("lyon")])
    assert raised.value.code is ErrorCode.TIMEOUT
    assert store.generation() == before
    assert store.get([territory("lyon").ref], EVERYTHING) == {}


@pytest.mark.postgres
def test_a_postgres_budget_holds_for_its_whole_transaction_and_ends_with_it(make_store: MakeStore) -> None:
    # given PostgreSQL, whose transactions begin with the budget's statement timeout
    store = make_store("postgres")
    assert isinstance(store, SqlStore)
    # when a transaction runs under a budget of a few seconds, then another with none, on one connection
    with _deadline(5), store.engine.begin() as c:
        first = c.execute(text("SHOW statement_timeout")).scalar_one()
        later = c.execute(text("SHOW statement_timeout")).scalar_one()
    with store.engine.begin() as c:
        after = c.execute(text("SHOW statement_timeout")).scalar_one()
    # then every statement of the first is bounded, and the next caller's transaction is not
    assert first == later and first.endswith("ms") and 0 < int(first.removesuffix("ms")) <= 5000
    assert after == "0"
