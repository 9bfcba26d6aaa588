"""A search reads its words from an index on every store (issue 15), not by testing the text of
every record: the statements the stores send for a search, explained by the database itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event

from registry.domain.records import ReviewState
from registry.kinds import PUBLIC_KINDS
from registry.store.codec import words
from registry.store.port import EVERYTHING, PUBLIC, Put, RecordQuery, Store, Visibility, WriteBatch
from registry.store.sql import word_index
from registry.store.sql.store import SqlStore
from tests.contract.builders import AT, create, domain, updated, use_case
from tests.cypher_recorder import explained

Sent = list[tuple[str, Any]]


def _search(said: str, visibility: Visibility = PUBLIC) -> RecordQuery:
    return RecordQuery(kinds=PUBLIC_KINDS, words=words(said), limit=20, visibility=visibility)


@contextmanager
def _sent(store: SqlStore) -> Iterator[Sent]:
    """The search statements and their parameters the store sends meanwhile."""
    sent: Sent = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "search_text" in statement:
            sent.append((statement, parameters))  # the search's, not a transaction's own statements

    event.listen(store.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(store.engine, "before_cursor_execute", note)


def _plans(store: SqlStore, sent: Sent, prefix: str, settings: tuple[str, ...] = ()) -> list[str]:
    """Each statement's plan, as one text, after `settings` in a transaction rolled back."""
    plans = []
    with store.engine.connect() as c:
        for setting in settings:
            c.exec_driver_sql(setting)
        for statement, parameters in sent:
            rows = c.exec_driver_sql(f"{prefix} {statement}", parameters).all()
            plans.append("\n".join(" ".join(str(v) for v in row) for row in rows))
    return plans


def _steps(plan: str) -> list[str]:
    """The steps of an SQLite plan, without their ids."""
    return [line.split(" ", 3)[-1] for line in plan.splitlines()]


@pytest.fixture
def searchable(store: Store) -> Store:
    """Given records, one of them holding the word searched for."""
    create(store, [use_case("solar", "Solar cooperative"), *(domain(f"d{n}", f"Domain {n}") for n in range(400))])
    return store


@pytest.mark.parametrize("store_kind", ["sqlite"])
def test_a_sqlite_search_and_its_count_read_the_word_index(searchable: Store) -> None:
    assert isinstance(searchable, SqlStore)
    with _sent(searchable) as sent:
        page = searchable.query(_search("sol coop"))
    assert [r.slug for r in page.records] == ["solar"]
    plans = _plans(searchable, sent, "EXPLAIN QUERY PLAN")
    assert len(plans) == 2  # the count and the page
    for plan in plans:
        assert f"SCAN {word_index.TABLE} VIRTUAL TABLE" in plan, plan
        # then each record the index gives is read by its rowid, and no record is read otherwise
        assert any(line.startswith("SEARCH records ") and "rowid=?" in line for line in _steps(plan)), plan
        assert not any(line.startswith("SCAN records ") for line in _steps(plan)), plan


@pytest.mark.parametrize("store_kind", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_postgresql_search_can_read_the_trigram_index(searchable: Store) -> None:
    # The planner reads a table this small whole, or through its other indexes: with those ways
    # taken away (in a transaction rolled back), the plan shows whether the trigram index serves
    # the search's condition at all.
    assert isinstance(searchable, SqlStore)
    with _sent(searchable) as sent:
        page = searchable.query(_search("sol coop"))
    assert [r.slug for r in page.records] == ["solar"]
    others = "ix_records_review_state, ix_records_kind, records_kind_state_slug"
    settings = (f"DROP INDEX {others}", "ANALYZE records", "SET LOCAL enable_seqscan = off")
    plans = _plans(searchable, sent, "EXPLAIN", settings)
    assert len(plans) == 2
    for plan in plans:
        assert word_index.TRIGRAM_INDEX in plan, plan


@pytest.mark.parametrize("store_kind", [pytest.param("neo4j", marks=pytest.mark.neo4j)])
def test_a_neo4j_search_starts_from_the_full_text_index(searchable: Store) -> None:
    from graph import cypher
    from graph.store import Neo4jStore

    assert isinstance(searchable, Neo4jStore)
    query = _search("sol coop")
    assert [r.slug for r in searchable.query(query).records] == ["solar"]
    sent, operators = explained(searchable, query)
    [statement] = sent
    # the index by its name (a literal of the statement, which the plan shows as a parameter)
    assert f"queryNodes('{cypher.SEARCH_INDEX}'" in statement, statement
    assert any(op.startswith("ProcedureCall") and "db.index.fulltext.queryNodes" in op for op in operators), operators
    assert not any(op.split(" ")[0].endswith(("AllNodesScan", "NodeByLabelScan")) for op in operators), operators


@pytest.mark.parametrize("store_kind", [pytest.param("neo4j", marks=pytest.mark.neo4j)])
def test_a_neo4j_search_that_may_see_drafts_reads_them_by_their_review_state(searchable: Store) -> None:
    from graph.store import Neo4jStore

    assert isinstance(searchable, Neo4jStore)
    create(searchable, [use_case("draft", "Solar draft", review_state=ReviewState.DRAFT, hub="hub-a")])
    for visibility in (Visibility(hub="hub-a"), EVERYTHING):
        query = _search("sol", visibility)
        assert [r.slug for r in searchable.query(query).records] == ["draft", "solar"]
        _, operators = explained(searchable, query)
        # then the published records come from the full-text index, the others from the review state's
        assert any(op.startswith("ProcedureCall") and "db.index.fulltext.queryNodes" in op for op in operators)
        assert any(op.startswith("NodeIndexSeek") and "review_state" in op for op in operators), operators
        assert not any(op.split(" ")[0].endswith(("AllNodesScan", "NodeByLabelScan")) for op in operators), operators


@pytest.mark.parametrize("store_kind", [pytest.param("neo4j", marks=pytest.mark.neo4j)])
def test_neo4j_keeps_only_published_words_in_its_full_text_index(searchable: Store) -> None:
    # Drafts and submissions are most of what hubs write: kept out of the index, they commit
    # without its update, the dearer half of such a write (bench/write_cost.py).
    from graph import cypher
    from graph.store import Neo4jStore

    assert isinstance(searchable, Neo4jStore)
    store = searchable

    def indexed() -> list[str]:
        rows = store._read(
            f"{cypher.AWAIT_SEARCH_INDEX}\nCALL db.index.fulltext.queryNodes('{cypher.SEARCH_INDEX}', 'sol*')"
            " YIELD node RETURN node.slug AS slug ORDER BY slug"
        )
        return [row["slug"] for row in rows]

    # given a published case study and a hub's submission sharing a word
    draft = use_case("heat", "Solar heating", review_state=ReviewState.SUBMITTED, hub="hub-a")
    create(store, [draft])
    # then only the published one's words are in the index
    assert indexed() == ["solar"]
    # when the submission is published, its words enter the index; when rejected, they leave it
    published = replace(updated(draft), review_state=ReviewState.PUBLISHED)
    store.write(WriteBatch(puts=[Put(published, 1)], at=AT))
    assert indexed() == ["heat", "solar"]
    rejected = replace(updated(published, minutes=2), review_state=ReviewState.REJECTED)
    store.write(WriteBatch(puts=[Put(rejected, 2)], at=AT))
    assert indexed() == ["solar"]
    # and the rejected one is still found by its hub, through the statement every search sends
    hub_search = store.query(_search("heat", Visibility(hub="hub-a")))
    assert [r.slug for r in hub_search.records] == ["heat"]
