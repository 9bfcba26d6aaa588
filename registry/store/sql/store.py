"""The SQL store: SQLite (the embedded default) or PostgreSQL, through SQLModel."""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, event, func, insert
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import InterfaceError as SAInterfaceError
from sqlmodel import Session, col, create_engine, select

from registry.domain.errors import ErrorCode, RegistryError, StoreUnavailable
from registry.domain.records import ApiKey, AuditEntry, Hub, Kind, Link, Record, Ref, Rel, Role
from registry.kinds import Facet
from registry.store import budget, changes
from registry.store.closing import CLOSE_GRACE_SECONDS, wait_until
from registry.store.codec import (
    RecordReader,
    audit_columns,
    format_time,
    parse_time,
    record_columns,
    record_from_columns,
)
from registry.store.columns import LINKED_DIMENSIONS, countable
from registry.store.expansion import expand
from registry.store.port import (
    ChangeMark,
    Changes,
    Expansion,
    Found,
    Linked,
    LinkGroup,
    Page,
    RecordQuery,
    TerritoryFacts,
    UseCaseFacts,
    Visibility,
    WriteBatch,
)
from registry.store.sql import deadline, facts, filters, paths, schema_version, word_index
from registry.store.sql.facets import facet_statement
from registry.store.sql.linked import READ_COLUMNS, linked_statement, unindexed, visible
from registry.store.sql.tables import ApiKeyRow, AuditRow, HubRow, IdempotencyRow, LinkRow, MetaRow, RecordRow
from registry.store.sql.writes import (
    AUDIT,
    BUMP,
    DESCRIBED,
    GENERATION,
    SQLITE_BUSY_SECONDS,
    SqlWrites,
    key_columns,
    link_columns,
)

_PAGE = 500
_LOAD_CHUNK = 5000  # rows per executemany when loading
_log = logging.getLogger(__name__)


def _key(ref: Ref) -> str:
    return str(ref)


_ref = Ref.parse


_READ = tuple(col(getattr(RecordRow, name)) for name in READ_COLUMNS)


def _record(row: RecordRow) -> Record:
    return record_from_columns(row.model_dump())


def _link(row: LinkRow) -> Link:
    return Link(_ref(row.source_key), Rel(row.rel), _ref(row.target_key), row.role)


_visible = visible


def _by_key(visibility: Visibility) -> Any:
    """Visibility for a lookup by key: SQLite's planner, without statistics, would otherwise take the
    review state's index and read every published record to find a few keys (4 ms for ten at x100)."""
    return visible(visibility, column=unindexed)


class SqlStore:
    """The storage port on SQLite or PostgreSQL."""

    def __init__(self, url: str, upgrade: bool = False) -> None:
        """Open the database at `url`; `upgrade` migrates older tables in place instead of refusing them."""
        sqlite = url.startswith("sqlite")
        args: dict[str, Any] = {"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS} if sqlite else {}
        # A server's pooled connection may have died since its last use: ping it before use.  A SQLite
        # file has no connection to lose, and the ping would be a quarter of a small read's time.
        options = deadline.engine_options(url)  # PostgreSQL: transactions begun with their time budget
        self.engine: Engine = create_engine(url, connect_args=args, pool_pre_ping=not sqlite, **options)
        if sqlite and ":memory:" not in url and url.rstrip("/") not in ("sqlite:", "sqlite:/", "sqlite://"):
            # Write-ahead log: readers never wait for a writer, nor a writer for readers.
            event.listen(self.engine, "connect", _write_ahead_log)
        deadline.install(self.engine)  # the request's time budget, enforced by the database
        self.schema_change: tuple[str | None, str] = self._guard(
            lambda: (schema_version.migrate if upgrade else schema_version.prepare)(url)
        )
        self._guard(self._start_generation)
        self._writes = SqlWrites(self.engine)

    def _start_generation(self) -> None:
        """Create the change counter's row once; another process may be doing the same."""
        try:
            with self._session() as s, s.begin():
                if s.get(MetaRow, GENERATION) is None:
                    s.add(MetaRow(name=GENERATION, value=0))
        except IntegrityError:
            pass  # it won the race: the row is there

    def _bump(self, s: Session) -> None:
        """Count one change, as the first statement of a write transaction.

        The row lock it takes (PostgreSQL) or the write lock (SQLite) lasts until commit,
        so writers run one after the other: what a write checks and numbers after it
        (versions, slugs, idempotency keys, audit numbers) no other writer can change.
        """
        s.exec(BUMP)

    def _guard(self, work: Any) -> Any:
        """Run `work`, turning connection failures into StoreUnavailable."""
        budget.remaining()  # a request whose budget is spent gets TIMEOUT, without a round trip
        try:
            return work()
        except (OperationalError, SAInterfaceError) as error:
            if deadline.cancelled_by_budget(error):  # interrupted (SQLite) or cancelled (PostgreSQL)
                raise budget.TimedOut() from error
            raise StoreUnavailable() from error

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def _bytewise(self, column: Any) -> Any:
        """Order text by code point, as SQLite and Neo4j do, whatever PostgreSQL's locale."""
        return col(column).collate("C") if self.engine.dialect.name == "postgresql" else col(column)

    # -- records ---------------------------------------------------------------
    def get(self, refs: Sequence[Ref], visibility: Visibility) -> dict[Ref, Record]:
        if not refs:
            return {}
        keys = sorted({_key(r) for r in refs})

        def work() -> dict[Ref, Record]:
            with self.engine.connect() as c:
                stmt = select(*_READ).where(col(RecordRow.key).in_(keys), _by_key(visibility))
                rows = c.execute(stmt).mappings().all()
                return {(r := record_from_columns(row)).ref: r for row in rows}

        result: dict[Ref, Record] = self._guard(work)
        return result

    def query(self, query: RecordQuery) -> Page:
        def work() -> Page:
            with self.engine.connect() as c:
                conditions = self._conditions(query, word_index.worth_reading(c, query.words))
                stmt = select(*_READ).where(*conditions)
                count = select(func.count()).select_from(RecordRow).where(*conditions)
                stmt = stmt.order_by(*filters.order(query, self._bytewise))
                stmt = stmt.offset(query.offset).limit(query.limit)
                total = c.execute(count).scalar_one()
                rows = c.execute(stmt).mappings().all()
                return Page([record_from_columns(row) for row in rows], int(total))

        page: Page = self._guard(work)
        return page

    def _conditions(self, q: RecordQuery, indexed_words: bool = False) -> list[Any]:
        """The query's conditions on records; with `indexed_words`, the word index narrows them first."""
        r = RecordRow
        kinds = col(r.kind) == q.kinds[0].value if len(q.kinds) == 1 else col(r.kind).in_([k.value for k in q.kinds])
        conds: list[Any] = [kinds, _visible(q.visibility)]
        if q.slugs is not None:
            conds.append(col(r.slug).in_(q.slugs))
        conds += [filters.condition(f) for f in q.field_filters()]

        conds += [filters.linked(f) for f in q.link_filters()]
        conds += [filters.word(word) for word in q.words]
        if indexed_words:  # the records holding the words, from the index; the LIKEs above decide
            conds.append(word_index.narrowing(q.words))
        return conds

    def links_from(self, sources: Sequence[Ref], rel: Rel) -> list[Link]:
        return self._links(LinkRow.source_key, sources, rel)

    def links_to(self, targets: Sequence[Ref], rel: Rel) -> list[Link]:
        return self._links(LinkRow.target_key, targets, rel)

    def _links(self, column: Any, refs: Sequence[Ref], rel: Rel) -> list[Link]:
        if not refs:
            return []
        keys = sorted({_key(r) for r in refs})

        stmt = select(LinkRow.source_key, LinkRow.target_key, LinkRow.role).where(
            col(column).in_(keys), col(LinkRow.rel) == rel.value
        )

        def work() -> list[Link]:
            with self.engine.connect() as c:
                rows = c.execute(stmt).all()
                return sorted(Link(_ref(source), rel, _ref(target), role) for source, target, role in rows)

        links: list[Link] = self._guard(work)
        return links

    def linked(self, groups: Sequence[LinkGroup], visibility: Visibility) -> list[dict[Ref, Linked]]:
        if not groups:
            return []
        stmt, params = linked_statement(groups, visibility, self.engine.dialect.name)

        def work() -> list[dict[Ref, Linked]]:
            with self.engine.connect() as c:
                rows = c.execute(stmt, params).mappings().all()
            answers: list[dict[Ref, Linked]] = [{} for _ in groups]
            read = RecordReader()
            for row in sorted(rows, key=lambda row: (row["grp"], row["near"], row["place"])):
                near_ref = _ref(row["near"])
                linked = answers[row["grp"]].setdefault(near_ref, Linked(row["total"], []))
                linked.records.append((read(row), row["role"]))
            return answers

        answers: list[dict[Ref, Linked]] = self._guard(work)
        return answers

    def query_expanded(self, query: RecordQuery, expansions: Sequence[Expansion]) -> tuple[Page, Found]:
        page = self.query(query)
        return page, expand(self, page.records, expansions, query.visibility)

    def get_expanded(
        self, refs: Sequence[Ref], expansions: Sequence[Expansion], visibility: Visibility
    ) -> tuple[dict[Ref, Record], Found]:
        records = self.get(refs, visibility)
        return records, expand(self, list(records.values()), expansions, visibility)

    # -- writes ------------------------------------------------------------------
    def write(self, batch: WriteBatch) -> list[AuditEntry]:
        """See Store.write: the sequence of registry/store/writing.py on this store's primitives."""
        return self._writes.write(batch)

    def idempotent_result(self, scoped_key: str) -> str | None:
        def work() -> str | None:
            with self._session() as s:
                row = s.get(IdempotencyRow, scoped_key)
                return None if row is None else row.result

        result: str | None = self._guard(work)
        return result

    # -- graph reads ---------------------------------------------------------------
    def shortest_path(
        self, start: Ref, end: Ref, max_hops: int, visibility: Visibility, kinds: frozenset[Kind] | None = None
    ) -> list[Ref] | None:
        def work() -> list[Ref] | None:
            with self.engine.connect() as c:
                ends = [_key(start), _key(end)]
                found = c.execute(select(RecordRow.key).where(col(RecordRow.key).in_(ends), _by_key(visibility)))
                if len(found.all()) != len({start, end}):  # a hidden end is answered as a missing one
                    return None
                keys = paths.shortest_path(c, ends[0], ends[1], max_hops, visibility, _ref, kinds)
                return None if keys is None else [_ref(k) for k in keys]

        result: list[Ref] | None = self._guard(work)
        return result

    def territory_facts(self) -> list[TerritoryFacts]:
        def work() -> list[TerritoryFacts]:
            with self.engine.connect() as c:
                return facts.territory_facts(c)

        found: list[TerritoryFacts] = self._guard(work)
        return found

    def use_case_facts(self) -> list[UseCaseFacts]:
        def work() -> list[UseCaseFacts]:
            with self.engine.connect() as c:
                return facts.use_case_facts(c)

        found: list[UseCaseFacts] = self._guard(work)
        return found

    def territory_facts_of(self, slugs: Sequence[str]) -> list[TerritoryFacts]:
        def work() -> list[TerritoryFacts]:
            with self.engine.connect() as c:
                return facts.territory_facts(c, sorted(set(slugs)))

        found: list[TerritoryFacts] = self._guard(work) if slugs else []
        return found

    def use_case_facts_of(self, slugs: Sequence[str]) -> list[UseCaseFacts]:
        def work() -> list[UseCaseFacts]:
            with self.engine.connect() as c:
                return facts.use_case_facts(c, sorted(set(slugs)))

        found: list[UseCaseFacts] = self._guard(work) if slugs else []
        return found

    def count_by(self, kind: Kind, dimension: str, visibility: Visibility) -> list[tuple[str, int]]:
        countable(dimension)  # before any name reaches getattr below
        base = [RecordRow.kind == kind.value, _visible(visibility)]

        def work() -> list[tuple[str, int]]:
            with self._session() as s:
                if dimension in LINKED_DIMENSIONS:
                    rels = LINKED_DIMENSIONS[dimension]
                    stmt = (
                        select(LinkRow.target_key, func.count())
                        .join(RecordRow, col(RecordRow.key) == col(LinkRow.source_key))
                        .where(*base, col(LinkRow.rel).in_(rels))
                        .group_by(LinkRow.target_key)
                    )
                    rows = [(k.split(":", 1)[1], int(n)) for k, n in s.exec(stmt).all()]
                else:
                    column = filters.counted(dimension)
                    stmt2 = select(column, func.count()).where(*base).group_by(column)
                    rows = [(str(v) if v is not None else "unknown", int(n)) for v, n in s.exec(stmt2).all()]
                merged: dict[str, int] = {}
                for value, n in rows:
                    merged[value] = merged.get(value, 0) + n
                return sorted(merged.items())

        counts: list[tuple[str, int]] = self._guard(work)
        return counts

    def facet_counts(self, query: RecordQuery, facets: Sequence[Facet]) -> list[list[tuple[str | None, int]]]:
        if not facets:
            return []

        def work() -> list[list[tuple[str | None, int]]]:
            with self.engine.connect() as c:
                conditions = self._conditions(query, word_index.worth_reading(c, query.words))
                rows = c.execute(facet_statement(facets, conditions, self.engine.dialect.name)).all()
            counts: list[list[tuple[str | None, int]]] = [[] for _ in facets]
            for n, value, count in rows:
                if count:  # a facet's "none" row counts 0 when every record has a value
                    counts[n].append((value, int(count)))
            return counts

        counts: list[list[tuple[str | None, int]]] = self._guard(work)
        return counts

    # -- hubs, keys, audit -------------------------------------------------------------
    def put_hub(self, hub: Hub) -> None:
        def work() -> None:
            with self._session() as s, s.begin():
                self._bump(s)
                s.merge(HubRow(slug=hub.slug, name=hub.name, created_at=format_time(hub.created_at) or ""))

        self._guard(work)

    def hubs(self) -> list[Hub]:
        def work() -> list[Hub]:
            with self._session() as s:
                rows = s.exec(select(HubRow).order_by(self._bytewise(HubRow.slug))).all()
                return [Hub(r.slug, r.name, parse_time(r.created_at or None)) for r in rows]

        hubs: list[Hub] = self._guard(work)
        return hubs

    def put_api_key(self, key: ApiKey) -> None:
        def work() -> None:
            with self._session() as s, s.begin():
                self._bump(s)
                s.merge(ApiKeyRow(**key_columns(key)))

        self._guard(work)

    def api_key(self, key_id: str) -> ApiKey | None:
        def work() -> ApiKey | None:
            with self._session() as s:
                row = s.get(ApiKeyRow, key_id)
                return None if row is None else _api_key(row)

        key: ApiKey | None = self._guard(work)
        return key

    def api_keys(self) -> list[ApiKey]:
        def work() -> list[ApiKey]:
            with self._session() as s:
                return [_api_key(r) for r in s.exec(select(ApiKeyRow).order_by(self._bytewise(ApiKeyRow.key_id))).all()]

        keys: list[ApiKey] = self._guard(work)
        return keys

    def revoke_api_key(self, key_id: str, at: datetime) -> bool:
        def work() -> bool:
            with self._session() as s, s.begin():
                self._bump(s)
                row = s.get(ApiKeyRow, key_id)
                if row is None or row.revoked_at is not None:
                    return False
                row.revoked_at = format_time(at)
                s.add(row)
                return True

        done: bool = self._guard(work)
        return done

    def audit_page(self, offset: int, limit: int, ref: str | None = None) -> tuple[list[AuditEntry], int]:
        def work() -> tuple[list[AuditEntry], int]:
            with self._session() as s:
                where = [] if ref is None else [AuditRow.ref == ref]
                total = s.exec(select(func.count()).select_from(AuditRow).where(*where)).one()
                stmt = select(AuditRow).where(*where).order_by(col(AuditRow.seq)).offset(offset).limit(limit)
                return [_audit(r) for r in s.exec(stmt).all()], int(total)

        page: tuple[list[AuditEntry], int] = self._guard(work)
        return page

    def audit_after(self, seq: int, limit: int) -> list[AuditEntry]:
        def work() -> list[AuditEntry]:
            with self._session() as s:
                stmt = select(AuditRow).where(col(AuditRow.seq) > seq).order_by(col(AuditRow.seq)).limit(limit)
                return [_audit(r) for r in s.exec(stmt).all()]

        entries: list[AuditEntry] = self._guard(work)
        return entries

    def audit_head(self) -> int:
        def work() -> int:
            with self._session() as s:
                return int(s.exec(select(func.max(AuditRow.seq))).one() or 0)

        head: int = self._guard(work)
        return head

    # -- whole-registry movement ------------------------------------------------------------
    def iter_records(self) -> Iterator[Record]:
        last = ""
        while True:
            with self._session() as s:
                stmt = (
                    select(RecordRow)
                    .where(self._bytewise(RecordRow.key) > last)
                    .order_by(self._bytewise(RecordRow.key))
                    .limit(_PAGE)
                )
                rows = self._guard(lambda stmt=stmt: s.exec(stmt).all())
            if not rows:
                return
            yield from (_record(r) for r in rows)
            last = rows[-1].key

    def iter_links(self) -> Iterator[Link]:
        with self._session() as s:
            rows = self._guard(lambda: s.exec(select(LinkRow)).all())
        yield from sorted(_link(r) for r in rows)

    def load(
        self,
        records: Iterable[Record],
        links: Iterable[Link],
        audit: Iterable[AuditEntry],
        hubs: Iterable[Hub] = (),
        keys: Iterable[ApiKey] = (),
    ) -> None:
        """Bulk inserts (SQLAlchemy core, executemany) in chunks read as they come, all in one
        transaction: a large import never holds more than a chunk of rows."""
        tables: list[tuple[Any, Iterator[dict[str, Any]]]] = [
            (RecordRow, map(record_columns, records)),
            (LinkRow, map(link_columns, links)),
            (AuditRow, map(audit_columns, audit)),
            (HubRow, ({"slug": h.slug, "name": h.name, "created_at": format_time(h.created_at) or ""} for h in hubs)),
            (ApiKeyRow, map(key_columns, keys)),
        ]

        def work() -> None:
            with self.engine.begin() as connection:
                connection.execute(BUMP)  # first: see _bump
                connection.execute(delete(MetaRow).where(col(MetaRow.name) == AUDIT))  # counted again from the rows
                for table, rows in tables:
                    while chunk := list(itertools.islice(rows, _LOAD_CHUNK)):
                        connection.execute(insert(table), chunk)

        try:
            self._guard(work)
        except IntegrityError as error:  # rolled back whole; said in one line, as Neo4j's load says it
            first = str(error.orig).splitlines()[0] if error.orig is not None else "a unique key"
            raise RegistryError(ErrorCode.DUPLICATE, f"The loaded rows repeat a key: {first}") from None

    def is_empty(self) -> bool:
        def work() -> bool:
            with self._session() as s:
                return all(
                    s.exec(select(func.count()).select_from(table)).one() == 0
                    for table in (RecordRow, HubRow, ApiKeyRow, AuditRow)
                )

        empty: bool = self._guard(work)
        return empty

    # -- life cycle -----------------------------------------------------------------------------
    def generation(self) -> int:
        def work() -> int:
            # Autocommit: the one SELECT, without a BEGIN and a ROLLBACK around it (PostgreSQL).
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                value = c.execute(select(MetaRow.value).where(col(MetaRow.name) == GENERATION)).scalar()
                return int(value or 0)

        value: int = self._guard(work)
        return value

    def change_mark(self) -> ChangeMark:
        def meta(name: str) -> Any:
            return select(MetaRow.value).where(col(MetaRow.name) == name).scalar_subquery()

        # One statement: one snapshot of the counter, the described writes and the trail.
        statement = select(meta(GENERATION), meta(DESCRIBED), select(func.max(AuditRow.seq)).scalar_subquery())

        def work() -> ChangeMark:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                generation, described, audit = c.execute(statement).one()
                return ChangeMark(int(generation or 0), int(described or 0), int(audit or 0))

        mark: ChangeMark = self._guard(work)
        return mark

    def changes_since(self, mark: ChangeMark, limit: int) -> Changes:
        return changes.since(self, mark, limit)

    def ping(self) -> None:
        def work() -> None:
            with self._session() as s:
                s.exec(select(1)).one()

        self._guard(work)

    def clear(self) -> None:
        def work() -> None:
            with self._session() as s, s.begin():
                self._bump(s)  # the counter survives: a cache must not mistake the new data for the old
                for table in (LinkRow, RecordRow, HubRow, ApiKeyRow, AuditRow, IdempotencyRow):
                    s.exec(delete(table))
                s.exec(delete(MetaRow).where(col(MetaRow.name) == AUDIT))  # the audit starts again at 1

        self._guard(work)

    def close(self) -> None:
        """Dispose of the pool once no connection is checked out (bounded: see store/closing.py):
        `dispose` leaves those to the garbage collector, which closes them with a warning."""
        checked_out = getattr(self.engine.pool, "checkedout", None)  # the queue pool counts them
        if checked_out is not None and not wait_until(lambda: checked_out() == 0):
            _log.warning("SQL store closed with connections still checked out after %.0f s", CLOSE_GRACE_SECONDS)
        self.engine.dispose()


# Each pooled connection keeps its own page cache, filled as requests read pages and emptied when
# another connection writes (WAL).  SQLite's default (2,000 KiB) made a server worker's memory climb
# for minutes as each connection's cache filled; the operating system's page cache holds the file
# once for all connections and processes, so each connection keeps only the B-trees' upper levels
# and the hot pages: 512 KiB, 128 pages of 4 KiB (negative: KiB, SQLite's convention).
SQLITE_CACHE_KIB = 512


def _write_ahead_log(connection: Any, _record: Any) -> None:
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")  # a PRAGMA takes no parameters


def _api_key(row: ApiKeyRow) -> ApiKey:
    created = parse_time(row.created_at)
    assert created is not None
    return ApiKey(
        key_id=row.key_id,
        secret_hash=row.secret_hash,
        role=Role(row.role),
        hub=row.hub,
        created_at=created,
        revoked_at=parse_time(row.revoked_at),
        label=row.label,
    )


def _audit(row: AuditRow) -> AuditEntry:
    at = parse_time(row.at)
    assert at is not None
    return AuditEntry(
        seq=row.seq,
        at=at,
        who=row.who,
        action=row.action,
        ref=row.ref,
        version_before=row.version_before,
        version_after=row.version_after,
        detail=json.loads(row.detail),
    )
