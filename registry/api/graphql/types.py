"""GraphQL object types of the programme's records, built from the kinds' declarations (`registry.kinds`)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.types import Info

from registry.api.execution.context import context_of
from registry.api.graphql.completeness_fields import Completeness, completeness_of
from registry.api.graphql.history_fields import RecordVersion, record_history
from registry.api.graphql.ids import global_id
from registry.api.graphql.pagination import Connection, window
from registry.api.graphql.relations import RELATIONS, related_page
from registry.api.graphql.review_fields import EXTRA_FIELDS
from registry.domain.records import JSON, Kind, Record
from registry.domain.records import ReviewState as ReviewStateValue
from registry.domain.vocabulary import Position
from registry.kinds import PUBLIC_DECLARATIONS, Field, KindDecl, Link, permalink
from registry.store.codec import label

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


@strawberry.type(description="A point on the Earth (WGS84), in decimal degrees.")
class Coordinates:
    latitude: float
    longitude: float


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

    @strawberry.field(
        description="Its permalink, an absolute path that opens the explorer on it: /explore/territory/lyon."
    )
    def url(self) -> str:
        return permalink(self.record.ref)

    @strawberry.field(
        description="PUBLISHED, or where a case study is in review (DRAFT, SUBMITTED, REJECTED): only its hub and "
        "coordinators see unpublished ones, and they see the state wherever the record appears."
    )
    def review_state(self) -> ReviewState:  # type: ignore[valid-type]
        return self.record.review_state

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

    @strawberry.field(
        description="How complete it is: the share of its declared fields holding a sourced value, the fields "
        "left unknown, its inferences, and whether it cites home pages only."
    )
    def completeness(self) -> Completeness:
        return completeness_of(self.record)

    @strawberry.field(
        description="Its versions the caller may see, newest first, at most `limit` (1 to 50), each with what "
        "changed field by field and its sources then. From the audit trail: coordinators see every version, a hub "
        "every version of its own case studies, others the published versions only. History starts at the first "
        "write that kept the record's facts (2026-12-05): nothing older is rebuilt."
    )
    async def history(self, info: Info[Any, Any], limit: int = 20) -> list[RecordVersion]:
        return await record_history(self.record, info, limit)


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


_INTERFACE_FIELDS = {"Named": {"name", "summary"}, "Titled": {"title", "summary"}, "Entry": set()}
_INTERFACES: dict[str, type[Entry]] = {"Named": Named, "Titled": Titled, "Entry": Entry}


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _reader(field: Field) -> tuple[Callable[[JSON], Any], Any]:
    """How a stored field is read from a record's data, and its GraphQL type."""
    name, vocabulary = field.name, field.vocabulary
    match field.type:
        case "enum" if vocabulary is not None and (field.required or field.null_as is not None):
            default = field.null_as  # the field stays non-null, as released: null_as stands for "not stated"

            def read_enum(data: JSON) -> enum.StrEnum:
                return default if default is not None and not data.get(name) else vocabulary(data[name])

            return read_enum, vocabulary
        case "enum" if vocabulary is not None:
            return (lambda data: vocabulary(data[name]) if data.get(name) else None), vocabulary | None
        case "enum_list" if vocabulary is not None:
            return (lambda data: [vocabulary(v) for v in data.get(name) or []]), list[vocabulary]  # type: ignore[valid-type]
        case "str" if field.required:
            return (lambda data: str(data[name])), str
        case "str_list":
            return (lambda data: list(data.get(name) or [])), list[str]
        case "date":
            return (lambda data: _day(data.get(name))), date | None
        case "coordinates":
            return (lambda data: Coordinates(**data[name]) if data.get(name) else None), Coordinates | None
        case "positions":
            return (
                lambda data: [
                    PositionNote(position=Position(p), note=n) for p, n in sorted((data.get(name) or {}).items())
                ]
            ), list[PositionNote]
    plain = {"str": str, "int": int, "bool": bool}[field.type]
    return (lambda data: data.get(name)), plain | None


def _plain_field(field: Field) -> Any:
    """A field read from the record (its data, or its envelope: review state, hub)."""
    name = field.name
    if field.type == "text":  # a field of its own, not the interface's: in the language asked

        def read_text(self: Entry, lang: Language = Language.EN) -> str | None:
            return _text(self.record.data, name, lang)

        resolver: Any = read_text
    elif field.type == "review_state":

        def read_state(self: Entry) -> ReviewState:  # type: ignore[valid-type]
            return self.record.review_state

        resolver = read_state
    elif field.type == "hub":

        def read_hub(self: Entry) -> str | None:
            return self.record.hub

        resolver = read_hub
    else:
        read, graphql_type = _reader(field)

        def read_data(self: Entry) -> Any:
            return read(self.record.data)

        read_data.__annotations__["return"] = graphql_type
        resolver = read_data
    return strawberry.field(resolver=resolver, name=field.graphql_name, description=field.description)


def _link_field(link: Link) -> Any:
    """A field following links (see `relations`): the first linked record, or a connection."""
    python_name = link.name
    if link.to_one:

        async def first(self: Entry, info: Info[Any, Any]) -> Any:
            return await first_related(info, self, python_name)

        # a string, read in this module once every type exists (the types refer to each other)
        first.__annotations__["return"] = f"{link.target.value} | None"
        return strawberry.field(resolver=first, description=link.description)

    async def page(self: Entry, info: Info[Any, Any], first: int | None = None, after: str | None = None) -> Any:
        return await related(info, self, python_name, first, after)

    page.__annotations__["return"] = f"Connection[{link.target.value}]"
    return strawberry.field(resolver=page, description=link.description)


def _object_type(decl: KindDecl) -> type[Entry]:
    """The GraphQL object type of a kind: its fields, then its links, after the interface's."""
    skip = _INTERFACE_FIELDS[decl.interface]
    namespace: dict[str, Any] = {"__module__": __name__, "__qualname__": decl.kind.value}
    for field in decl.fields:
        if field.python_name not in skip:
            namespace[field.python_name] = _plain_field(field)
    for link in decl.links:
        namespace[link.name] = _link_field(link)
    namespace.update(EXTRA_FIELDS.get(decl.kind, {}))
    built: type[Entry] = strawberry.type(type(decl.kind.value, (_INTERFACES[decl.interface],), namespace))
    return built


if TYPE_CHECKING:  # the generated types, as the type checker sees them

    class Territory(Named): ...

    class Actor(Named): ...

    class Domain(Named): ...

    class UseCase(Titled): ...

    class Priority(Titled): ...

    class Experiment(Titled): ...

    class SwotItem(Entry): ...

    class Workshop(Titled): ...

    class RoadmapAction(Titled): ...


TYPES: dict[Kind, type[Entry]] = {kind: _object_type(decl) for kind, decl in PUBLIC_DECLARATIONS.items()}
globals().update({kind.value: built for kind, built in TYPES.items()})  # Territory, Actor… by name


def wrap(record: Record) -> Any:
    """The GraphQL object of a record (typed Any: each field declares its own type)."""
    return TYPES[record.kind](record=record)


async def first_related(info: Info[Any, Any], entry: Entry, field: str) -> Any:
    """The one record a to-one link points at (a priority's territory…), or None."""
    found = await related(info, entry, field, 1, None)
    return found.edges[0].node if found.edges else None
