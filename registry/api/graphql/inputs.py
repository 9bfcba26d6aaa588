"""Mutation inputs: one per kind, used for creation and (as a patch) for updates.

A field left out is unchanged on update; a field sent as null is cleared.
Required fields are checked by the services, which answer REQUIRED errors.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

import strawberry

from registry.api.graphql.ids import ref_of
from registry.domain.records import JSON, Kind, Rel
from registry.domain.vocabulary import (
    ActorKind,
    ActorRole,
    DataCategory,
    ExperimentStatus,
    GovernanceModel,
    Position,
    PriorityKind,
    PriorityStatus,
    ProgrammeStatus,
    SwotQuadrant,
    TerritoryKind,
    UseCaseStatus,
    WorkshopKind,
)
from registry.services.editing import Change

UNSET: Any = strawberry.UNSET


@strawberry.input
class TextInput:
    fr: str | None = None
    en: str | None = None


@strawberry.input
class SourceInput:
    url: str
    title: str
    seen: date | None = None


@strawberry.input
class PositionInput:
    position: Position
    note: str


@strawberry.input
class ActorRoleInput:
    actor: strawberry.ID = strawberry.field(description="An Actor ID or slug.")
    role: ActorRole = ActorRole.UNKNOWN


@strawberry.input
class TerritoryRoleInput:
    territory: strawberry.ID = strawberry.field(description="A Territory ID or slug.")
    role: ActorRole = ActorRole.UNKNOWN


def _plain(value: Any) -> Any:
    if isinstance(value, TextInput):
        return {"fr": value.fr, "en": value.en}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        if value and isinstance(value[0], PositionInput):
            return {p.position.value: p.note for p in value}
        return [_plain(v) for v in value]
    return value


def _fields(source: Any, names: dict[str, str]) -> JSON:
    """Field values the client sent, under the record's field names."""
    out: JSON = {}
    for attribute, field_name in names.items():
        value = getattr(source, attribute)
        if value is not UNSET:
            out[field_name] = _plain(value)
    return out


def _sources(items: list[SourceInput] | None) -> list[JSON] | None:
    if items is UNSET or items is None:
        return None
    return [{"url": s.url, "title": s.title, "seen": s.seen.isoformat() if s.seen else None} for s in items]


def _ids(values: Any, kind: Kind, field: str) -> list[tuple[Any, str]] | None:
    if values is UNSET:
        return None
    if values is None:
        return []
    items = values if isinstance(values, list) else [values]
    return [(ref_of(v, kind, field), "") for v in items]


def _link(change: Change, rel: Rel, targets: list[tuple[Any, str]] | None) -> None:
    if targets is not None:
        change.links.append((rel, targets))


@strawberry.input
class TerritoryInput:
    slug: str | None = UNSET
    name: TextInput | None = UNSET
    summary: TextInput | None = UNSET
    kind: TerritoryKind | None = UNSET
    country: str | None = UNSET
    population: int | None = UNSET
    languages: list[str] | None = UNSET
    programme_status: ProgrammeStatus | None = UNSET
    priorities_defined: bool | None = UNSET
    positions: list[PositionInput] | None = UNSET
    sources: list[SourceInput] | None = UNSET

    def change(self) -> Change:
        names = {
            "name": "name",
            "summary": "summary",
            "kind": "territory_kind",
            "country": "country",
            "population": "population",
            "languages": "languages",
            "programme_status": "programme_status",
            "priorities_defined": "priorities_defined",
            "positions": "positions",
        }
        return Change(_fields(self, names), _sources(self.sources), [], self.slug or None)


@strawberry.input
class ActorInput:
    slug: str | None = UNSET
    name: TextInput | None = UNSET
    summary: TextInput | None = UNSET
    kind: ActorKind | None = UNSET
    country: str | None = UNSET
    website: str | None = UNSET
    present_in: list[TerritoryRoleInput] | None = strawberry.field(
        default=UNSET, description="Replaces the territories it works on."
    )
    sources: list[SourceInput] | None = UNSET

    def change(self) -> Change:
        names = {"name": "name", "summary": "summary", "kind": "actor_kind", "country": "country", "website": "website"}
        change = Change(_fields(self, names), _sources(self.sources), [], self.slug or None)
        if self.present_in is not UNSET:
            targets = [(ref_of(t.territory, Kind.TERRITORY, "presentIn"), t.role.value) for t in self.present_in or []]
            _link(change, Rel.PRESENT_IN, targets)
        return change


@strawberry.input
class PriorityInput:
    slug: str | None = UNSET
    title: TextInput | None = UNSET
    summary: TextInput | None = UNSET
    kind: PriorityKind | None = UNSET
    rank: int | None = UNSET
    status: PriorityStatus | None = UNSET
    territory: strawberry.ID | None = UNSET
    domains: list[strawberry.ID] | None = UNSET
    linked_to: list[strawberry.ID] | None = strawberry.field(
        default=UNSET, description="Political priorities this Self Data priority serves."
    )
    workshop: strawberry.ID | None = UNSET
    sources: list[SourceInput] | None = UNSET

    def change(self) -> Change:
        names = {"title": "title", "summary": "summary", "kind": "priority_kind", "rank": "rank", "status": "status"}
        change = Change(_fields(self, names), _sources(self.sources), [], self.slug or None)
        _link(change, Rel.IN_TERRITORY, _ids(self.territory, Kind.TERRITORY, "territory"))
        _link(change, Rel.IN_DOMAIN, _ids(self.domains, Kind.DOMAIN, "domains"))
        _link(change, Rel.LINKED_TO, _ids(self.linked_to, Kind.PRIORITY, "linkedTo"))
        _link(change, Rel.FROM_WORKSHOP, _ids(self.workshop, Kind.WORKSHOP, "workshop"))
        return change


@strawberry.input
class ExperimentInput:
    slug: str | None = UNSET
    title: TextInput | None = UNSET
    summary: TextInput | None = UNSET
    status: ExperimentStatus | None = UNSET
    start_date: date | None = UNSET
    end_date: date | None = UNSET
    territory: strawberry.ID | None = UNSET
    serves: list[strawberry.ID] | None = strawberry.field(default=UNSET, description="The priorities it serves.")
    replicates: strawberry.ID | None = strawberry.field(
        default=UNSET, description="The use case it replicates or adapts."
    )
    adapts: bool = strawberry.field(
        default=False, description="True when it adapts rather than replicates the use case."
    )
    domains: list[strawberry.ID] | None = UNSET
    actors: list[ActorRoleInput] | None = UNSET
    sources: list[SourceInput] | None = UNSET

    def change(self) -> Change:
        names = {
            "title": "title",
            "summary": "summary",
            "status": "status",
            "start_date": "start_date",
            "end_date": "end_date",
        }
        change = Change(_fields(self, names), _sources(self.sources), [], self.slug or None)
        _link(change, Rel.IN_TERRITORY, _ids(self.territory, Kind.TERRITORY, "territory"))
        _link(change, Rel.SERVES, _ids(self.serves, Kind.PRIORITY, "serves"))
        replicated = _ids(self.replicates, Kind.USE_CASE, "replicates")
        if replicated is not None:
            role = "adapts" if self.adapts else "replicates"
            _link(change, Rel.REPLICATES, [(ref, role) for ref, _ in replicated])
        _link(change, Rel.IN_DOMAIN, _ids(self.domains, Kind.DOMAIN, "domains"))
        if self.actors is not UNSET:
            _link(
                change, Rel.INVOLVES, [(ref_of(a.actor, Kind.ACTOR, "actors"), a.role.value) for a in self.actors or []]
            )
        return change


@strawberry.input
class SwotItemInput:
    slug: str | None = UNSET
    quadrant: SwotQuadrant | None = UNSET
    text: TextInput | None = UNSET
    territory: strawberry.ID | None = UNSET
    actor: strawberry.ID | None = UNSET
    domain: strawberry.ID | None = UNSET
    workshop: strawberry.ID | None = UNSET
    sources: list[SourceInput] | None = UNSET

    def change(self) -> Change:
        change = Change(
            _fields(self, {"quadrant": "quadrant", "text": "text"}), _sources(self.sources), [], self.slug or None
        )
        _link(change, Rel.IN_TERRITORY, _ids(self.territory, Kind.TERRITORY, "territory"))
        _link(change, Rel.ABOUT_ACTOR, _ids(self.actor, Kind.ACTOR, "actor"))
        _link(change, Rel.IN_DOMAIN, _ids(self.domain, Kind.DOMAIN, "domain"))
        _link(change, Rel.FROM_WORKSHOP, _ids(self.workshop, Kind.WORKSHOP, "workshop"))
        return change


@strawberry.input
class WorkshopInput:
    slug: str | None = UNSET
    title: TextInput | None = UNSET
    summary: TextInput | None = UNSET
    kind: WorkshopKind | None = UNSET
    held_on: date | None = strawberry.field(default=UNSET, name="date")
    online: bool | None = UNSET
    phase: int | None = UNSET
    participants_count: int | None = UNSET
    territory: strawberry.ID | None = UNSET
    participating_actors: list[strawberry.ID] | None = UNSET
    participating_territories: list[strawberry.ID] | None = UNSET
    sources: list[SourceInput] | None = UNSET

    def change(self) -> Change:
        names = {
            "title": "title",
            "summary": "summary",
            "kind": "workshop_kind",
            "held_on": "date",
            "online": "online",
            "phase": "phase",
            "participants_count": "participants_count",
        }
        change = Change(_fields(self, names), _sources(self.sources), [], self.slug or None)
        _link(change, Rel.IN_TERRITORY, _ids(self.territory, Kind.TERRITORY, "territory"))
        actors = _ids(self.participating_actors, Kind.ACTOR, "participatingActors")
        territories = _ids(self.participating_territories, Kind.TERRITORY, "participatingTerritories")
        if actors is not None or territories is not None:
            _link(change, Rel.PARTICIPANT, (actors or []) + (territories or []))
        return change


@strawberry.input
class CaseStudyInput:
    slug: str | None = UNSET
    title: TextInput | None = UNSET
    summary: TextInput | None = UNSET
    outcomes: TextInput | None = UNSET
    status: UseCaseStatus | None = UNSET
    governance: GovernanceModel | None = UNSET
    data_categories: list[DataCategory] | None = UNSET
    year_start: int | None = UNSET
    year_end: int | None = UNSET
    country: str | None = UNSET
    domains: list[strawberry.ID] | None = UNSET
    territories: list[strawberry.ID] | None = UNSET
    actors: list[ActorRoleInput] | None = UNSET
    sources: list[SourceInput] | None = UNSET

    def change(self) -> Change:
        names = {
            "title": "title",
            "summary": "summary",
            "outcomes": "outcomes",
            "status": "status",
            "governance": "governance",
            "data_categories": "data_categories",
            "year_start": "year_start",
            "year_end": "year_end",
            "country": "country",
        }
        change = Change(_fields(self, names), _sources(self.sources), [], self.slug or None)
        _link(change, Rel.IN_DOMAIN, _ids(self.domains, Kind.DOMAIN, "domains"))
        _link(change, Rel.IN_TERRITORY, _ids(self.territories, Kind.TERRITORY, "territories"))
        if self.actors is not UNSET:
            _link(
                change, Rel.INVOLVES, [(ref_of(a.actor, Kind.ACTOR, "actors"), a.role.value) for a in self.actors or []]
            )
        return change


strawberry.enum(Rel, name="Relation")


@strawberry.input(description="A link between two records, given by global IDs.")
class LinkInput:
    source: strawberry.ID
    relation: Rel
    target: strawberry.ID
    role: str = ""
