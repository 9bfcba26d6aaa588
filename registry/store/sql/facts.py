"""The recommenders' facts from SQL in linear time: a few column selects, grouped in one pass.

Only the columns the rankings read are selected (no ORM rows), and links are grouped in
dicts once, so the cost grows with the size of the registry, not with its square.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select
from sqlmodel import col

from registry.domain.provenance import inferred
from registry.domain.records import Kind, Rel, ReviewState
from registry.store.port import TerritoryFacts, UseCaseFacts
from registry.store.rules import PLATFORM_ACTOR_KINDS, PLATFORM_ROLES
from registry.store.sql.tables import LinkRow, RecordRow, record_column

_IN_TERRITORY, _PRESENT_IN = Rel.IN_TERRITORY.value, Rel.PRESENT_IN.value
_IN_DOMAIN, _INVOLVES = Rel.IN_DOMAIN.value, Rel.INVOLVES.value
_RELIES_ON, _AVAILABLE_IN = Rel.RELIES_ON.value, Rel.AVAILABLE_IN.value
_USE_CASE, _ACTOR, _TERRITORY = (f"{kind.value}:" for kind in (Kind.USE_CASE, Kind.ACTOR, Kind.TERRITORY))
_PUBLISHED = ReviewState.PUBLISHED.value
_MOST_KEYS = 500  # slugs asked at once, in one IN list (SQLite takes at most 32,766 parameters)


def _slug(key: str) -> str:
    return key.partition(":")[2]  # as Ref.parse(key).slug, without building the Ref


def _of_kind(kind: Kind) -> Any:
    return col(RecordRow.kind) == kind.value


def _published() -> Any:
    return col(RecordRow.review_state) == ReviewState.PUBLISHED.value


def _keys(kind: Kind, slugs: Sequence[str] | None) -> list[str] | None:
    """The keys of these slugs, or None (every record) when there are none given or too many for one IN list."""
    if slugs is None or len(slugs) > _MOST_KEYS:
        return None
    return [f"{kind.value}:{slug}" for slug in slugs]


def territory_facts(c: Connection, slugs: Sequence[str] | None = None) -> list[TerritoryFacts]:
    """Per territory (of `slugs`, or all): its priority and use-case domains, the actors present and
    which are platforms.  Given slugs, only the links around those territories are read."""
    r = RecordRow
    keys = _keys(Kind.TERRITORY, slugs)
    link_columns = (
        col(LinkRow.source_key),
        col(LinkRow.rel),
        col(LinkRow.target_key),
        col(LinkRow.source_kind),
        col(LinkRow.role),
    )
    territory_rows = select(
        col(r.key),
        col(r.slug),
        record_column("country"),
        record_column("status"),
        record_column("subkind"),
        col(r.data),
    ).where(_of_kind(Kind.TERRITORY))
    if keys is None:
        links_read = [
            select(*link_columns).where(col(LinkRow.rel).in_([_IN_TERRITORY, _PRESENT_IN, _IN_DOMAIN, _INVOLVES]))
        ]
        published = set(c.execute(select(col(r.key)).where(_of_kind(Kind.USE_CASE), _published())).scalars())
        actor_rows = select(col(r.key), record_column("subkind")).where(_of_kind(Kind.ACTOR))
        actor_kinds: dict[str, str | None] = {k: v for k, v in c.execute(actor_rows).all()}
    else:
        territory_rows = territory_rows.where(col(r.key).in_(keys))
        # The records linked to these territories, and what those records link to in turn.
        near = select(col(LinkRow.source_key)).where(
            col(LinkRow.rel).in_([_IN_TERRITORY, _PRESENT_IN]), col(LinkRow.target_key).in_(keys)
        )
        involved_actors = select(col(LinkRow.target_key)).where(
            col(LinkRow.rel) == _INVOLVES, col(LinkRow.source_key).in_(near)
        )
        links_read = [
            select(*link_columns).where(
                col(LinkRow.rel).in_([_IN_TERRITORY, _PRESENT_IN]), col(LinkRow.target_key).in_(keys)
            ),
            select(*link_columns).where(
                col(LinkRow.rel).in_([_IN_DOMAIN, _INVOLVES]), col(LinkRow.source_key).in_(near)
            ),
        ]
        # Records found by key alone, their kind told by the key: a condition on the kind or the
        # review state would lead SQLite to scan that column's index instead.
        states = c.execute(select(col(r.key), col(r.review_state)).where(col(r.key).in_(near))).all()
        published = {k for k, state in states if k.startswith(_USE_CASE) and state == _PUBLISHED}
        actor_kinds = {
            k: v
            for linked in (near, involved_actors)
            for k, v in c.execute(select(col(r.key), record_column("subkind")).where(col(r.key).in_(linked))).all()
            if k.startswith(_ACTOR)
        }
    territories = c.execute(territory_rows).all()
    links = [row for statement in links_read for row in c.execute(statement).all()]
    domains_of: dict[str, set[str]] = defaultdict(set)  # source key -> domain slugs
    involved: dict[str, list[tuple[str, str]]] = defaultdict(list)  # source key -> (actor key, role)
    arriving: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)  # territory key -> links in
    for source, rel, target, source_kind, role in links:
        if rel == _IN_DOMAIN:
            domains_of[source].add(_slug(target))
        elif rel == _INVOLVES:
            involved[source].append((target, role))
        else:
            arriving[target].append((source, source_kind, rel, role))

    facts = []
    wanted = None if slugs is None else set(slugs)
    for key, slug, country, status, territory_kind, data in sorted(territories, key=lambda row: row[1]):
        if wanted is not None and slug not in wanted:
            continue  # too many slugs for one IN list: every territory was read
        priority_domains: set[str] = set()
        case_domains: set[str] = set()
        present: set[str] = set()
        platforms: set[str] = set()  # present in a platform role somewhere
        for source, source_kind, rel, role in arriving.get(key, ()):
            if rel == _IN_TERRITORY and source_kind == Kind.PRIORITY.value:
                priority_domains |= domains_of.get(source, set())
            elif rel == _IN_TERRITORY and source in published:
                case_domains |= domains_of.get(source, set())
                for actor, actor_role in involved.get(source, ()):
                    present.add(actor)
                    if actor_role in PLATFORM_ROLES:
                        platforms.add(actor)
            elif rel == _PRESENT_IN:
                present.add(source)
                if role in PLATFORM_ROLES:
                    platforms.add(source)
        platforms |= {k for k in present if actor_kinds.get(k) in PLATFORM_ACTOR_KINDS}
        facts.append(
            TerritoryFacts(
                slug=slug,
                country=country or "",
                languages=frozenset(json.loads(data).get("languages") or ()),
                status=status or "unknown",
                priority_domains=frozenset(priority_domains),
                use_case_domains=frozenset(case_domains),
                actors=frozenset(_slug(k) for k in present),
                platforms=frozenset(_slug(k) for k in platforms),
                actor_kinds=frozenset(actor_kinds[k] or "" for k in present if k in actor_kinds),
                territory_kind=territory_kind or "",
            )
        )
    return facts


def use_case_facts(c: Connection, slugs: Sequence[str] | None = None) -> list[UseCaseFacts]:
    """Per published use case (of `slugs`, or all): its status, governance, domains, places and
    organisations.  Given slugs, only the links of those use cases are read."""
    r = RecordRow
    keys = _keys(Kind.USE_CASE, slugs)
    case_rows = select(
        col(r.key), col(r.slug), record_column("status"), record_column("governance"), col(r.data)
    ).where(_of_kind(Kind.USE_CASE), _published())
    other_columns = (col(r.key), col(r.slug), record_column("country"), record_column("subkind"))
    other_rows = [select(*other_columns).where(col(r.kind).in_([Kind.ACTOR.value, Kind.TERRITORY.value]))]
    case_links = select(col(LinkRow.source_key), col(LinkRow.rel), col(LinkRow.target_key), col(LinkRow.role)).where(
        col(LinkRow.source_kind) == Kind.USE_CASE.value,
        col(LinkRow.rel).in_([_IN_TERRITORY, _IN_DOMAIN, _INVOLVES, _RELIES_ON]),
    )
    availability = select(col(LinkRow.source_key), col(LinkRow.target_key)).where(col(LinkRow.rel) == _AVAILABLE_IN)
    if keys is not None:
        case_rows = case_rows.where(col(r.key).in_(keys))
        case_links = case_links.where(col(LinkRow.source_key).in_(keys))
        targets = select(col(LinkRow.target_key)).where(col(LinkRow.source_key).in_(keys))
        services = select(col(LinkRow.target_key)).where(
            col(LinkRow.rel) == _RELIES_ON, col(LinkRow.source_key).in_(keys)
        )
        availability = availability.where(col(LinkRow.source_key).in_(services))
        places = select(col(LinkRow.target_key)).where(
            col(LinkRow.rel) == _AVAILABLE_IN, col(LinkRow.source_key).in_(services)
        )
        # By key alone, the kind told by the key (see territory_facts).
        other_rows = [select(*other_columns).where(col(r.key).in_(linked)) for linked in (targets, places)]
    cases = c.execute(case_rows).all()
    others: dict[str, tuple[str, str | None, str | None]] = {
        k: (slug, country, subkind)
        for statement in other_rows
        for k, slug, country, subkind in c.execute(statement).all()
        if k.startswith((_ACTOR, _TERRITORY))
    }
    links_of: dict[str, list[tuple[str, str, str]]] = defaultdict(list)  # use case key -> (rel, target, role)
    for source, rel, target, role in c.execute(case_links).all():
        links_of[source].append((rel, target, role))
    available: dict[str, list[str]] = defaultdict(list)  # service key -> the places it is available on
    for source, target in c.execute(availability).all():
        available[source].append(target)

    def place(key: str) -> tuple[str, str]:
        slug, country, kind = others[key]
        return slug, (country or "") if kind == "country" else ""

    facts = []
    wanted = None if slugs is None else set(slugs)
    for key, slug, status, governance, data in sorted(cases, key=lambda row: row[1]):  # by code point, as SQL's C order
        if wanted is not None and slug not in wanted:
            continue  # too many slugs for one IN list: every use case was read
        mine = links_of.get(key, [])
        territories = sorted(
            (others[t][0], others[t][1] or "") for rel, t, _ in mine if rel == _IN_TERRITORY and t in others
        )
        actors = sorted(
            (others[a][0], others[a][2] or "", role) for rel, a, role in mine if rel == _INVOLVES and a in others
        )
        facts.append(
            UseCaseFacts(
                slug=slug,
                status=status or "unknown",
                governance=governance or "unknown",
                domains=frozenset(_slug(t) for rel, t, _ in mine if rel == _IN_DOMAIN),
                territories=tuple(territories),
                actors=tuple(actors),
                inferred_governance=inferred(json.loads(data), "governance"),
                services=tuple(
                    sorted(
                        (s, *place(p))
                        for rel, s, _ in mine
                        if rel == _RELIES_ON
                        for p in available.get(s, ())
                        if p in others
                    )
                ),
            )
        )
    return facts
