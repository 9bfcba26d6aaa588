"""Store fixtures shared by every test module: one empty store of each kind per test.

`store` runs a test once per kind in STORE_KINDS.  SQLite always runs; PostgreSQL needs
REGISTRY_TEST_POSTGRES_URL and Neo4j needs java and mvn (a real Neo4j 5.26 is started
once per session).  A missing one skips its tests, unless REGISTRY_REQUIRE_ALL_STORES=1
(as in CI), where it fails them.  `pytest -m "not neo4j and not postgres"` runs SQLite only.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from registry.store.factory import open_store
from registry.store.port import Store
from registry.store.sql.store import SqlStore
from tests import needs

STORE_KINDS = ("sqlite", "postgres", "neo4j")
POSTGRES_URL = "REGISTRY_TEST_POSTGRES_URL"

MakeStore = Callable[[str], Store]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "neo4j: runs against a real local Neo4j (needs java and mvn)")
    config.addinivalue_line("markers", f"postgres: runs against PostgreSQL (needs {POSTGRES_URL})")


def _missing(reason: str) -> None:
    """Skip for want of a server, or fail when every store is required (tests/needs.py)."""
    needs.missing(needs.STORES, reason)


@pytest.fixture(scope="session")
def neo4j_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Bolt URI of one local Neo4j (no authentication) started for the whole session."""
    needs.java_and_mvn()
    from graph.local_neo4j import LocalNeo4j, Neo4jUnavailable, free_port

    server = LocalNeo4j(free_port(), tmp_path_factory.mktemp("neo4j"))
    try:
        uri = server.start()
    except Neo4jUnavailable as error:  # java and mvn are there, so this is a real failure
        pytest.fail(f"The local Neo4j did not start: {error}", pytrace=False)
    try:
        yield uri
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A PostgreSQL database for tests, e.g. postgresql://registry:registry@127.0.0.1:5432/registry_test."""
    url = os.environ.get(POSTGRES_URL)
    if not url:
        _missing(f"PostgreSQL tests need {POSTGRES_URL}")
    assert url is not None
    return url


@pytest.fixture
def make_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MakeStore]:
    """Open an empty store of a kind; all are closed after the test.

    SQLite stores are separate files.  PostgreSQL and Neo4j stores use the one shared
    server and database (Neo4j Community has a single one), so two stores of the same
    server kind share their data, and making the second one empties the first.
    """
    opened: list[Store] = []

    def make(kind: str) -> Store:
        store: Store
        if kind == "sqlite":
            store = SqlStore(f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'registry.db'}")
        elif kind == "postgres":
            store = open_store(request.getfixturevalue("postgres_url"))
        elif kind == "neo4j":
            from graph.store import Neo4jStore

            store = Neo4jStore(request.getfixturevalue("neo4j_uri"))
        else:
            raise ValueError(f"unknown store kind {kind!r}; expected one of {STORE_KINDS}")
        opened.append(store)
        store.clear()
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
        pytest.param("neo4j", id="neo4j", marks=pytest.mark.neo4j),
    ]
)
def store_kind(request: pytest.FixtureRequest) -> str:
    """The kind of store a test runs against, one of STORE_KINDS."""
    kind: str = request.param
    return kind


@pytest.fixture
def store(store_kind: str, make_store: MakeStore) -> Store:
    """An empty store of each kind in turn."""
    return make_store(store_kind)


@pytest.fixture
def same_database(store_kind: str, store: Store, request: pytest.FixtureRequest) -> Iterator[Store]:
    """A second store object on `store`'s database, as another server process would open it."""
    other: Store
    if store_kind == "sqlite":
        assert isinstance(store, SqlStore)
        other = SqlStore(store.engine.url.render_as_string(hide_password=False))
    elif store_kind == "postgres":
        other = open_store(request.getfixturevalue("postgres_url"))
    else:
        from graph.store import Neo4jStore

        other = Neo4jStore(request.getfixturevalue("neo4j_uri"))
    yield other
    other.close()
