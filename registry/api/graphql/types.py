"""GraphQL object types of the programme's records."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from registry.api.execution.context import context_of
from registry.api.graphql.ids import global_id
from registry.api.graphql.pagination import Connection, window
from registry.api.graphql.relations import RELATIONS, related_page
from registry.domain.records import JSON, Kind, Record
from registry.domain.records import ReviewState as ReviewStateValue
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
from registry.store.codec import label

for vocabulary in (
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
):
    strawberry.enum(vocabulary)
ReviewState = strawberry.enum(ReviewStateValue, name="ReviewState")


@strawberry.enum
class Language(enum.Enum):
    FR = "fr"
    EN = "en"


@strawberry.type
class LocalizedText:
    fr: str | None
    en: str | None


@strawberry.type
class Source:
    url: str
    title: str
    seen: date | None = strawberry.field(description="When the source was read; null when unknown.")
    page: str | None = strawberry.field(
        default=None,
        description="Where in the document the fact is stated (slide, page, section); null when the URL is the page.",
    )
    home_page_only: str | None = strawberry.field(
        default=None,
        description="Set when the URL is only a site's home page, not the page stating the fact: why (null for a deep link).",
    )


@strawberry.type(
    description="A value no source states, kept apart from the record's facts and labelled with its reasoning: "
    "show it as an inference. The field it is about stays null."
)
class Inference:
    field: str = strawberry.field(description="The field the value would fill, e.g. governance.")
    value: str = strawberry.field(description="The value inferred, as the field's vocabulary writes it.")
    reasoning: LocalizedText = strawberry.field(description="Why the registry infers it, from which sourced facts.")
    inferred: bool = strawberry.field(description="Always true: this value is an inference, not a sourced fact.")


@strawberry.type
class PositionNote:
    position: Position
    note: str


def _text(data: JSON, name: str, lang: Language) -> str | None:
    value = data.get(name)
    if not isinstance(value, dict):
        return None
    other = "en" if lang is Language.FR else "fr"
    found = value.get(lang.value) or value.get(other)
    return found if isinstance(found, str) else None


def _i18n(data: JSON, name: str) -> LocalizedText:
    value = data.get(name) or {}
    return LocalizedText(fr=value.get("fr"), en=value.get("en"))


@strawberry.interface(description="An object with a global ID (Relay).")
class Node:
    record: strawberry.Private[Record]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id(self.record.ref))


@strawberry.interface(description="A record of the registry: slug, version, times and sources.")
class Entry(Node):
    @strawberry.field(description="Stable, human-readable key, unique within its kind.")
    def slug(self) -> str:
        return self.record.slug

    @strawberry.field(description="Increases by one at every change; send it back to update.")
    def version(self) -> int:
        return self.record.version

    @strawberry.field
    def created_at(self) -> datetime | None:
        return self.record.created_at

    @strawberry.field
    def updated_at(self) -> datetime | None:
        return self.record.updated_at

    @strawberry.field
    def sources(self) -> list[Source]:
        return [
            Source(
                url=s.url,
                title=s.title,
                seen=date.fromisoformat(s.seen) if s.seen else None,
                page=s.page,
                home_page_only=s.home_page_only,
            )
            for s in self.record.sources
        ]

    @strawberry.field(description="Values no source states, each labelled as an inference with its reasoning.")
    def inferences(self) -> list[Inference]:
        return [
            Inference(
                field=i["field"],
                value=i["value"],
                reasoning=LocalizedText(fr=i["reasoning"].get("fr"), en=i["reasoning"].get("en")),
                inferred=True,
            )
            for i in self.record.data.get("inferences") or ()
        ]

    @strawberry.field(description="The record's name or title, in the language asked or else the other one.")
    def label(self, lang: Language = Language.EN) -> str:
        return label(self.record, lang.value)


@strawberry.interface(description="A record with a summary in French and English.")
class Described(Entry):
    @strawberry.field
    def summary(self, lang: Language = Language.EN) -> str | None:
        return _text(self.record.data, "summary", lang)

    @strawberry.field
    def summary_i18n(self) -> LocalizedText:
        return _i18n(self.record.data, "summary")


@strawberry.interface(description="A record with a name: territories, actors, domains.")
class Named(Described):
    @strawberry.field
    def name(self, lang: Language = Language.EN) -> str | None:
        return _text(self.record.data, "name", lang)

    @strawberry.field
    def name_i18n(self) -> LocalizedText:
        return _i18n(self.record.data, "name")


@strawberry.interface(
    description="A record with a title: use cases, priorities, experiments, workshops, roadmap actions."
)
class Titled(Described):
    @strawberry.field
    def title(self, lang: Language = Language.EN) -> str | None:
        return _text(self.record.data, "title", lang)

    @strawberry.field
    def title_i18n(self) -> LocalizedText:
        return _i18n(self.record.data, "title")


async def related(
    info: Info[Any, Any], entry: Entry, field: str, first: int | None, after: str | None
) -> Connection[Any]:
    """A connection over the records linked to `entry` by `field` (see `relations`), batched by the loaders."""
    ctx = context_of(info)
    relation = RELATIONS[type(entry).__name__, field]
    offset, limit = window(first, after)
    links = await ctx.loaders.links(relation.direction, relation.rel).load(entry.record.ref)
    ends = relation.ends(links)
    records = await ctx.loaders.records.load_many([end for end, _ in ends])
    return related_page(ends, records, offset, limit, wrap)


@strawberry.type
class Domain(Named):
    @strawberry.field
    async def use_cases(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[UseCase]:
        return await related(info, self, "use_cases", first, after)

    @strawberry.field
    async def priorities(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[Priority]:
        return await related(info, self, "priorities", first, after)


@strawberry.type
class Territory(Named):
    @strawberry.field
    def kind(self) -> TerritoryKind:
        return TerritoryKind(self.record.data["territory_kind"])

    @strawberry.field(description="ISO 3166-1 alpha-2 code.")
    def country(self) -> str:
        return str(self.record.data["country"])

    @strawberry.field(description="Null when the sources do not give it.")
    def population(self) -> int | None:
        return self.record.data.get("population")

    @strawberry.field(description="ISO 639-1 codes.")
    def languages(self) -> list[str]:
        return list(self.record.data.get("languages") or [])

    @strawberry.field
    def programme_status(self) -> ProgrammeStatus:
        return ProgrammeStatus(self.record.data["programme_status"])

    @strawberry.field(description="Whether its Self Data priorities are already defined; null when unknown.")
    def priorities_defined(self) -> bool | None:
        return self.record.data.get("priorities_defined")

    @strawberry.field(
        description="Its positions (data controller, innovation supporter, democratic organisation), with notes."
    )
    def positions(self) -> list[PositionNote]:
        notes = self.record.data.get("positions") or {}
        return [PositionNote(position=Position(p), note=n) for p, n in sorted(notes.items())]

    @strawberry.field
    async def priorities(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[Priority]:
        return await related(info, self, "priorities", first, after)

    @strawberry.field(description="Organisations present on the territory; the edge's role says as what.")
    async def actors(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[Actor]:
        return await related(info, self, "actors", first, after)

    @strawberry.field
    async def use_cases(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[UseCase]:
        return await related(info, self, "use_cases", first, after)

    @strawberry.field
    async def experiments(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[Experiment]:
        return await related(info, self, "experiments", first, after)

    @strawberry.field
    async def swot_items(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[SwotItem]:
        return await related(info, self, "swot_items", first, after)

    @strawberry.field
    async def workshops(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[Workshop]:
        return await related(info, self, "workshops", first, after)


@strawberry.type
class Actor(Named):
    @strawberry.field
    def kind(self) -> ActorKind:
        return ActorKind(self.record.data["actor_kind"])

    @strawberry.field
    def country(self) -> str | None:
        return self.record.data.get("country")

    @strawberry.field
    def website(self) -> str | None:
        return self.record.data.get("website")

    @strawberry.field(description="Territories it works on; the edge's role says as what.")
    async def territories(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[Territory]:
        return await related(info, self, "territories", first, after)

    @strawberry.field(description="Use cases it takes part in; the edge's role says as what.")
    async def use_cases(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[UseCase]:
        return await related(info, self, "use_cases", first, after)


@strawberry.type
class UseCase(Titled):
    @strawberry.field
    def outcomes(self, lang: Language = Language.EN) -> str | None:
        return _text(self.record.data, "outcomes", lang)

    @strawberry.field
    def status(self) -> UseCaseStatus:
        return UseCaseStatus(self.record.data["status"])

    @strawberry.field
    def governance(self) -> GovernanceModel:
        return GovernanceModel(self.record.data.get("governance") or "unknown")

    @strawberry.field
    def data_categories(self) -> list[DataCategory]:
        return [DataCategory(v) for v in self.record.data.get("data_categories") or []]

    @strawberry.field
    def year_start(self) -> int | None:
        return self.record.data.get("year_start")

    @strawberry.field
    def year_end(self) -> int | None:
        return self.record.data.get("year_end")

    @strawberry.field
    def country(self) -> str | None:
        return self.record.data.get("country")

    @strawberry.field(description="Review state: drafts and submissions are seen by their hub and coordinators only.")
    def review_state(self) -> ReviewState:  # type: ignore[valid-type]
        return self.record.review_state

    @strawberry.field(description="Why a coordinator rejected it.")
    def review_note(self) -> str | None:
        return self.record.data.get("review_note")

    @strawberry.field(description="The hub that contributed it.")
    def hub(self) -> str | None:
        return self.record.hub

    @strawberry.field
    async def domains(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[Domain]:
        return await related(info, self, "domains", first, after)

    @strawberry.field
    async def territories(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[Territory]:
        return await related(info, self, "territories", first, after)

    @strawberry.field(description="Organisations involved; the edge's role says as what (data holder, platform…).")
    async def actors(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[Actor]:
        return await related(info, self, "actors", first, after)

    @strawberry.field(description="Experiments that replicate or adapt it.")
    async def experiments(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[Experiment]:
        return await related(info, self, "experiments", first, after)


@strawberry.type
class Priority(Titled):
    @strawberry.field
    def kind(self) -> PriorityKind:
        return PriorityKind(self.record.data["priority_kind"])

    @strawberry.field
    def rank(self) -> int | None:
        return self.record.data.get("rank")

    @strawberry.field
    def status(self) -> PriorityStatus:
        return PriorityStatus(self.record.data["status"])

    @strawberry.field
    async def territory(self, info: Info[Any, Any]) -> Territory | None:
        return await first_related(info, self, "territory")

    @strawberry.field
    async def domains(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[Domain]:
        return await related(info, self, "domains", first, after)

    @strawberry.field(description="The political priorities an interview linked this Self Data priority to (and back).")
    async def linked_priorities(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[Priority]:
        return await related(info, self, "linked_priorities", first, after)

    @strawberry.field
    async def experiments(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[Experiment]:
        return await related(info, self, "experiments", first, after)


@strawberry.type
class Experiment(Titled):
    @strawberry.field
    def status(self) -> ExperimentStatus:
        return ExperimentStatus(self.record.data["status"])

    @strawberry.field
    def start_date(self) -> date | None:
        value = self.record.data.get("start_date")
        return date.fromisoformat(value) if value else None

    @strawberry.field
    def end_date(self) -> date | None:
        value = self.record.data.get("end_date")
        return date.fromisoformat(value) if value else None

    @strawberry.field
    async def territory(self, info: Info[Any, Any]) -> Territory | None:
        return await first_related(info, self, "territory")

    @strawberry.field(description="The use case it replicates or adapts.")
    async def use_case(self, info: Info[Any, Any]) -> UseCase | None:
        return await first_related(info, self, "use_case")

    @strawberry.field
    async def priorities(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[Priority]:
        return await related(info, self, "priorities", first, after)

    @strawberry.field
    async def actors(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[Actor]:
        return await related(info, self, "actors", first, after)


@strawberry.type
class SwotItem(Entry):
    @strawberry.field
    def quadrant(self) -> SwotQuadrant:
        return SwotQuadrant(self.record.data["quadrant"])

    @strawberry.field
    def text(self, lang: Language = Language.EN) -> str | None:
        return _text(self.record.data, "text", lang)

    @strawberry.field
    async def territory(self, info: Info[Any, Any]) -> Territory | None:
        return await first_related(info, self, "territory")

    @strawberry.field
    async def actor(self, info: Info[Any, Any]) -> Actor | None:
        return await first_related(info, self, "actor")

    @strawberry.field
    async def domain(self, info: Info[Any, Any]) -> Domain | None:
        return await first_related(info, self, "domain")

    @strawberry.field
    async def workshop(self, info: Info[Any, Any]) -> Workshop | None:
        return await first_related(info, self, "workshop")


@strawberry.type
class Workshop(Titled):
    @strawberry.field
    def kind(self) -> WorkshopKind:
        # UNKNOWN when no source states the kind (see `inferences` for a labelled guess), as for
        # governance: the field stays non-null, as released (a null would break typed clients).
        value = self.record.data.get("workshop_kind")
        return WorkshopKind(value) if value else WorkshopKind.UNKNOWN

    @strawberry.field(name="date")
    def held_on(self) -> date | None:
        value = self.record.data.get("date")
        return date.fromisoformat(value) if value else None

    @strawberry.field
    def online(self) -> bool | None:
        return self.record.data.get("online")

    @strawberry.field(description="Method phase: 1 explore, analyse, connect; 2 share, formulate, elaborate.")
    def phase(self) -> int | None:
        return self.record.data.get("phase")

    @strawberry.field
    def participants_count(self) -> int | None:
        return self.record.data.get("participants_count")

    @strawberry.field
    async def territory(self, info: Info[Any, Any]) -> Territory | None:
        return await first_related(info, self, "territory")

    @strawberry.field
    async def participating_actors(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[Actor]:
        return await related(info, self, "participating_actors", first, after)

    @strawberry.field
    async def participating_territories(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[Territory]:
        return await related(info, self, "participating_territories", first, after)


@strawberry.type
class RoadmapAction(Titled):
    @strawberry.field
    def number(self) -> int | None:
        return self.record.data.get("number")

    @strawberry.field
    async def domains(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[Domain]:
        return await related(info, self, "domains", first, after)


TYPES: dict[Kind, type[Entry]] = {
    Kind.TERRITORY: Territory,
    Kind.ACTOR: Actor,
    Kind.DOMAIN: Domain,
    Kind.USE_CASE: UseCase,
    Kind.PRIORITY: Priority,
    Kind.EXPERIMENT: Experiment,
    Kind.SWOT_ITEM: SwotItem,
    Kind.WORKSHOP: Workshop,
    Kind.ROADMAP_ACTION: RoadmapAction,
}


def wrap(record: Record) -> Any:
    """The GraphQL object of a record (typed Any: each field declares its own type)."""
    return TYPES[record.kind](record=record)


async def first_related(info: Info[Any, Any], entry: Entry, field: str) -> Any:
    """The one record a to-one link points at (a priority's territory…), or None."""
    found = await related(info, entry, field, 1, None)
    return found.edges[0].node if found.edges else None
