"""The storage port: what every store (SQL, Neo4j) must answer.

The services and the GraphQL layer only ever see this Protocol.  Every
store passes the one contract suite in `tests/contract/`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import JSON, ApiKey, AuditEntry, Hub, Kind, Link, Record, Ref, Rel
from registry.kinds import Facet
from registry.store.columns import (
    BY_NAME,
    LINKED_DIMENSIONS,
    SORTABLE,
    FieldFilter,
    LinkFilter,
    any_of,
    at_least,
    at_most,
)


class SortKey(enum.StrEnum):
    SLUG = "slug"
    NAME = "name"
    CREATED = "created"
    UPDATED = "updated"
    YEAR = "year"
    COMPLETENESS = "completeness"


# The column each sort key orders by; every store sorts from this table.
SORT_COLUMNS = {
    SortKey.SLUG: "slug",
    SortKey.NAME: "sort_name",
    SortKey.CREATED: "created_at",
    SortKey.UPDATED: "updated_at",
    SortKey.YEAR: "year_start",
    SortKey.COMPLETENESS: "completeness",
}


@dataclass(frozen=True)
class Visibility:
    """Which case studies a caller may see: published ones, plus a hub's own."""

    everything: bool = False
    hub: str | None = None


PUBLIC = Visibility()
EVERYTHING = Visibility(everything=True)


@dataclass(frozen=True)
class RecordQuery:
    kinds: tuple[Kind, ...]
    slugs: tuple[str, ...] | None = None
    statuses: tuple[str, ...] = ()
    subkinds: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    governance: tuple[str, ...] = ()
    review_states: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()  # linked by IN_DOMAIN to one of these domains
    territories: tuple[str, ...] = ()  # linked by IN_TERRITORY or PRESENT_IN to one of these
    actors: tuple[str, ...] = ()  # linked by INVOLVES to one of these actors
    actor_kinds: tuple[str, ...] = ()  # linked by INVOLVES to an actor of one of these kinds
    year_from: int | None = None  # active in or after this year
    year_to: int | None = None  # active in or before this year
    words: tuple[str, ...] = ()  # normalised words; each must start a word of the record's text
    fields: tuple[FieldFilter, ...] = ()  # conditions on indexed columns (registry.store.columns), all must hold
    links: tuple[LinkFilter, ...] = ()  # conditions on linked records, all must hold
    visibility: Visibility = PUBLIC
    sort: SortKey | str = SortKey.SLUG  # a SortKey, or the name of a field column
    descending: bool = False
    offset: int = 0
    limit: int = 20

    def field_filters(self) -> tuple[FieldFilter, ...]:
        """Every condition on indexed columns, the named ones above included: what stores render."""
        named = [
            any_of(column, values)
            for column, values in (
                ("status", self.statuses),
                ("subkind", self.subkinds),
                ("country", self.countries),
                ("governance", self.governance),
                ("review_state", self.review_states),
            )
            if values
        ]
        if self.year_from is not None:  # active in or after: its end, or when unknown its start
            named.append(at_least(self.year_from, "year_end", "year_start"))
        if self.year_to is not None:
            named.append(at_most(self.year_to, "year_start"))
        return (*named, *self.fields)

    def link_filters(self) -> tuple[LinkFilter, ...]:
        """Every condition on linked records, the named ones above included: what stores render."""
        named = [
            LinkFilter(rels, keys=tuple(f"{kind.value}:{slug}" for slug in slugs))
            for rels, kind, slugs in (
                (LINKED_DIMENSIONS["domain"], Kind.DOMAIN, self.domains),
                (LINKED_DIMENSIONS["territory"], Kind.TERRITORY, self.territories),
                ((Rel.INVOLVES.value,), Kind.ACTOR, self.actors),
            )
            if slugs
        ]
        if self.actor_kinds:
            named.append(LinkFilter((Rel.INVOLVES.value,), fields=(any_of("subkind", self.actor_kinds),)))
        return (*named, *self.links)

    def sort_column(self) -> tuple[str, bool]:
        """The column to sort on, and whether it can be null (those come last in every store)."""
        if isinstance(self.sort, SortKey):
            name = SORT_COLUMNS[self.sort]
        elif self.sort in SORTABLE:
            name = self.sort
        else:
            raise RegistryError(ErrorCode.INVALID, f"Records cannot be sorted by {self.sort!r}.", "sort")
        column = BY_NAME.get(name)
        return name, column is not None and column.nullable


@dataclass(frozen=True)
class LinkGroup:
    """The records of `kind` linked by `rel` to each of `refs`: the links leave the refs (direction
    "from") or reach them ("to").  Only the first `first` of each ref's by slug are wanted, or all."""

    refs: tuple[Ref, ...]
    direction: str
    rel: Rel
    kind: Kind
    first: int | None = None


@dataclass(frozen=True)
class Linked:
    """One ref's linked records of a LinkGroup that the caller may see: how many, and the first ones."""

    total: int
    records: list[tuple[Record, str]]  # (record, the link's role), by slug


@dataclass(frozen=True)
class Expansion:
    """Linked records to read along with each record of a level (a LinkGroup without its refs),
    and what to read along with those in turn."""

    direction: str
    rel: Rel
    kind: Kind
    first: int | None
    then: tuple[Expansion, ...] = ()

    @property
    def group(self) -> LinkGroup:
        return LinkGroup((), self.direction, self.rel, self.kind, self.first)


# What expansions found: for each group (without refs), every record it was read along with,
# even those with nothing linked (Linked(0, [])).
Found = dict[LinkGroup, dict[Ref, Linked]]


@dataclass(frozen=True)
class Page:
    records: list[Record]
    total: int


@dataclass(frozen=True)
class AuditDraft:
    who: str
    action: str
    ref: str
    version_before: int | None
    version_after: int | None
    detail: JSON = field(default_factory=dict)


@dataclass(frozen=True)
class Put:
    """Write `record`; `expected_version` None means it must not exist yet."""

    record: Record
    expected_version: int | None


class Replayed(Exception):
    """`write` found its batch's idempotency key already stored: nothing was written.

    Stores check the key after taking the writers' lock (see `Store.write`), so of many
    concurrent replays of one key exactly one writes and the others get the first result.
    """

    def __init__(self, result: str) -> None:
        super().__init__("This idempotency key was already used.")
        self.result = result


@dataclass
class WriteBatch:
    """Everything one mutation writes; a store applies it all or nothing."""

    puts: list[Put] = field(default_factory=list)
    replace_links: list[tuple[Ref, Rel]] = field(default_factory=list)  # drop these first
    add_links: list[Link] = field(default_factory=list)
    remove_links: list[Link] = field(default_factory=list)
    audit: list[AuditDraft] = field(default_factory=list)
    idempotency: tuple[str, str] | None = None  # (scoped key, the stored result)
    at: datetime | None = None
    # Access changes, in the same transaction as the audit entries that name them: a hub or
    # key that exists is DUPLICATE, a revocation of a key that is not active is NOT_FOUND.
    new_hubs: list[Hub] = field(default_factory=list)
    new_keys: list[ApiKey] = field(default_factory=list)
    revoke_keys: list[str] = field(default_factory=list)  # key ids, revoked at `at`


@dataclass(frozen=True)
class TerritoryFacts:
    """What the partner ranking compares between two territories."""

    slug: str
    country: str
    languages: frozenset[str]
    status: str
    priority_domains: frozenset[str]
    use_case_domains: frozenset[str]
    actors: frozenset[str]  # actors present on it, or engaged in its published use cases
    platforms: frozenset[str]  # of those, the ones acting as platform or personal cloud
    actor_kinds: frozenset[str]  # the kinds of those actors
    territory_kind: str  # city, region, country…: countries are context, never partners ("" when unknown)


@dataclass(frozen=True)
class UseCaseFacts:
    """What the candidate-experiment ranking weighs for one published use case."""

    slug: str
    status: str
    governance: str
    domains: frozenset[str]
    territories: tuple[tuple[str, str], ...]  # (slug, country), sorted
    actors: tuple[tuple[str, str, str], ...]  # (slug, actor kind, role), sorted
    inferred_governance: str | None = None  # a labelled inference, when no source states the governance
    # The services it relies on and where each is available: (the service's key "Kind:slug", place,
    # the place's country code when the place is a whole country, else ""), sorted.
    services: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class ChangeMark:
    """Where a store's changes stand, read in one round trip (one consistent snapshot).

    `described` counts the writes whose audit entries name everything they changed (every
    record put and every link's source; no access change).  When the counter moved by as much
    as `described` since an earlier mark, every change in between is in the audit trail, in
    the entries numbered after that mark's `audit`.  Any other change (a write without audit,
    `load`, `clear`, a hub or key put) moves the counter alone, and so shows as a gap.
    """

    generation: int
    described: int
    audit: int  # the highest audit number (0 when the trail is empty)


@dataclass(frozen=True)
class Changes:
    """What changed since a mark: the audit entries, or None when the trail cannot say
    (a change it does not describe, or more entries than asked for)."""

    mark: ChangeMark  # the store's mark now: read before the entries
    entries: list[AuditEntry] | None


class Store(Protocol):
    """The registry's storage port."""

    # -- records -------------------------------------------------------------
    def get(self, refs: Sequence[Ref], visibility: Visibility) -> dict[Ref, Record]:
        """The records among `refs` that exist and that `visibility` may see, in one round trip.

        Every read takes the caller's visibility and applies it in the store's own query, so
        no caller can forget it: a hidden record is read exactly as a missing one."""
        ...

    def query(self, query: RecordQuery) -> Page:
        """A filtered, sorted page of records and the total that match."""
        ...

    def links_from(self, sources: Sequence[Ref], rel: Rel) -> list[Link]:
        """Links of `rel` leaving any of `sources`, sorted."""
        ...

    def links_to(self, targets: Sequence[Ref], rel: Rel) -> list[Link]:
        """Links of `rel` arriving at any of `targets`, sorted."""
        ...

    def linked(self, groups: Sequence[LinkGroup], visibility: Visibility) -> list[dict[Ref, Linked]]:
        """For each group, each ref's visible linked records (refs with none are left out), in one round trip."""
        ...

    def query_expanded(self, query: RecordQuery, expansions: Sequence[Expansion]) -> tuple[Page, Found]:
        """`query`, and the records linked to the page's records along `expansions` (visible to the
        query's caller), in one round trip where the store can."""
        ...

    def get_expanded(
        self, refs: Sequence[Ref], expansions: Sequence[Expansion], visibility: Visibility
    ) -> tuple[dict[Ref, Record], Found]:
        """`get`, and the records linked to them along `expansions`, in one round trip where the store can."""
        ...

    def write(self, batch: WriteBatch) -> list[AuditEntry]:
        """Apply a batch atomically; raises CONFLICT, DUPLICATE or NOT_FOUND and writes nothing.

        Writers take turns: the first statement of every write transaction bumps the change
        counter (`generation`), whose lock lasts until commit.  Everything else is decided
        under that lock: versions, slugs, the idempotency key (`Replayed` when it is already
        stored) and the audit numbers.  So audit numbers are unique, with no gaps from
        failed writes, and commit order equals audit order: a reader of the trail by
        increasing `seq` never sees a number appear below one it has already read.
        Transient failures (a busy SQLite file, a deadlock, a serialization failure) are
        retried inside the store, a bounded number of times.  The sequence is written once, in
        registry/store/writing.py; each store supplies its primitives.
        """
        ...

    def idempotent_result(self, scoped_key: str) -> str | None:
        """The stored result of a mutation already run with this key."""
        ...

    # -- graph reads ---------------------------------------------------------
    def shortest_path(
        self, start: Ref, end: Ref, max_hops: int, visibility: Visibility, kinds: frozenset[Kind] | None = None
    ) -> list[Ref] | None:
        """The shortest chain of records linking `start` to `end` (links in either direction),
        through records `visibility` may see only, both ends included (None if either is hidden).
        With `kinds`, every record between the two ends is of one of those kinds.

        Among equally short chains, the one whose list of refs sorts first.
        """
        ...

    def territory_facts(self) -> list[TerritoryFacts]:
        """The partner-ranking facts of every territory, sorted by slug."""
        ...

    def use_case_facts(self) -> list[UseCaseFacts]:
        """The candidate-ranking facts of every published use case, sorted by slug."""
        ...

    def territory_facts_of(self, slugs: Sequence[str]) -> list[TerritoryFacts]:
        """`territory_facts` of these territories only (those that exist), sorted by slug."""
        ...

    def use_case_facts_of(self, slugs: Sequence[str]) -> list[UseCaseFacts]:
        """`use_case_facts` of these use cases only (those that exist and are published), sorted by slug."""
        ...

    def count_by(self, kind: Kind, dimension: str, visibility: Visibility) -> list[tuple[str, int]]:
        """Counts of records of `kind` by linked domain or territory, or by a column a query may filter
        (registry.store.columns.COUNTABLE: status, subkind, country…), missing values as "unknown";
        any other dimension is INVALID."""
        ...

    def facet_counts(self, query: RecordQuery, facets: Sequence[Facet]) -> list[list[tuple[str | None, int]]]:
        """For each facet (registry.kinds.Facet), how many of the records `query` selects (its offset,
        limit and sort aside) have each value, None counting those with none; values in any order.
        A multi-valued facet counts a record once under each of its distinct values.  One round trip;
        a facet the store cannot count is INVALID (`columns.facet_checked`)."""
        ...

    # -- hubs, keys, audit ---------------------------------------------------
    def put_hub(self, hub: Hub) -> None: ...

    def hubs(self) -> list[Hub]: ...

    def put_api_key(self, key: ApiKey) -> None: ...

    def api_key(self, key_id: str) -> ApiKey | None: ...

    def api_keys(self) -> list[ApiKey]: ...

    def revoke_api_key(self, key_id: str, at: datetime) -> bool: ...

    def audit_page(self, offset: int, limit: int, ref: str | None = None) -> tuple[list[AuditEntry], int]:
        """A page of the audit trail, oldest first, with the total (optionally of one record)."""
        ...

    def audit_after(self, seq: int, limit: int) -> list[AuditEntry]:
        """At most `limit` audit entries numbered above `seq`, by number, in one round trip.

        Live subscriptions read the trail forward with it: a cursor is an entry's number.
        """
        ...

    def audit_head(self) -> int:
        """The highest audit number (0 when the trail is empty), in one round trip."""
        ...

    # -- whole-registry movement ----------------------------------------------
    def iter_records(self) -> Iterator[Record]:
        """Every record, drafts included, by kind then slug."""
        ...

    def iter_links(self) -> Iterator[Link]:
        """Every link, sorted."""
        ...

    def load(
        self,
        records: Iterable[Record],
        links: Iterable[Link],
        audit: Iterable[AuditEntry],
        hubs: Iterable[Hub] = (),
        keys: Iterable[ApiKey] = (),
    ) -> None:
        """Insert exported rows as they are (versions, times and audit numbers kept), all or
        nothing: a failure leaves the store as it was, whether it is the store's or one raised
        by an iterable.  Each iterable is read once, in the order of the parameters, so an
        import can stream them from a file."""
        ...

    def is_empty(self) -> bool: ...

    # -- life cycle ------------------------------------------------------------
    def generation(self) -> int:
        """The store-wide change counter, in one round trip.

        Every writer (`write`, `load`, `put_hub`, `put_api_key`, `revoke_api_key`, `clear`)
        bumps it in the same transaction as its change, so any process sharing the database
        sees a new value after any change.  It never goes backwards, not even across `clear`.
        A write that fails changes nothing, so it does not bump the counter either.
        """
        ...

    def change_mark(self) -> ChangeMark:
        """The change counter with what the audit trail describes of it, in one round trip."""
        ...

    def changes_since(self, mark: ChangeMark, limit: int) -> Changes:
        """The audit entries written since `mark` (at most `limit`, else None), and the mark now
        (registry.store.changes.since: one rule for every store)."""
        ...

    def ping(self) -> None:
        """Raise StoreUnavailable when the database cannot be reached."""
        ...

    def clear(self) -> None:
        """Delete everything (tests and imports into a fresh store only)."""
        ...

    def close(self) -> None: ...
