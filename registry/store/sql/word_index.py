"""The index behind the search's words on the SQL stores (issue 15): a search reads the records
holding its words instead of testing every record's text.

The rule stays the one of `filters.word`: each word starts a word of the record's text
(`search_text LIKE '% word%'`, the text being `codec.search_text`: lower-case ASCII words between
single spaces).  The index only narrows the records that rule is tested on, so the answers are
exactly those of a full scan:

- SQLite: an FTS5 table, `records_words`, one row per record under the record's rowid, kept in
  step by triggers on `records`.  Its default tokenizer splits the text at the spaces, so the
  prefix query `"word"*` finds exactly the records where the word starts a word of the text.
  Only words of plain letters and digits use it; any other word (the port does not require the
  caller to normalise) keeps the scan, and so do words most records hold (`worth_reading`).
- PostgreSQL: a trigram GIN index (`pg_trgm`) on search_text, which the planner uses for the
  same LIKE: the query does not change.

A migration that rebuilds the records table (Alembic's batch mode on SQLite copies it into a new
one when ALTER TABLE cannot do the change) drops the triggers and may renumber the rowids: it must
call `rebuild` afterwards.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Integer, column, literal_column, text
from sqlalchemy.exc import DBAPIError

_log = logging.getLogger(__name__)

TABLE = "records_words"
TRIGRAM_INDEX = "records_search_text_trgm"
_PLAIN_WORD = re.compile(r"[0-9a-z]+")

# detail=none: a word query needs which records hold a token, not where in the text.  The
# prefix index of 2-letter starts keeps short words from merging thousands of token lists.
SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(search_text, detail=none, prefix='2')",
    f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON records BEGIN"
    f" INSERT INTO {TABLE}(rowid, search_text) VALUES (new.rowid, new.search_text); END",
    f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF search_text ON records BEGIN"
    f" UPDATE {TABLE} SET search_text = new.search_text WHERE rowid = old.rowid; END",
    f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON records BEGIN DELETE FROM {TABLE} WHERE rowid = old.rowid; END",
)
SQLITE_FILL = f"INSERT INTO {TABLE}(rowid, search_text) SELECT rowid, search_text FROM records"
SQLITE_DROP = (
    *(f"DROP TRIGGER IF EXISTS {TABLE}_{event}" for event in ("insert", "update", "delete")),
    f"DROP TABLE IF EXISTS {TABLE}",
)


def owned(name: str) -> bool:
    """The tables and indexes of this module, which the declared tables do not list (the FTS5
    table and its shadow tables, the trigram index): schema comparisons leave them alone."""
    return name.startswith(TABLE) or name == TRIGRAM_INDEX


def create(connection: Connection) -> None:
    """Make the word index of a records table (new or existing) and fill it."""
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_CREATE:
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql(SQLITE_FILL)
    elif connection.dialect.name == "postgresql":
        _create_trigram_index(connection)


def drop(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_DROP:
            connection.exec_driver_sql(statement)
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


def rebuild(connection: Connection) -> None:
    """The word index made again from the records table as it is now."""
    drop(connection)
    create(connection)


def _create_trigram_index(connection: Connection) -> None:
    """pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it.  Where it
    cannot be (no contrib package, no right), the search keeps its scan, with a warning."""
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            # Its schema may be outside this connection's search_path: the operator class, qualified.
            found = connection.execute(
                text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'")
            ).scalar_one()
            connection.exec_driver_sql(
                f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON records USING gin (search_text {found}.gin_trgm_ops)"
            )
    except DBAPIError as error:  # any refusal leaves the scan, which answers the same
        _log.warning("search keeps a full scan: no trigram index on PostgreSQL (%s)", error)


def _match(words: Sequence[str]) -> str | None:
    """The FTS5 query of the plain words: each a token prefix, all of them required."""
    plain = [word for word in words if _PLAIN_WORD.fullmatch(word)]
    return " AND ".join(f'"{word}"*' for word in plain) if plain else None


# Through the index a search pays per matching record about twice what a scan pays per record,
# and a scan's page can stop early when most records match: the index is read when at most a
# quarter of the records hold the words (measured at x100: bench.search_latency --text).
_SHARE = 4


def worth_reading(connection: Connection, words: Sequence[str]) -> bool:
    """Whether the words are rare enough for the index to beat a scan (SQLite; PostgreSQL's
    planner weighs its trigram index itself).  Counting stops at the bound, so a common word
    costs a bounded look-up and a rare one almost nothing."""
    match = _match(words)
    if connection.dialect.name != "sqlite" or match is None:
        return False
    records = connection.exec_driver_sql("SELECT max(rowid) FROM records").scalar() or 0
    bound = records // _SHARE + 1
    counted = f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {TABLE} MATCH ? LIMIT ?)"
    found: int = connection.exec_driver_sql(counted, (match, bound)).scalar_one()
    return found < bound


def narrowing(words: Sequence[str]) -> Any:
    """A condition on `records` that keeps the records holding every plain word (a superset of
    the LIKE's answer, never a subset): for SQLite, where `worth_reading` said so."""
    match = _match(words)
    assert match is not None, "worth_reading said there is no plain word"
    found = (
        text(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH :words")
        .bindparams(words=match)
        .columns(column("rowid", Integer))
    )
    return literal_column("records.rowid").in_(found)
