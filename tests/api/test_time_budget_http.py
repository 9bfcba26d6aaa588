"""The time budget over real HTTP on every store: a write made slow on purpose (another
transaction holds the store's write lock) is answered TIMEOUT, the database gives up on it
while the lock is still held, it changes nothing, and the store serves the next request."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from sqlalchemy import text

from graph import cypher
from registry.domain.errors import ErrorCode, RegistryError
from registry.settings import Settings
from registry.store.port import Store, WriteBatch
from registry.store.sql.store import SqlStore
from tests.api.conftest import Server, serve

CREATE = """mutation ($input: TerritoryInput!) {
  createTerritory(input: $input) { territory { slug } errors { code field message } } }"""
OULU = {"slug": "oulu", "name": {"en": "Oulu"}, "kind": "CITY", "country": "FI", "programmeStatus": "PEER"}
READ = '{ territory(slug: "oulu") { slug } }'


class _Watched:
    """The real store, telling when its `write` has returned or failed."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.ended = threading.Event()
        self.error: BaseException | None = None

    def write(self, batch: WriteBatch) -> Any:
        try:
            return self._store.write(batch)
        except BaseException as error:
            self.error = error
            raise
        finally:
            self.ended.set()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@contextmanager
def _write_lock_held(store: Store) -> Iterator[None]:
    """Another client's open write transaction, holding what every write takes first."""
    if isinstance(store, SqlStore) and store.engine.dialect.name == "sqlite":
        database = store.engine.url.database
        assert database is not None
        other = sqlite3.connect(database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
    elif isinstance(store, SqlStore):
        with store.engine.connect() as connection:
            connection.execute(text("UPDATE meta SET value = value + 1 WHERE name = 'generation'"))
            try:
                yield
            finally:
                connection.rollback()
    else:
        with store.driver.session() as session:  # type: ignore[attr-defined]
            tx = session.begin_transaction()
            tx.run(cypher.BUMP_GENERATION).consume()
            try:
                yield
            finally:
                tx.rollback()


def test_a_write_past_its_budget_is_cancelled_by_the_store(store: Store, server: Server) -> None:
    served = serve(server, store)
    api = next(served)
    try:
        watched = _Watched(store)
        server.app.state.store = watched
        server.app.state.settings = replace(Settings(store_url="unused://"), time_budget=1.0)
        with _write_lock_held(store):
            answer = api.post(CREATE, {"input": OULU}, as_="coordinator")
            assert answer.status_code == 504, answer.text
            assert answer.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
            # the database itself gave up on the waiting write, while the lock is still held
            assert watched.ended.wait(60)
            assert isinstance(watched.error, RegistryError) and watched.error.code is ErrorCode.TIMEOUT
        server.app.state.settings = Settings(store_url="unused://")
        assert api.data(READ)["territory"] is None  # nothing was written
        created = api.data(CREATE, {"input": OULU}, as_="coordinator")["createTerritory"]
        assert created == {"territory": {"slug": "oulu"}, "errors": []}
        assert api.data(READ)["territory"] == {"slug": "oulu"}
    finally:
        served.close()
        server.app.state.settings = Settings(store_url="unused://")
