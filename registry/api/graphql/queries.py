"""The root Query: lists, lookups, search, stats, path and the recommenders."""

from __future__ import annotations

import enum
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON as JSONScalar
from strawberry.types import Info

from registry.api.execution.context import context_of
from registry.api.graphql.filters import FILTERS, Asked, Sort, TextFilter, check_filter
from registry.api.graphql.ids import decode, ref_of
from registry.api.graphql.pagination import MAX_PAGE, Connection, connection, window
from registry.api.graphql.paths import Path, PathKinds, resolve_path
from registry.api.graphql.roadmap_method import Method, load_method
from registry.api.graphql.types import (
    TYPES,
    Language,
    Node,
    Territory,
    UseCase,
    wrap,
)
from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import Kind, Ref, Role
from registry.kinds import PUBLIC_DECLARATIONS, PUBLIC_KINDS, KindDecl
from registry.services.access import require
from registry.services.ranking import recommenders as ranking
from registry.store.port import RecordQuery, Visibility


async def _page(
    info: Info[Any, Any], query: RecordQuery, first: int | None, after: str | None, asked: Asked | None = None
) -> Connection[Any]:
    ctx = context_of(info)
    offset, limit = window(first, after)
    if asked is not None:
        await check_filter(ctx, asked)
    asked_for = replace(query, visibility=ctx.visibility, offset=offset, limit=limit)
    page = await ctx.query(asked_for)
    for record in page.records:  # later fields of the same records need no new round trip
        ctx.loaders.records.prime(record.ref, record)
    found = connection([wrap(r) for r in page.records], page.total, offset)
    found.counted = asked_for  # what `facets` counts, if asked
    return found


async def _one(info: Info[Any, Any], ref: Ref) -> Any:
    record = await context_of(info).record(ref)
    return None if record is None else wrap(record)


@strawberry.enum
class ReasonKind(enum.Enum):
    SHARED_PRIORITY_DOMAIN = "SHARED_PRIORITY_DOMAIN"
    PRIORITY_IN_THEIR_USE_CASES = "PRIORITY_IN_THEIR_USE_CASES"
    SHARED_USE_CASE_DOMAIN = "SHARED_USE_CASE_DOMAIN"
    SHARED_PLATFORM = "SHARED_PLATFORM"
    SHARED_PARTNER = "SHARED_PARTNER"
    SAME_COUNTRY = "SAME_COUNTRY"
    SHARED_LANGUAGE = "SHARED_LANGUAGE"
    BOTH_IN_PROGRAMME = "BOTH_IN_PROGRAMME"
    DOMAIN_MATCH = "DOMAIN_MATCH"
    STATUS = "STATUS"
    ACTOR_ON_TERRITORY = "ACTOR_ON_TERRITORY"
    ACTOR_KIND_ON_TERRITORY = "ACTOR_KIND_ON_TERRITORY"
    PLATFORM_ON_TERRITORY = "PLATFORM_ON_TERRITORY"
    DOCUMENTED_GOVERNANCE = "DOCUMENTED_GOVERNANCE"
    ALREADY_ON_TERRITORY = "ALREADY_ON_TERRITORY"
    SAME_COUNTRY_AS_USE_CASE = "SAME_COUNTRY_AS_USE_CASE"
    SERVICE_ON_TERRITORY = "SERVICE_ON_TERRITORY"


@strawberry.type(
    description="Why a record was recommended: a sentence, its weight in the score, and the data behind it."
)
class Reason:
    kind: ReasonKind
    label: str
    weight: float
    domains: list[str] = strawberry.field(description="Slugs of the domains concerned.")
    actors: list[str] = strawberry.field(description="Slugs of the organisations concerned.")
    territories: list[str] = strawberry.field(description="Slugs of the territories concerned.")
    values: list[str] = strawberry.field(description="Other values: countries, languages, statuses, governance models.")
    inferred: bool = strawberry.field(
        description="True when the reason rests on a value no source states (a labelled inference); its label says so."
    )


def _reasons(ranked: ranking.Ranked) -> list[Reason]:
    return [
        Reason(
            kind=ReasonKind(r.kind),
            label=r.label,
            weight=r.weight,
            domains=list(r.domains),
            actors=list(r.actors),
            territories=list(r.territories),
            values=list(r.values),
            inferred=r.inferred,
        )
        for r in ranked.reasons
    ]


@strawberry.type
class PartnerMatch:
    territory: Territory
    score: float
    reasons: list[Reason]


@strawberry.type
class ExperimentCandidate:
    use_case: UseCase
    score: float
    reasons: list[Reason]


@strawberry.type
class Count:
    key: str
    count: int


@strawberry.type(description="Counts for dashboards; case studies count only where the caller may see them.")
class Stats:
    visibility: strawberry.Private[Visibility]

    async def _count(self, info: Info[Any, Any], kind: Kind, dimension: str) -> list[Count]:
        ctx = context_of(info)
        rows = await ctx.call(ctx.store.count_by, kind, dimension, self.visibility)
        return [Count(key=k, count=n) for k, n in rows]

    @strawberry.field
    async def use_cases_by_domain(self, info: Info[Any, Any]) -> list[Count]:
        return await self._count(info, Kind.USE_CASE, "domain")

    @strawberry.field
    async def use_cases_by_status(self, info: Info[Any, Any]) -> list[Count]:
        return await self._count(info, Kind.USE_CASE, "status")

    @strawberry.field
    async def use_cases_by_territory(self, info: Info[Any, Any]) -> list[Count]:
        return await self._count(info, Kind.USE_CASE, "territory")

    @strawberry.field
    async def use_cases_by_governance(self, info: Info[Any, Any]) -> list[Count]:
        return await self._count(info, Kind.USE_CASE, "governance")

    @strawberry.field
    async def territories_by_status(self, info: Info[Any, Any]) -> list[Count]:
        return await self._count(info, Kind.TERRITORY, "status")

    @strawberry.field
    async def actors_by_kind(self, info: Info[Any, Any]) -> list[Count]:
        return await self._count(info, Kind.ACTOR, "subkind")

    @strawberry.field
    async def experiments_by_status(self, info: Info[Any, Any]) -> list[Count]:
        return await self._count(info, Kind.EXPERIMENT, "status")

    @strawberry.field
    async def priorities_by_domain(self, info: Info[Any, Any]) -> list[Count]:
        return await self._count(info, Kind.PRIORITY, "domain")


@strawberry.type
class AuditEntry:
    seq: int
    at: datetime
    who: str
    action: str
    record: str = strawberry.field(description="Kind:slug of the record written.")
    version_before: int | None
    version_after: int | None
    detail: JSONScalar


def _kind_of(node_id: str) -> Ref:
    ref = decode(node_id)
    if ref is None:
        raise RegistryError(ErrorCode.INVALID, f"{node_id!r} is not a global ID.", "id")
    return ref


def _first(first: int | None, default: int = 10) -> int:
    """How many ranked results to return, within the same cap as pages."""
    return window(default if first is None else first, None)[1]


class _ById:
    @strawberry.field(description="Any record by its global ID.")
    async def node(self, info: Info[Any, Any], id: strawberry.ID) -> Node | None:
        ref = decode(id)
        return None if ref is None else await _one(info, ref)

    @strawberry.field(description="Records by global ID, in the order asked; null where none.")
    async def nodes(self, info: Info[Any, Any], ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_PAGE:
            raise RegistryError(ErrorCode.INVALID, f"At most {MAX_PAGE} ids.", "ids")
        refs = [decode(i) for i in ids]
        records = await context_of(info).loaders.records.load_many([r for r in refs if r is not None])
        found = iter(records)
        return [None if ref is None else (lambda r: None if r is None else wrap(r))(next(found)) for ref in refs]


class _Others:
    @strawberry.field(
        description="Records of every kind whose words start with the words given, accents and case ignored."
    )
    async def search(
        self, info: Info[Any, Any], text: str, first: int | None = None, after: str | None = None
    ) -> Connection[Node]:
        query = TextFilter(text=text).query(Kind.TERRITORY, Sort())
        if not query.words:
            raise RegistryError(ErrorCode.INVALID, "Search for at least one word.", "text")
        # the entries only: the method's records are not nodes of the public schema
        return await _page(info, replace(query, kinds=PUBLIC_KINDS, sort=query.sort), first, after)

    @strawberry.field(description="The roadmap method: its two phases, its workshop kinds and its two cases.")
    async def method(self, info: Info[Any, Any]) -> Method:
        return await load_method(info)

    @strawberry.field
    def stats(self, info: Info[Any, Any]) -> Stats:
        return Stats(visibility=context_of(info).visibility)

    @strawberry.field(
        description="The shortest chain of links between two records (either direction), each step with its link, "
        "or null. With `kinds`, every record between the two ends is of one of those kinds."
    )
    async def path(
        self,
        info: Info[Any, Any],
        from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID,
        max_hops: int = 6,
        kinds: PathKinds = None,
    ) -> Path | None:
        return await resolve_path(info, _kind_of(from_), _kind_of(to), max_hops, kinds)

    @strawberry.field(
        description="Other territories ranked by shared priorities, partners, platforms, country and language."
    )
    async def partner_cities(
        self,
        info: Info[Any, Any],
        territory: strawberry.ID,
        first: int | None = None,
        lang: Language = Language.EN,  # the language of the reasons' sentences and the names in them
    ) -> list[PartnerMatch]:
        ctx = context_of(info)
        ref = ref_of(territory, Kind.TERRITORY, "territory")
        ranked = await ctx.call(
            ranking.partner_cities, ctx.store, ref.slug, _first(first), ctx.ranking_facts, lang.value
        )
        records = await ctx.loaders.records.load_many([Ref(Kind.TERRITORY, r.slug) for r in ranked])
        return [
            PartnerMatch(territory=wrap(record), score=r.score, reasons=_reasons(r))
            for r, record in zip(ranked, records, strict=True)
            if record is not None
        ]

    @strawberry.field(
        description="Published use cases from anywhere ranked by how well they could become an experiment for this priority."
    )
    async def candidate_experiments(
        self,
        info: Info[Any, Any],
        priority: strawberry.ID,
        first: int | None = None,
        lang: Language = Language.EN,  # the language of the reasons' sentences and the names in them
    ) -> list[ExperimentCandidate]:
        ctx = context_of(info)
        ref = ref_of(priority, Kind.PRIORITY, "priority")
        ranked = await ctx.call(
            ranking.candidate_experiments, ctx.store, ref.slug, _first(first), ctx.ranking_facts, lang.value
        )
        records = await ctx.loaders.records.load_many([Ref(Kind.USE_CASE, r.slug) for r in ranked])
        return [
            ExperimentCandidate(use_case=wrap(record), score=r.score, reasons=_reasons(r))
            for r, record in zip(ranked, records, strict=True)
            if record is not None
        ]

    @strawberry.field(description="Every write, oldest first (admins only).")
    async def audit_trail(
        self,
        info: Info[Any, Any],
        record: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[AuditEntry]:
        ctx = context_of(info)
        require(ctx.principal, Role.ADMIN)
        offset, limit = window(first, after)
        ref = None if record is None else str(_kind_of(record))
        entries, total = await ctx.call(ctx.store.audit_page, offset, limit, ref)
        nodes = [
            AuditEntry(
                seq=e.seq,
                at=e.at,
                who=e.who,
                action=e.action,
                record=e.ref,
                version_before=e.version_before,
                version_after=e.version_after,
                detail=cast(JSONScalar, e.detail),
            )
            for e in entries
        ]
        return connection(nodes, total, offset)


def _list_field(decl: KindDecl) -> Any:
    """The root list of a kind: its declared filter (or the text-only one), a sort, and paging."""
    kind = decl.kind
    declared = FILTERS.get(kind)

    async def records(
        self: Any,
        info: Info[Any, Any],
        filter: Any = None,
        sort: Sort | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Any:
        if declared is not None:
            chosen = filter or declared()
            return await _page(info, chosen.query(sort), first, after, chosen.asked())
        return await _page(info, (filter or TextFilter()).query(kind, sort), first, after)

    records.__annotations__["filter"] = (declared or TextFilter) | None
    records.__annotations__["return"] = cast(Any, Connection)[TYPES[kind]]
    return strawberry.field(records)


def _lookup_field(decl: KindDecl) -> Any:
    kind = decl.kind

    async def one(self: Any, info: Info[Any, Any], slug: str) -> Any:
        return await _one(info, Ref(kind, slug))

    one.__annotations__["return"] = TYPES[kind] | None
    return strawberry.field(one)


def _lists() -> dict[str, Any]:
    """Each public kind's root list, and its lookup by slug where it has one, in `Kind` order."""
    found: dict[str, Any] = {}
    for decl in PUBLIC_DECLARATIONS.values():
        found[decl.list_name] = _list_field(decl)
        if decl.lookup:
            found[decl.snake] = _lookup_field(decl)
    return found


def _members(holder: type) -> dict[str, Any]:
    return {name: value for name, value in vars(holder).items() if not name.startswith("__")}


# The root Query: records by ID, each kind's list, then search, the method, counts, paths and the recommenders.
Query = strawberry.type(type("Query", (), {"__module__": __name__, **_members(_ById), **_lists(), **_members(_Others)}))
