"""The Neo4j store: records as nodes, links as relationships, through the official driver.

Nodes are `:Record` plus their kind (`:Territory`, `:UseCase`, …) and carry the same
values as a SQL row (`registry.store.codec.record_columns`); links are relationships typed by
their relation with a `role`.  Hubs, API keys, audit entries and idempotency results
are nodes of their own labels.  Every answer must equal the SQL store's for the same
data: the contract suite in tests/contract runs against both.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit, urlunsplit

from neo4j import READ_ACCESS, WRITE_ACCESS, Bookmarks, Driver, GraphDatabase, ManagedTransaction, Query, Session
from neo4j.exceptions import (
    AuthError,
    ConnectionPoolError,
    ConstraintError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graph import cypher, schema_versions, staging
from graph.cypher import key, ref
from graph.facets import facet_statement
from graph.writes import Neo4jWrites, within_budget
from registry.domain.errors import ErrorCode, RegistryError, StoreUnavailable
from registry.domain.provenance import inferred
from registry.domain.records import JSON, ApiKey, AuditEntry, Hub, Kind, Link, Record, Ref, Rel
from registry.kinds import Facet
from registry.store import budget, causal, changes
from registry.store.closing import CLOSE_GRACE_SECONDS, InFlight
from registry.store.codec import (
    RecordReader,
    audit_columns,
    format_time,
    record_columns,
    record_from_columns,
)
from registry.store.columns import LINKED_DIMENSIONS, countable
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
from registry.store.rules import PLATFORM_ACTOR_KINDS, PLATFORM_ROLES

T = TypeVar("T")

_PAGE = 500
# What "the database cannot be reached" looks like through the driver.  The driver
# already retried transient failures for `retry_seconds` before we see one of these.
_UNAVAILABLE = (ServiceUnavailable, SessionExpired, ConnectionPoolError, TransientError, AuthError, OSError)
# The relations the recommenders' facts are made of (cypher.TERRITORY_FACTS, USE_CASE_FACTS).
_FACTS_RELS = (Rel.IN_TERRITORY, Rel.IN_DOMAIN, Rel.INVOLVES, Rel.PRESENT_IN, Rel.RELIES_ON, Rel.AVAILABLE_IN)
_BAD_BOOKMARK = ("Neo.ClientError.Transaction.InvalidBookmark", "Neo.ClientError.Transaction.InvalidBookmarkMixture")
_LABELS = ("Record", "Hub", "ApiKey", "AuditEntry", "Idempotency", *staging.STAGED.values())
_log = logging.getLogger(__name__)


class Neo4jStore:
    """The storage port on Neo4j 5.26 (Community or Enterprise)."""

    def __init__(
        self,
        url: str,
        user: str = "neo4j",
        password: str | None = None,
        database: str | None = None,
        retry_seconds: float = 5.0,
        upgrade: bool = False,
    ) -> None:
        """Connect; `upgrade` migrates an older schema in place instead of refusing it."""
        parts = urlsplit(url)
        self.where = urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]))  # never show a password
        self.database = database
        # Causal consistency within this process: every session starts after the transactions this
        # process committed (on a cluster, a follower serving a read waits until it has them).
        self.bookmarks = GraphDatabase.bookmark_manager()
        self._in_flight = InFlight()
        self._writes = Neo4jWrites(self._session, self._translated)
        auth = None if password is None else (user, password)
        # Short timeouts: a service answers STORE_UNAVAILABLE quickly instead of hanging.
        self.driver: Driver = GraphDatabase.driver(
            url,
            auth=auth,
            max_transaction_retry_time=retry_seconds,
            connection_timeout=5.0,
            connection_acquisition_timeout=10.0,
            # Queries may name relation types or properties no record has yet: not worth a log line.
            notifications_disabled_classifications=["UNRECOGNIZED"],
        )
        try:
            with self._translated(starting=True):
                self.driver.verify_connectivity()
                if database is None:  # naming it saves a round trip per session
                    self.database = self._read("CALL db.info() YIELD name RETURN name")[0]["name"]
                self.schema_change = schema_versions.prepare(self._read, self._write, upgrade)
                self._write(cypher.START_GENERATION)
                if self._read(staging.ANY_STAGED)[0]["any"]:  # invisible, but the operator should know
                    _log.warning(
                        "Neo4j at %s holds rows of a load that did not finish: the next load removes them", self.where
                    )
        except BaseException:
            self.driver.close()
            raise

    # -- plumbing ------------------------------------------------------------------------------
    @contextmanager
    def _translated(self, starting: bool = False) -> Iterator[None]:
        """Turn the driver's connection failures into StoreUnavailable.

        At start the message names the server, for whoever deploys the service; later it
        reaches API clients, so it is the SQL store's generic one (the cause stays chained).
        """
        try:
            yield
        except Neo4jError as error:
            if budget.expired():  # the transaction's timeout (the request's budget) ended it
                raise budget.TimedOut() from error
            if error.code in _BAD_BOOKMARK:  # well formed, but no transaction of this database
                raise RegistryError(
                    ErrorCode.BAD_REQUEST, "The bookmark sent back is not one this registry gave.", "bookmark"
                ) from error
            if isinstance(error, _UNAVAILABLE):
                self._unavailable(error, starting)
            raise
        except _UNAVAILABLE as error:
            self._unavailable(error, starting)

    def _unavailable(self, error: Exception, starting: bool) -> NoReturn:
        if not starting:
            raise StoreUnavailable() from error
        if isinstance(error, AuthError):
            raise StoreUnavailable(f"Neo4j at {self.where} refused the credentials: {error.message}") from error
        raise StoreUnavailable(f"Neo4j at {self.where} is unreachable: {error}") from error

    @contextmanager
    def _session(self, access: str = WRITE_ACCESS) -> Iterator[Session]:
        # After this process's transactions (its bookmark manager) and, when a client sent back
        # the bookmarks of its write through another process, after that one too.
        after = causal.read_after()
        with (
            self._in_flight,  # `close` waits for it
            self.driver.session(
                database=self.database,
                default_access_mode=access,
                bookmark_manager=self.bookmarks,
                bookmarks=Bookmarks.from_raw_values(after) if after else None,
            ) as session,
        ):
            yield session

    def _read(self, query: str, **params: Any) -> list[JSON]:
        """One statement in an auto-commit transaction: a single round trip.  The driver
        sends it again on a fresh connection when a pooled one turned out dead."""
        with (
            self._translated(),
            self._session(READ_ACCESS) as session,
        ):
            return session.run(_timed(query), params).data()

    def _read_row(self, query: str, **params: Any) -> list[Any]:
        """The values of a statement's single row, as the driver decoded them (no per-value
        transformation, and one message instead of one per row: the reads that return lists)."""
        with (
            self._translated(),
            self._session(READ_ACCESS) as session,
        ):
            return list(session.run(_timed(query), params).single(strict=True).values())

    def _write(self, query: str, **params: Any) -> list[JSON]:
        with self._translated(), self._session() as session:
            rows = session.run(_timed(query), params).data()
            causal.wrote(session.last_bookmarks().raw_values)
            return rows

    def _write_transaction(self, work: Callable[[ManagedTransaction], T]) -> T:
        """Several statements in one managed transaction, which the driver retries on
        transient failures (deadlocks, a lost connection) for `retry_seconds`."""
        with self._translated(), self._session() as session:
            return session.execute_write(within_budget(work))

    # -- records -------------------------------------------------------------------------------
    def get(self, refs: Sequence[Ref], visibility: Visibility) -> dict[Ref, Record]:
        if not refs:
            return {}
        [found] = self._read_row(
            f"MATCH (r:Record) WHERE r.key IN $keys AND {cypher.visible(visibility)} RETURN collect(r {cypher.RECORD})",
            keys=sorted({key(r) for r in refs}),
            hub=visibility.hub,
        )
        records = (record_from_columns(props) for props in found)
        return {r.ref: r for r in records}

    def query(self, query: RecordQuery) -> Page:
        match, params = cypher.record_match(query)
        # One statement for the total and the page: one round trip, and both from the same
        # reading.  It holds every match's node (not its properties) while sorting, as SQL does.
        total, page = self._read_row(
            f"{match}\nWITH r {cypher.order_by(query)}\nWITH collect(r) AS rs\n"
            f"RETURN size(rs), [x IN rs[$offset..($offset + $limit)] | x {cypher.RECORD}]",
            **params,
            offset=query.offset,
            limit=query.limit,
        )
        return Page([record_from_columns(props) for props in page], int(total))

    def links_from(self, sources: Sequence[Ref], rel: Rel) -> list[Link]:
        return self._links("s", sources, rel)

    def links_to(self, targets: Sequence[Ref], rel: Rel) -> list[Link]:
        return self._links("t", targets, rel)

    def _links(self, end: str, refs: Sequence[Ref], rel: Rel) -> list[Link]:
        if not refs:
            return []
        [rows] = self._read_row(cypher.links_statement(end, rel), keys=sorted({key(r) for r in refs}))
        return sorted(Link(ref(source), rel, ref(target), role) for source, target, role in rows)

    def linked(self, groups: Sequence[LinkGroup], visibility: Visibility) -> list[dict[Ref, Linked]]:
        if not groups:
            return []
        params: JSON = {"hub": visibility.hub}
        for n, group in enumerate(groups):
            params[f"g{n}"] = sorted({key(r) for r in group.refs})
            params[f"first{n}"] = group.first  # null: all of them
        answers = self._read_row(cypher.linked(groups, visibility), **params)
        read = RecordReader()
        return [
            {
                ref(near): Linked(int(total), [(read(far), role) for role, far in zip(roles, kept, strict=True)])
                for near, total, roles, kept in rows
            }
            for rows in answers
        ]

    def query_expanded(self, query: RecordQuery, expansions: Sequence[Expansion]) -> tuple[Page, Found]:
        match, params = cypher.record_match(query)
        tree = cypher.expansions("x", expansions, query.visibility, params)
        # The page is cut first, then each of its records is expanded, in the page's order.
        total, rows = self._read_row(
            f"{match}\nWITH r {cypher.order_by(query)}\nWITH collect(r) AS rs\n"
            "WITH size(rs) AS total, rs[$offset..($offset + $limit)] AS page\n"
            "CALL (page) { UNWIND range(0, size(page) - 1) AS i WITH i, page[i] AS x\n"
            f"  RETURN collect([i, x {cypher.RECORD}, {tree}]) AS rows }}\n"
            "RETURN total, rows",
            **params,
            offset=query.offset,
            limit=query.limit,
        )
        found: Found = {}
        read = RecordReader()
        records = [
            _expanded(read(props), nested, expansions, found, read)
            for _, props, nested in sorted(rows, key=lambda row: row[0])
        ]
        return Page(records, int(total)), found

    def get_expanded(
        self, refs: Sequence[Ref], expansions: Sequence[Expansion], visibility: Visibility
    ) -> tuple[dict[Ref, Record], Found]:
        if not refs:
            return {}, {}
        params: JSON = {"keys": sorted({key(r) for r in refs}), "hub": visibility.hub}
        tree = cypher.expansions("x", expansions, visibility, params)
        [rows] = self._read_row(
            f"MATCH (x:Record) WHERE x.key IN $keys AND {cypher.visible(visibility, 'x')}"
            f" RETURN collect([x {cypher.RECORD}, {tree}])",
            **params,
        )
        found: Found = {}
        read = RecordReader()
        records = [_expanded(read(props), nested, expansions, found, read) for props, nested in rows]
        return {r.ref: r for r in records}, found

    # -- writes --------------------------------------------------------------------------------
    def write(self, batch: WriteBatch) -> list[AuditEntry]:
        """See Store.write: the sequence of registry/store/writing.py on this store's primitives."""
        return self._writes.write(batch)

    def idempotent_result(self, scoped_key: str) -> str | None:
        rows = self._read("MATCH (i:Idempotency {key: $key}) RETURN i.result AS result", key=scoped_key)
        return None if not rows else str(rows[0]["result"])

    # -- graph reads ---------------------------------------------------------------------------
    def shortest_path(
        self, start: Ref, end: Ref, max_hops: int, visibility: Visibility, kinds: frozenset[Kind] | None = None
    ) -> list[Ref] | None:
        if start == end:
            return [start] if self.get([start], visibility) else None
        if max_hops < 1:
            return None
        rows = self._read(
            cypher.shortest_paths(visibility, kept=kinds is not None),
            start=key(start),
            end=key(end),
            hub=visibility.hub,
            kinds=sorted(k.value for k in kinds or ()),
            max_hops=min(max_hops, cypher.MAX_PATH_HOPS),
        )
        # Among equally short paths the one whose refs sort first, compared as the SQL store does.
        paths = [[ref(k) for k in row["keys"]] for row in rows]
        return min(paths) if paths else None

    def territory_facts(self) -> list[TerritoryFacts]:
        facts = self._territory_facts(self._read(cypher.TERRITORY_FACTS))
        self._plan_refresh_reads()
        return facts

    def _plan_refresh_reads(self) -> None:
        """Have Neo4j plan the reads of a refresh from the trail, with keys no record has.

        Neo4j plans a statement the first time it sees its text (and parameter types), then
        reuses the plan: for the facts reads that took 0.2-0.5 s, paid by the first ranking after
        a publication.  Every process gathers everything once before it refreshes, so planning
        them here moves that cost into the gathering (a few ms once the plans are cached).
        """
        nothing = ["-"]  # a list of text, as real keys are: the plan is cached per parameter type
        self._read(cypher.TERRITORY_FACTS_OF, keys=nothing)
        self._read(cypher.USE_CASE_FACTS_OF, keys=nothing)
        self._read(cypher.CHANGES_SINCE, seq=2**62, limit=1)  # the entries since a mark (changes_since)
        for rel in _FACTS_RELS:  # which facts a changed record reaches, by its links either way
            for end in ("s", "t"):
                self._read_row(cypher.links_statement(end, rel), keys=nothing)

    def territory_facts_of(self, slugs: Sequence[str]) -> list[TerritoryFacts]:
        keys = [str(Ref(Kind.TERRITORY, slug)) for slug in sorted(set(slugs))]
        return self._territory_facts(self._read(cypher.TERRITORY_FACTS_OF, keys=keys)) if keys else []

    def _territory_facts(self, rows: list[JSON]) -> list[TerritoryFacts]:
        facts = []
        for row in rows:
            # presences: [actor slug, actor kind (None when not an actor), role]
            presences = [(slug, kind, role) for slug, kind, role in row["presences"]]
            facts.append(
                TerritoryFacts(
                    slug=row["slug"],
                    country=row["country"] or "",
                    languages=frozenset(json.loads(row["data"]).get("languages") or ()),
                    status=row["status"] or "unknown",
                    priority_domains=frozenset(row["priority_domains"]),
                    use_case_domains=frozenset(row["use_case_domains"]),
                    actors=frozenset(slug for slug, _, _ in presences),
                    platforms=frozenset(
                        slug for slug, kind, role in presences if role in PLATFORM_ROLES or kind in PLATFORM_ACTOR_KINDS
                    ),
                    actor_kinds=frozenset(kind for _, kind, _ in presences if kind is not None),
                    territory_kind=row["territory_kind"] or "",
                )
            )
        return facts

    def use_case_facts(self) -> list[UseCaseFacts]:
        return self._use_case_facts(self._read(cypher.USE_CASE_FACTS))

    def use_case_facts_of(self, slugs: Sequence[str]) -> list[UseCaseFacts]:
        keys = [str(Ref(Kind.USE_CASE, slug)) for slug in sorted(set(slugs))]
        return self._use_case_facts(self._read(cypher.USE_CASE_FACTS_OF, keys=keys)) if keys else []

    def _use_case_facts(self, rows: list[JSON]) -> list[UseCaseFacts]:
        return [
            UseCaseFacts(
                slug=row["slug"],
                status=row["status"] or "unknown",
                governance=row["governance"] or "unknown",
                domains=frozenset(row["domains"]),
                territories=tuple(sorted((s, c) for s, c in row["territories"])),
                actors=tuple(sorted((s, k, r) for s, k, r in row["actors"])),
                inferred_governance=inferred(json.loads(row["data"]), "governance"),
                services=tuple(sorted((s, p, c) for s, p, c in row["services"])),
            )
            for row in rows
        ]

    def count_by(self, kind: Kind, dimension: str, visibility: Visibility) -> list[tuple[str, int]]:
        countable(dimension)
        where = cypher.visible(visibility)
        if dimension in LINKED_DIMENSIONS:
            # One count per link, grouped by the linked record's slug (as SQL joins links); the
            # relation names are the Rel enum's, never input.
            rels = "|".join(Rel(rel).value for rel in LINKED_DIMENSIONS[dimension])
            query = f"MATCH (r:Record {{kind: $kind}})-[:{rels}]->(x:Record) WHERE {where}"
            query += " RETURN x.slug AS value, count(*) AS n"
        else:  # a countable column, read as a parameter
            query = f"MATCH (r:Record {{kind: $kind}}) WHERE {where} RETURN r[$dimension] AS value, count(*) AS n"
        merged: dict[str, int] = {}
        for row in self._read(query, kind=kind.value, dimension=dimension, hub=visibility.hub):
            value = "unknown" if row["value"] is None else str(row["value"])
            merged[value] = merged.get(value, 0) + int(row["n"])
        return sorted(merged.items())

    def facet_counts(self, query: RecordQuery, facets: Sequence[Facet]) -> list[list[tuple[str | None, int]]]:
        if not facets:
            return []
        statement, params = facet_statement(query, facets)
        [found] = self._read_row(statement, **params)
        return [[(None if v is None else str(v), int(n)) for v, n in rows if n] for rows in found]

    # -- hubs, keys, audit ---------------------------------------------------------------------
    def put_hub(self, hub: Hub) -> None:
        self._write(cypher.bumped("MERGE (h:Hub {slug: $props.slug}) SET h = $props"), props=cypher.hub_props(hub))

    def hubs(self) -> list[Hub]:
        return [
            cypher.hub_from(row["h"]) for row in self._read("MATCH (h:Hub) RETURN properties(h) AS h ORDER BY h.slug")
        ]

    def put_api_key(self, key: ApiKey) -> None:
        self._write(
            cypher.bumped("MERGE (k:ApiKey {key_id: $props.key_id}) SET k = $props"), props=cypher.api_key_props(key)
        )

    def api_key(self, key_id: str) -> ApiKey | None:
        rows = self._read("MATCH (k:ApiKey {key_id: $key_id}) RETURN properties(k) AS k", key_id=key_id)
        return cypher.api_key_from(rows[0]["k"]) if rows else None

    def api_keys(self) -> list[ApiKey]:
        rows = self._read("MATCH (k:ApiKey) RETURN properties(k) AS k ORDER BY k.key_id")
        return [cypher.api_key_from(row["k"]) for row in rows]

    def revoke_api_key(self, key_id: str, at: datetime) -> bool:
        rows = self._write(
            cypher.bumped(
                "MATCH (k:ApiKey {key_id: $key_id}) WHERE k.revoked_at IS NULL SET k.revoked_at = $at RETURN k.key_id AS id"
            ),
            key_id=key_id,
            at=format_time(at),
        )
        return bool(rows)

    def audit_page(self, offset: int, limit: int, ref: str | None = None) -> tuple[list[AuditEntry], int]:
        entries = "MATCH (a:AuditEntry)" + ("" if ref is None else " WHERE a.ref = $ref")
        rows = self._read(
            f"RETURN COUNT {{ {entries} }} AS total, COLLECT {{ {entries} WITH a ORDER BY a.seq"
            " SKIP $offset LIMIT $limit RETURN properties(a) } AS page",
            ref=ref,
            offset=offset,
            limit=limit,
        )
        return [cypher.audit_from(props) for props in rows[0]["page"]], int(rows[0]["total"])

    def audit_after(self, seq: int, limit: int) -> list[AuditEntry]:
        rows = self._read(
            "MATCH (a:AuditEntry) WHERE a.seq > $seq WITH a ORDER BY a.seq LIMIT $limit RETURN properties(a) AS a",
            seq=seq,
            limit=limit,
        )
        return [cypher.audit_from(row["a"]) for row in rows]

    def audit_head(self) -> int:
        # The unique constraint on seq is an index: the highest is read from its end.
        rows = self._read(
            "MATCH (a:AuditEntry) WHERE a.seq IS NOT NULL RETURN a.seq AS seq ORDER BY a.seq DESC LIMIT 1"
        )
        return int(rows[0]["seq"]) if rows else 0

    # -- whole-registry movement ---------------------------------------------------------------
    def iter_records(self) -> Iterator[Record]:
        """By key ("Kind:slug"), a page at a time, like the SQL store."""
        last = ""
        while True:
            rows = self._read(
                "MATCH (r:Record) WHERE r.key > $last RETURN properties(r) AS r ORDER BY r.key LIMIT $limit",
                last=last,
                limit=_PAGE,
            )
            if not rows:
                return
            yield from (record_from_columns(row["r"]) for row in rows)
            last = rows[-1]["r"]["key"]

    def iter_links(self) -> Iterator[Link]:
        rows = self._read(
            "MATCH (s:Record)-[l]->(t:Record) RETURN s.key AS source, type(l) AS rel, t.key AS target, l.role AS role"
        )
        yield from sorted(Link(ref(row["source"]), Rel(row["rel"]), ref(row["target"]), row["role"]) for row in rows)

    def load(
        self,
        records: Iterable[Record],
        links: Iterable[Link],
        audit: Iterable[AuditEntry],
        hubs: Iterable[Hub] = (),
        keys: Iterable[ApiKey] = (),
    ) -> None:
        """Batches of `UNWIND … CREATE` with static labels and relationship types, all or nothing.

        Up to _ONE_TRANSACTION_ROWS rows it is one transaction.  Beyond, a single transaction
        would outgrow a small server's heap, so the batches commit one by one under staging
        labels that no read matches (see graph.staging), and one last transaction publishes
        them: readers see the whole load at once or nothing of it.  What a crash leaves staged
        is invisible, and removed by the next load.
        """
        # Held whole: the staged load reads them more than once (repeats, inner and outer links).
        self._load_lists(list(records), list(links), list(audit), list(hubs), list(keys))

    def _load_lists(
        self,
        records: Sequence[Record],
        links: Sequence[Link],
        audit: Sequence[AuditEntry],
        hubs: Sequence[Hub],
        keys: Sequence[ApiKey],
    ) -> None:
        self._remove_staged()
        try:
            if len(records) + len(links) + len(audit) + len(hubs) + len(keys) <= _ONE_TRANSACTION_ROWS:
                steps = _load_steps(records, links, audit, hubs, keys)
                self._write_transaction(lambda tx: _run_steps(tx, [_BUMP, *steps, _KEEP]))
            else:
                self._load_staged(records, links, audit, hubs, keys)
        except ConstraintError as error:
            raise RegistryError(ErrorCode.DUPLICATE, f"The loaded rows repeat a key: {error.message}") from error

    def _load_staged(
        self,
        records: Sequence[Record],
        links: Sequence[Link],
        audit: Sequence[AuditEntry],
        hubs: Sequence[Hub],
        keys: Sequence[ApiKey],
    ) -> None:
        staging.refuse_repeats(records, audit, hubs, keys)  # no unique constraint holds staged rows
        loaded = {key(record.ref) for record in records}
        # Links between two loaded records are staged with them; a link that touches any
        # other node is made by the publishing transaction, so no visible node ever has a
        # relationship to a staged one (a path search would walk through it).
        inner = [link for link in links if key(link.source) in loaded and key(link.target) in loaded]
        outer = [link for link in links if key(link.source) not in loaded or key(link.target) not in loaded]
        self._write(staging.KEY_INDEX)
        self._read("CALL db.awaitIndexes(300)")
        expected = staging.Counts(len(records), len(audit), len(hubs), len(keys))
        try:
            for step in _load_steps(records, inner, audit, hubs, keys, staged=True):
                self._write_transaction(partial(_run_steps, steps=[step]))
            publish = _load_steps([], outer, [], [], [])
            self._write_transaction(lambda tx: _publish(tx, expected, publish))
        except BaseException:
            self._remove_staged()
            raise

    def _remove_staged(self) -> None:
        """Delete the rows a load staged and did not publish: its own after a failure, or an
        interrupted load's (a crash, a kill), which the operator is told about."""
        if not self._read(staging.ANY_STAGED)[0]["any"]:
            return
        removed = self._write(staging.REMOVE_STAGED)
        count = sum(int(row["n"]) for row in removed)
        _log.warning("removed %d rows staged by a load that did not finish", count)

    def staged_rows(self) -> int:
        """How many rows an unfinished load left staged (invisible to every read)."""
        return int(self._read(staging.COUNT_STAGED)[0]["n"])

    def is_empty(self) -> bool:
        rows = self._read(
            "RETURN NOT (EXISTS { (:Record) } OR EXISTS { (:Hub) } OR EXISTS { (:ApiKey) }"
            " OR EXISTS { (:AuditEntry) }) AS empty"
        )
        return bool(rows[0]["empty"])

    # -- life cycle ----------------------------------------------------------------------------
    def generation(self) -> int:
        rows = self._read(cypher.GENERATION)
        return int(rows[0]["value"]) if rows else 0

    def change_mark(self) -> ChangeMark:
        rows = self._read(cypher.CHANGE_MARK)
        if not rows:
            return ChangeMark(0, 0, -1)  # no counter yet: nothing known to read from the trail
        return ChangeMark(int(rows[0]["generation"]), int(rows[0]["described"]), int(rows[0]["audit"]))

    def changes_since(self, mark: ChangeMark, limit: int) -> Changes:
        # The mark and the entries in one statement (a ranking after a write waits for this).
        rows = self._read(cypher.CHANGES_SINCE, seq=mark.audit, limit=limit)
        if not rows:
            return changes.between(mark, ChangeMark(0, 0, -1), limit, lambda _: [])
        row = rows[0]
        now = ChangeMark(int(row["generation"]), int(row["described"]), int(row["audit"]))
        entries = [cypher.audit_from(props) for props in row["entries"]]
        return changes.between(mark, now, limit, lambda _: entries)

    def ping(self) -> None:
        self._read("RETURN 1 AS one")

    def clear(self) -> None:
        """Delete the registry's nodes (its schema stays).

        In batches, each its own transaction: one transaction for a registry of a few hundred
        thousand records outgrows the transaction memory of a small server.
        """
        labels = " OR ".join(f"n:{label}" for label in _LABELS)
        try:
            self._write(
                f"MATCH (n) WHERE {labels} CALL (n) {{ DETACH DELETE n }} IN TRANSACTIONS OF {_LOAD_BATCH} ROWS"
            )
        finally:  # the counter is not among those labels: it survives, bumped, so caches see the change
            self._write(cypher.FORGET_AUDIT_NUMBER)  # and the audit starts again at 1

    def close(self) -> None:
        """Close the driver once the sessions in flight are done (bounded: see store/closing.py)."""
        if not self._in_flight.wait_idle():
            _log.warning("Neo4j store closed with sessions still in flight after %.0f s", CLOSE_GRACE_SECONDS)
        self.driver.close()


def _timed(query: str) -> Query | str:
    """The statement with what is left of the request's time budget as its transaction timeout."""
    left = budget.remaining()
    return query if left is None else Query(query, timeout=left)


def _expanded(
    record: Record, nested: list[Any], wanted: Sequence[Expansion], found: Found, read: RecordReader
) -> Record:
    """Record what a record's expansions found (see cypher.expansions), depth first; give the record back."""
    for expansion, (total, items) in zip(wanted, nested, strict=True):
        linked = Linked(int(total), [])
        for role, props, below in items:
            linked.records.append((_expanded(read(props), below, expansion.then, found, read), role))
        found.setdefault(expansion.group, {})[record.ref] = linked
    return record


# -- bulk load ---------------------------------------------------------------------------------

_LOAD_BATCH = 10_000  # rows per UNWIND
_ONE_TRANSACTION_ROWS = 100_000  # above, staged batches and a publishing transaction (see Neo4jStore.load)


@dataclass(frozen=True)
class _LoadStep:
    """One UNWIND statement over one batch of rows."""

    statement: str
    rows: list[JSON]
    links: Sequence[Link] = ()  # the links it creates, to name a missing end


def _batches(rows: list[JSON]) -> Iterator[list[JSON]]:
    for start in range(0, len(rows), _LOAD_BATCH):
        yield rows[start : start + _LOAD_BATCH]


def _load_steps(
    records: Sequence[Record],
    links: Sequence[Link],
    audit: Sequence[AuditEntry],
    hubs: Sequence[Hub] = (),
    keys: Sequence[ApiKey] = (),
    staged: bool = False,
) -> list[_LoadStep]:
    """Records grouped by kind, links by relation, so labels and types are static text.

    Only `Kind` and `Rel` values are ever spliced into the Cypher, never input text.
    `staged`: under the staging labels (graph.staging) instead of the visible ones.
    """
    labels = staging.STAGED if staged else staging.VISIBLE
    steps = []
    by_kind: dict[Kind, list[JSON]] = {}
    for record in records:
        by_kind.setdefault(Kind(record.kind), []).append(cypher.stored_text(record_columns(record)))
    for kind, rows in by_kind.items():
        for batch in _batches(rows):
            steps.append(
                _LoadStep(
                    f"UNWIND $rows AS row CREATE (r:{labels['Record'] if staged else f'Record:{kind.value}'}) SET r = row",
                    batch,
                )
            )
    by_rel: dict[Rel, dict[tuple[str, str], Link]] = {}
    for link in links:  # one relationship per (source, relation, target): the last role wins
        by_rel.setdefault(Rel(link.rel), {})[(key(link.source), key(link.target))] = link
    for rel, unique in by_rel.items():
        chosen = list(unique.values())
        for start in range(0, len(chosen), _LOAD_BATCH):
            part = chosen[start : start + _LOAD_BATCH]
            rows = [{"s": key(link.source), "t": key(link.target), "role": link.role} for link in part]
            steps.append(
                _LoadStep(
                    f"UNWIND $rows AS row MATCH (s:{labels['Record']} {{key: row.s}})"
                    f" MATCH (t:{labels['Record']} {{key: row.t}})"
                    f" CREATE (s)-[:{cypher.rel(rel)} {{role: row.role}}]->(t)",
                    rows,
                    links=part,
                )
            )
    for batch in _batches([audit_columns(e) for e in audit]):
        steps.append(
            _LoadStep(
                f"UNWIND $rows AS row CREATE (a:{labels['AuditEntry']}) SET a = row",
                batch,
            )
        )
    for batch in _batches([cypher.hub_props(h) for h in hubs]):
        steps.append(
            _LoadStep(
                f"UNWIND $rows AS row CREATE (h:{labels['Hub']}) SET h = row",
                batch,
            )
        )
    for batch in _batches([cypher.api_key_props(k) for k in keys]):
        steps.append(
            _LoadStep(
                f"UNWIND $rows AS row CREATE (k:{labels['ApiKey']}) SET k = row",
                batch,
            )
        )
    return steps


_BUMP = _LoadStep(cypher.FORGET_AUDIT_NUMBER, [])  # the change counter, first in a one-transaction load
_KEEP = _LoadStep(cypher.KEEP_AUDIT_NUMBER, [])  # and the audit number, last, once the entries are in


def _run_steps(tx: ManagedTransaction, steps: Sequence[_LoadStep]) -> None:
    for step in steps:
        summary = tx.run(step.statement, rows=step.rows).consume()
        if step.links and summary.counters.relationships_created < len(step.rows):
            _require_ends(tx, step.links)  # raises NOT_FOUND naming the first missing end


def _publish(tx: ManagedTransaction, expected: staging.Counts, links: Sequence[_LoadStep]) -> None:
    """Make a staged load visible, in one transaction, with the links that touch other nodes."""
    tx.run(cypher.FORGET_AUDIT_NUMBER).consume()  # the change counter first, as every writer
    found = staging.Counts(*tx.run(staging.COUNT_BY_LABEL).single(strict=True).values())
    if found != expected:  # another load removed or added staged rows meanwhile
        raise RegistryError(
            ErrorCode.INVALID_STATE, "Another load changed the staged rows meanwhile: nothing was loaded.", "store"
        )
    for statement in staging.PUBLISH:
        tx.run(statement).consume()
    _run_steps(tx, links)
    tx.run(cypher.KEEP_AUDIT_NUMBER).consume()


def _require_ends(tx: ManagedTransaction, links: Sequence[Link]) -> None:
    """NOT_FOUND for the first link end (in batch order) that is not a record."""
    ends = sorted({key(end) for link in links for end in (link.source, link.target)})
    if not ends:
        return
    found = {row["key"] for row in tx.run("MATCH (r:Record) WHERE r.key IN $keys RETURN r.key AS key", keys=ends)}
    for link in links:
        for end, name in ((link.source, "source"), (link.target, "target")):
            if key(end) not in found:
                raise RegistryError(ErrorCode.NOT_FOUND, f"{end} does not exist.", name)
