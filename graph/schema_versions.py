"""The Neo4j store's constraints and indexes, versioned as the SQL store's tables are.

Each migration is a numbered list of statements; the number a database is at lives on a
`Meta` node (which `clear` leaves alone).  Opening a store brings a new database to the
newest version; an older one is refused until `registry migrate` upgrades it in place.

The indexes of the record columns are not written here by hand: they come from the one
list every store keeps (`registry.store.columns.COLUMNS`), under the names the first
release gave them (`record_<column>`).  Opening a store creates any that is missing, so a
column declared on a field spec is indexed with no migration to write: an index changes no
data, and Neo4j fills it in the background without blocking readers or writers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graph.cypher import DRAFT_TEXT, SEARCH_INDEX, UNPUBLISHED
from registry.domain.errors import SchemaOutdated, SchemaTooNew
from registry.domain.records import Kind, Record
from registry.kinds import DECLARATIONS
from registry.kinds.completeness import percent
from registry.store.codec import sources_from_json
from registry.store.columns import COLUMNS

Run = Callable[..., list[dict[str, Any]]]  # one statement with its parameters, in its own transaction


@dataclass(frozen=True)
class Migration:
    version: int
    about: str
    statements: tuple[str, ...]
    fill: Callable[[Run, Run], None] | None = None  # fills new properties of the nodes already stored
    # Runs on every database, new or old, after the statements: for what a statement cannot say
    # conditionally (dropping an index only when its options are not the ones wanted).
    step: Callable[[Run, Run], None] | None = None


def _fill_points_and_categories(read: Run, write: Run) -> None:
    """Records already stored get the properties a write now gives them (codec.columns): a
    territory's latitude and longitude, the data categories as one searchable text."""
    rows = read(
        "MATCH (r:Record) WHERE r.data CONTAINS '\"coordinates\"' OR r.data CONTAINS '\"data_categories\"'"
        " RETURN r.key AS key, r.data AS data"
    )
    updates = []
    for row in rows:
        fields = json.loads(row["data"])
        point = fields.get("coordinates") or {}
        categories = fields.get("data_categories") or []
        props = {
            "latitude": point.get("latitude"),
            "longitude": point.get("longitude"),
            "data_categories": f" {' '.join(categories)} " if categories else None,
        }
        updates.append({"key": row["key"], "props": props})
    if updates:
        write("UNWIND $rows AS row MATCH (r:Record {key: row.key}) SET r += row.props", rows=updates)


def _fill_completeness(read: Run, write: Run) -> None:
    """Records already stored get the share of their declared fields holding a sourced value, as a
    write now gives it (codec.columns, registry.kinds.completeness)."""
    rows = read(
        "MATCH (r:Record) RETURN r.key AS key, r.kind AS kind, r.slug AS slug, r.data AS data, r.sources AS sources"
    )
    updates = [
        {
            "key": row["key"],
            "share": percent(
                DECLARATIONS,
                Record(
                    Kind(row["kind"]),
                    row["slug"],
                    json.loads(row["data"]),
                    sources_from_json(json.loads(row["sources"])),
                ),
            ),
        }
        for row in rows
    ]
    if updates:
        write("UNWIND $rows AS row MATCH (r:Record {key: row.key}) SET r.completeness = row.share", rows=updates)


# The search's full-text index as it is since version 5: eventually consistent, so a commit only
# queues its words and a background job applies them (the index was about half of a write's Neo4j
# CPU).  Each search first waits for what is queued (graph.cypher.record_match), so it still sees
# every committed write.  Migration 1's statement made the index without the option.
SEARCH_INDEX_STATEMENT = (
    f"CREATE FULLTEXT INDEX {SEARCH_INDEX} IF NOT EXISTS FOR (r:Record) ON EACH [r.search_text]"
    " OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace', `fulltext.eventually_consistent`: true}}"
)
SEARCH_INDEX_OPTIONS = f"SHOW FULLTEXT INDEXES YIELD name, options WHERE name = '{SEARCH_INDEX}' RETURN options"


def search_index_is_eventually_consistent(read: Run) -> bool:
    rows = read(SEARCH_INDEX_OPTIONS)
    return bool(rows) and rows[0]["options"]["indexConfig"].get("fulltext.eventually_consistent") is True


def _search_index_eventually_consistent(read: Run, write: Run) -> None:
    """An index's options cannot be altered in place: drop it and make it again (Neo4j fills it
    in the background; `prepare` then waits for it).  Only when it is not already so, so that a
    second process opening a new database does not drop the index the first one is searching."""
    if not search_index_is_eventually_consistent(read):
        write(f"DROP INDEX {SEARCH_INDEX} IF EXISTS")
        write(SEARCH_INDEX_STATEMENT)


def _fill_draft_text(read: Run, write: Run) -> None:
    """Records not published keep their words out of the full-text index (graph.cypher.DRAFT_TEXT)."""
    write(
        f"MATCH (r:Record) WHERE r.review_state IN $unpublished AND r.search_text IS NOT NULL"
        f" SET r.{DRAFT_TEXT} = r.search_text REMOVE r.search_text",
        unpublished=UNPUBLISHED,
    )


# The SQL store's records_kind_state_slug: graph.cypher.in_index_order reads a page in its order.
KIND_STATE_SLUG_INDEX = "record_kind_state_slug"


def index_name(column: str) -> str:
    return f"record_{column}"


def index_statement(column: str) -> str:
    return f"CREATE INDEX {index_name(column)} IF NOT EXISTS FOR (r:Record) ON (r.{column})"


def column_indexes() -> tuple[str, ...]:
    """The columns every Record node is indexed on: its kind and review state, and the indexed
    columns of the one list (registry.store.columns), whose names are checked identifiers."""
    return ("kind", "review_state", *(c.name for c in COLUMNS if c.indexed))


# The uniqueness constraints also give the range indexes every lookup by key uses.
MIGRATIONS = (
    Migration(
        1,
        "first release (2026-11-29): unique keys, the indexed record fields, the audit's refs, full-text search",
        (
            "CREATE CONSTRAINT record_key IF NOT EXISTS FOR (r:Record) REQUIRE r.key IS UNIQUE",
            "CREATE CONSTRAINT hub_slug IF NOT EXISTS FOR (h:Hub) REQUIRE h.slug IS UNIQUE",
            "CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.key_id IS UNIQUE",
            "CREATE CONSTRAINT audit_seq IF NOT EXISTS FOR (a:AuditEntry) REQUIRE a.seq IS UNIQUE",
            "CREATE CONSTRAINT idempotency_key IF NOT EXISTS FOR (i:Idempotency) REQUIRE i.key IS UNIQUE",
            *(
                index_statement(name)
                for name in ("kind", "status", "subkind", "country", "governance", "review_state", "sort_name")
            ),
            "CREATE INDEX audit_ref IF NOT EXISTS FOR (a:AuditEntry) ON (a.ref)",
            # The whitespace analyzer splits search_text exactly where SQL's LIKE '% word%' sees
            # word starts (the text is already normalised to lower-case ASCII words).
            f"CREATE FULLTEXT INDEX {SEARCH_INDEX} IF NOT EXISTS FOR (r:Record) ON EACH [r.search_text]"
            " OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}",
        ),
    ),
    Migration(
        2,
        "the store-wide change counter (2026-12-01): one Meta node per name",
        ("CREATE CONSTRAINT meta_name IF NOT EXISTS FOR (m:Meta) REQUIRE m.name IS UNIQUE",),
    ),
    Migration(
        3,
        "territories' coordinates and the data categories as filterable properties (2026-12-05)",
        (),
        fill=_fill_points_and_categories,
    ),
    Migration(
        4,
        "each record's completeness as a filterable, sortable, countable property (2026-12-05)",
        (),
        fill=_fill_completeness,
    ),
    Migration(
        5,
        "the full-text search index eventually consistent (2026-12-06): commits no longer update it in place",
        (),
        step=_search_index_eventually_consistent,
    ),
    Migration(
        6,
        "the words of records not published kept out of the full-text index (2026-12-06): drafts commit without it",
        (),
        fill=_fill_draft_text,
    ),
    Migration(
        7,
        "records indexed by kind, review state and slug together (2026-12-06): a list page read in the index's order",
        (f"CREATE INDEX {KIND_STATE_SLUG_INDEX} IF NOT EXISTS FOR (r:Record) ON (r.kind, r.review_state, r.slug)",),
    ),
)
HEAD = MIGRATIONS[-1].version

READ_VERSION = "MATCH (v:Meta {name: 'schema_version'}) RETURN v.value AS value"
WRITE_VERSION = "MERGE (v:Meta {name: 'schema_version'}) SET v.value = $version"
# Databases made before the schema was versioned: the indexes they have tell their version.
UNVERSIONED = (("meta_name", 2), ("record_key", 1))


def current(read: Run) -> int | None:
    """The database's version; None for a database without the registry's schema."""
    rows = read(READ_VERSION)
    if rows and isinstance(rows[0]["value"], int):
        version: int = rows[0]["value"]
        return version
    existing = {row["name"] for row in read("SHOW INDEXES YIELD name RETURN name")}
    return next((version for name, version in UNVERSIONED if name in existing), None)


def prepare(read: Run, write: Run, upgrade: bool = False) -> tuple[int | None, int]:
    """Bring a new database (or, with `upgrade`, an older one) to HEAD; refuse an older one otherwise.

    Returns (version before, version after).  Every statement is idempotent (IF NOT EXISTS), so
    two processes opening a new database at once both succeed.
    """
    before = current(read)
    if before is not None and before > HEAD:
        raise SchemaTooNew(before)
    if before is not None and before < HEAD and not upgrade:
        raise SchemaOutdated(before, HEAD)
    pending = [m for m in MIGRATIONS if before is None or m.version > before]
    for migration in pending:
        for statement in migration.statements:
            write(statement)
        if migration.fill is not None and before is not None:  # a new database has no nodes to fill
            migration.fill(read, write)
        if migration.step is not None:
            migration.step(read, write)
    if pending:  # a new index fills in the background; a search before that would fail
        read("CALL db.awaitIndexes(300)")
    existing = {row["name"] for row in read("SHOW INDEXES YIELD name RETURN name")}
    for column in column_indexes():  # a newly declared column: its index, made once
        if index_name(column) not in existing:
            write(index_statement(column))
    write(WRITE_VERSION, version=HEAD)
    return before, HEAD
