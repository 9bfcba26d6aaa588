"""Schema migrations: a database made by an older release is refused with the command that
upgrades it, `registry migrate` upgrades it in place and keeps its data, and the migrations
make exactly the tables the code declares (SQLite, PostgreSQL) and the indexes it needs (Neo4j)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

from registry.cli.commands import main
from registry.domain.errors import SchemaOutdated, SchemaTooNew
from registry.domain.records import Kind, Record, Ref, ReviewState
from registry.store.columns import bbox
from registry.store.factory import sql_url
from registry.store.port import EVERYTHING, PUBLIC, Put, RecordQuery, Visibility, WriteBatch
from registry.store.sql import schema_version
from registry.store.sql.store import SqlStore

FIRST_RELEASE_ROWS = [
    "INSERT INTO records (key, kind, slug, data, sources, version, created_at, updated_at, review_state, hub,"
    " status, subkind, country, governance, year_start, year_end, sort_name, search_text) VALUES"
    " ('Territory:lyon', 'Territory', 'lyon',"
    ' \'{"name":{"en":"Lyon"},"country":"FR","coordinates": {"latitude": 45.7575, "longitude": 4.8539}}\','
    ' \'[{"url":"https://example.org/lyon","title":"A page"}]\', 3, \'2026-11-29T10:00:00.000000Z\','
    " '2026-11-29T11:00:00.000000Z', 'published', NULL, NULL, NULL, 'FR', NULL, NULL, NULL, 'lyon', ' lyon')",
    "INSERT INTO hubs (slug, name, created_at) VALUES ('hub-a', 'Hub A', '2026-11-29T10:00:00.000000Z')",
    "INSERT INTO audit (seq, at, who, action, ref, version_before, version_after, detail) VALUES"
    " (1, '2026-11-29T11:00:00.000000Z', 'seed', 'update', 'Territory:lyon', 2, 3, '{}')",
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a database with nothing in it: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('migrations') / 'old.db'}"
        return
    base = sql_url(request.getfixturevalue("postgres_url"))
    name = f"migration_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base)
    with admin.begin() as c:
        c.execute(text(f"CREATE SCHEMA {name}"))
    try:
        yield f"{base}?options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as c:
            c.execute(text(f"DROP SCHEMA {name} CASCADE"))
        admin.dispose()


def _first_release_database(url: str, versioned: bool = True) -> None:
    schema_version.upgrade_to(url, "0001")
    engine = create_engine(url)
    with engine.begin() as c:
        for statement in FIRST_RELEASE_ROWS:
            c.execute(text(statement))
        if not versioned:  # as the first release made it: no version table at all
            c.execute(text("DROP TABLE alembic_version"))
    engine.dispose()


def test_the_migrations_make_the_tables_the_code_declares(empty_database: str) -> None:
    schema_version.upgrade_to(empty_database, "head")
    engine = create_engine(empty_database)
    with engine.connect() as c:
        context = MigrationContext.configure(c, opts={"include_name": schema_version.declared})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == [], "a table change without its migration: add one in registry/sql/migrations/versions"


@pytest.mark.parametrize("versioned", [True, False], ids=["versioned", "unversioned"])
def test_migrate_upgrades_a_first_release_database_and_keeps_its_data(
    empty_database: str, versioned: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    _first_release_database(empty_database, versioned)
    with pytest.raises(SchemaOutdated) as refused:
        SqlStore(empty_database)
    assert "registry migrate" in refused.value.message

    assert main(["migrate", "--store", empty_database]) == 0
    assert capsys.readouterr().out.strip() == f"migrate: schema revision 0001 -> {schema_version.head()}"

    store = SqlStore(empty_database)
    try:
        lyon = store.get([Ref(Kind.TERRITORY, "lyon")], EVERYTHING)[Ref(Kind.TERRITORY, "lyon")]
        assert (lyon.version, lyon.data["name"], lyon.sources[0].url) == (3, {"en": "Lyon"}, "https://example.org/lyon")
        assert [h.slug for h in store.hubs()] == ["hub-a"]
        entries, total = store.audit_page(0, 10)
        assert (total, [(e.seq, e.ref) for e in entries]) == (1, [(1, "Territory:lyon")])
        assert store.generation() == 0
        # the columns added since are filled from the data already stored: Lyon is found in its box
        box = RecordQuery(
            kinds=(Kind.TERRITORY,), fields=bbox("latitude", "longitude", 45, 4, 46, 5), visibility=EVERYTHING
        )
        assert [r.slug for r in store.query(box).records] == ["lyon"]
        # and it is found by its words, which the search's index now holds
        search = RecordQuery(kinds=(Kind.TERRITORY,), words=("ly",), visibility=EVERYTHING)
        assert [r.slug for r in store.query(search).records] == ["lyon"]
    finally:
        store.close()
    assert main(["migrate", "--store", empty_database]) == 0
    assert capsys.readouterr().out.strip() == f"migrate: the schema is already at revision {schema_version.head()}"


def test_a_database_from_a_newer_release_is_refused(empty_database: str) -> None:
    SqlStore(empty_database).close()
    engine = create_engine(empty_database)
    with engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(SchemaTooNew):
        SqlStore(empty_database)


@pytest.mark.neo4j
def test_neo4j_schema_is_versioned_and_migrated_in_place(neo4j_uri: str, capsys: pytest.CaptureFixture[str]) -> None:
    from graph import schema_versions
    from graph.store import Neo4jStore

    store = Neo4jStore(neo4j_uri)
    try:
        assert schema_versions.current(store._read) == schema_versions.HEAD
        store.clear()
        lyon = Record(
            Kind.TERRITORY,
            "lyon",
            {
                "name": {"en": "Lyon"},
                "territory_kind": "metropolis",
                "country": "FR",
                "programme_status": "pilot_city",
                "coordinates": {"latitude": 45.7575, "longitude": 4.8539},
            },
        )
        store.write(WriteBatch(puts=[Put(lyon, None)]))
        store._write("MATCH (r:Record {key: 'Territory:lyon'}) REMOVE r.latitude, r.longitude")  # as stored before 3
        # As the first release left it: version 1, without the Meta constraint of version 2.
        store._write("DROP CONSTRAINT meta_name IF EXISTS")
        store._write(schema_versions.WRITE_VERSION, version=1)
    finally:
        store.close()
    _refused_until_migrated(neo4j_uri, capsys, 1)
    store = Neo4jStore(neo4j_uri)
    try:
        names = {row["name"] for row in store._read("SHOW CONSTRAINTS YIELD name RETURN name")}
        assert "meta_name" in names
        # a territory stored before coordinates were columns is found in its box once migrated
        box = RecordQuery(
            kinds=(Kind.TERRITORY,), fields=bbox("latitude", "longitude", 45, 4, 46, 5), visibility=EVERYTHING
        )
        assert [r.slug for r in store.query(box).records] == ["lyon"]
        # and it is found by its words, which the search's index now holds
        search = RecordQuery(kinds=(Kind.TERRITORY,), words=("ly",), visibility=EVERYTHING)
        assert [r.slug for r in store.query(search).records] == ["lyon"]
        store._write(schema_versions.WRITE_VERSION, version=schema_versions.HEAD + 1)
        with pytest.raises(SchemaTooNew):
            Neo4jStore(neo4j_uri)
    finally:
        store._write(schema_versions.WRITE_VERSION, version=schema_versions.HEAD)
        store.close()


@pytest.mark.neo4j
def test_neo4j_search_index_becomes_eventually_consistent_and_keeps_its_words(
    neo4j_uri: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from graph import schema_versions
    from graph.cypher import SEARCH_INDEX
    from graph.store import Neo4jStore

    # given a new database: its search index is eventually consistent from the start
    store = Neo4jStore(neo4j_uri)
    try:
        assert schema_versions.search_index_is_eventually_consistent(store._read)
        # and a version-4 database, its index as the first release made it, holding a record
        store.clear()
        lyon = Record(Kind.TERRITORY, "lyon", {"name": {"en": "Lyon"}, "territory_kind": "metropolis", "country": "FR"})
        store.write(WriteBatch(puts=[Put(lyon, None)]))
        store._write(f"DROP INDEX {SEARCH_INDEX}")
        [first_release] = [s for s in schema_versions.MIGRATIONS[0].statements if SEARCH_INDEX in s]
        store._write(first_release)
        store._read("CALL db.awaitIndexes(300)")
        store._write(schema_versions.WRITE_VERSION, version=4)
        assert not schema_versions.search_index_is_eventually_consistent(store._read)
    finally:
        store.close()
    # when it is migrated
    _refused_until_migrated(neo4j_uri, capsys, 4)

    # then its index is eventually consistent, and its record is still found by its words
    store = Neo4jStore(neo4j_uri)
    try:
        assert schema_versions.current(store._read) == schema_versions.HEAD
        assert schema_versions.search_index_is_eventually_consistent(store._read)
        search = RecordQuery(kinds=(Kind.TERRITORY,), words=("ly",), visibility=EVERYTHING)
        assert [r.slug for r in store.query(search).records] == ["lyon"]
    finally:
        store.close()


@pytest.mark.neo4j
def test_neo4j_drafts_words_leave_the_full_text_index(neo4j_uri: str, capsys: pytest.CaptureFixture[str]) -> None:
    from graph.cypher import AWAIT_SEARCH_INDEX, DRAFT_TEXT, SEARCH_INDEX
    from graph.store import Neo4jStore

    # given a version-5 database, where a hub's draft kept its words in the full-text index
    draft = Record(
        Kind.TERRITORY,
        "lyon",
        {"name": {"en": "Lyon"}, "territory_kind": "metropolis", "country": "FR"},
        review_state=ReviewState.DRAFT,
        hub="hub-a",
    )
    _left_at(neo4j_uri, 5, [draft], f"MATCH (r:Record) SET r.search_text = r.{DRAFT_TEXT} REMOVE r.{DRAFT_TEXT}")
    # when it is migrated
    _refused_until_migrated(neo4j_uri, capsys, 5)

    # then the draft's words are out of the index, and its hub still finds it by them
    store = Neo4jStore(neo4j_uri)
    try:
        indexed = store._read(
            f"{AWAIT_SEARCH_INDEX}\nCALL db.index.fulltext.queryNodes('{SEARCH_INDEX}', 'ly*') YIELD node RETURN node"
        )
        assert indexed == []
        for visibility, slugs in ((Visibility(hub="hub-a"), ["lyon"]), (PUBLIC, [])):
            search = RecordQuery(kinds=(Kind.TERRITORY,), words=("ly",), visibility=visibility)
            assert [r.slug for r in store.query(search).records] == slugs
    finally:
        store.close()


@pytest.mark.neo4j
def test_neo4j_list_pages_get_their_index_by_migration(neo4j_uri: str, capsys: pytest.CaptureFixture[str]) -> None:
    from graph import schema_versions
    from graph.store import Neo4jStore
    from tests.cypher_recorder import explained

    # given a version-6 database, without the index on kind, review state and slug
    domains = [Record(Kind.DOMAIN, slug, {"name": {"en": slug.title()}}) for slug in ("water", "energy")]
    _left_at(neo4j_uri, 6, domains, f"DROP INDEX {schema_versions.KIND_STATE_SLUG_INDEX}")
    # when it is migrated
    _refused_until_migrated(neo4j_uri, capsys, 6)

    # then an anonymous list page is read through the index, in slug order
    store = Neo4jStore(neo4j_uri)
    try:
        page = RecordQuery(kinds=(Kind.DOMAIN,))
        assert [r.slug for r in store.query(page).records] == ["energy", "water"]
        _, operators = explained(store, page)
        seeks = [op for op in operators if op.startswith("NodeIndexSeek")]
        assert any("Record(kind, review_state, slug)" in op for op in seeks), operators
    finally:
        store.close()


def _left_at(neo4j_uri: str, version: int, records: list[Record], *changes: str) -> None:
    """A Neo4j database holding only `records`, then changed by `changes` as an older release left it, at `version`."""
    from graph import schema_versions
    from graph.store import Neo4jStore

    store = Neo4jStore(neo4j_uri)
    try:
        store.clear()
        store.write(WriteBatch(puts=[Put(record, None) for record in records]))
        for change in changes:
            store._write(change)
        store._write(schema_versions.WRITE_VERSION, version=version)
    finally:
        store.close()


def _refused_until_migrated(neo4j_uri: str, capsys: pytest.CaptureFixture[str], version: int) -> None:
    """A Neo4j database left at `version` is refused, and `registry migrate` brings it to the newest."""
    from graph import schema_versions
    from graph.store import Neo4jStore

    with pytest.raises(SchemaOutdated):
        Neo4jStore(neo4j_uri)
    assert main(["migrate", "--store", neo4j_uri]) == 0
    assert capsys.readouterr().out.strip() == f"migrate: schema revision {version} -> {schema_versions.HEAD}"
