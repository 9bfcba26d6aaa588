"""What only the Neo4j store has to show: reaching the server, losing it, and getting it back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from graph.local_neo4j import LocalNeo4j, free_port
from graph.store import Neo4jStore
from registry.domain.errors import ErrorCode, RegistryError, StoreUnavailable
from registry.domain.records import Kind, Ref
from registry.store.codec import record_columns
from registry.store.factory import open_store
from registry.store.port import EVERYTHING, PUBLIC, RecordQuery
from tests.contract.builders import create, territory

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory, neo4j_uri: str) -> Iterator[LocalNeo4j]:
    """A second local Neo4j, with a password, that these tests may stop and start.

    It asks for `neo4j_uri` only to share its rule: skip (or fail in CI) without java and mvn.
    """
    server = LocalNeo4j(free_port(), tmp_path_factory.mktemp("own-neo4j"), password="s3cret")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_an_unreachable_server_is_reported_with_its_address() -> None:
    # given nothing listens on this port
    url = f"bolt://127.0.0.1:{free_port()}"
    # when
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as caught:
        Neo4jStore(url, retry_seconds=1.0)
    # then it says where, quickly
    assert caught.value.code is ErrorCode.STORE_UNAVAILABLE
    assert url in caught.value.message
    assert time.monotonic() - started < 15


def test_the_store_url_and_credentials_come_from_the_settings(
    own_server: LocalNeo4j, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the store URL the service is configured with, and a wrong password
    monkeypatch.setenv("NEO4J_USER", "neo4j")
    monkeypatch.setenv("NEO4J_PASSWORD", "wrong")
    # then
    with pytest.raises(StoreUnavailable, match="refused the credentials"):
        open_store(own_server.uri)
    # and with the right one
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret")
    store = open_store(own_server.uri)
    try:
        store.ping()
    finally:
        store.close()


def test_the_store_recovers_when_neo4j_comes_back(own_server: LocalNeo4j) -> None:
    # given a store with a record in it
    store = Neo4jStore(own_server.uri, "neo4j", "s3cret", retry_seconds=1.0)
    try:
        store.clear()
        create(store, [territory("lyon")])
        lyon = Ref(Kind.TERRITORY, "lyon")
        # when Neo4j stops
        own_server.stop()
        # then every call says the store is unavailable, without telling clients where it is
        for call in (
            store.ping,
            lambda: store.get([lyon], EVERYTHING),
            lambda: store.query(RecordQuery(kinds=(Kind.TERRITORY,))),
        ):
            with pytest.raises(StoreUnavailable) as caught:
                call()
            assert caught.value.message == StoreUnavailable().message
        with pytest.raises(StoreUnavailable):
            create(store, [territory("paris")])
        # when it comes back, the same store object works again
        own_server.start()
        store.ping()
        assert list(store.get([lyon], EVERYTHING)) == [lyon]
        create(store, [territory("paris")])
        assert store.query(RecordQuery(kinds=(Kind.TERRITORY,), visibility=PUBLIC)).total == 2
    finally:
        store.close()


def test_a_second_store_on_the_same_database_finds_the_schema_in_place(neo4j_uri: str) -> None:
    # given a store that created the constraints and indexes, then another one
    first = Neo4jStore(neo4j_uri)
    second = Neo4jStore(neo4j_uri)
    try:
        # then both work on the same data
        first.clear()
        create(first, [territory("lyon")])
        assert [r.slug for r in second.iter_records()] == ["lyon"]
    finally:
        first.clear()
        first.close()
        second.close()


def _blocked_transaction(store: Neo4jStore) -> bool:
    """Whether, within 30 s, Neo4j lists a transaction blocked by another's lock."""
    deadline = time.monotonic() + 30
    with store.driver.session(database="system") as session:
        while time.monotonic() < deadline:
            statuses = [r["status"] for r in session.run("SHOW TRANSACTIONS YIELD status")]
            if any(str(status).startswith("Blocked") for status in statuses):
                return True
            time.sleep(0.05)
    return False


def test_a_slug_taken_by_a_transaction_still_open_is_a_duplicate(neo4j_uri: str) -> None:
    store = Neo4jStore(neo4j_uri)
    try:
        store.clear()
        lyon = territory("lyon")
        # given another client's transaction that created lyon and has not committed yet
        with store.driver.session(database=store.database) as session:
            other = session.begin_transaction()
            other.run("CREATE (r:Record:Territory) SET r = $props", props=record_columns(lyon)).consume()
            with ThreadPoolExecutor(1) as pool:
                # when this store creates lyon too, it waits on the uniqueness constraint
                pending = pool.submit(create, store, [lyon])
                # (Neo4j says so: a transaction blocked by the other's lock, not a guess by the clock)
                assert _blocked_transaction(store), "no transaction waits on the other's lock"
                assert not pending.done()
                other.commit()
                # then, once the other commits, it is told the slug is taken
                error = pending.exception(timeout=30)
        assert isinstance(error, RegistryError)
        assert (error.code, error.field, error.message) == (
            ErrorCode.DUPLICATE,
            "slug",
            "Territory:lyon already exists.",
        )
        assert store.audit_page(0, 10) == ([], 0)
    finally:
        store.clear()
        store.close()
