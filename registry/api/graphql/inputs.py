"""Mutation inputs: one per kind, built from its declaration, used for creation and (as a patch) for updates.

A field left out is unchanged on update; a field sent as null is cleared.
Required fields are checked by the services, which answer REQUIRED errors.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import strawberry

from registry.api.graphql.ids import ref_of
from registry.domain.errors import RegistryError
from registry.domain.records import JSON, Kind, Rel
from registry.domain.vocabulary import ActorRole, Position
from registry.kinds import PUBLIC_DECLARATIONS, Field, KindDecl, LinkSetter
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


@strawberry.input(description="A point on the Earth (WGS84), in decimal degrees.")
class CoordinatesInput:
    latitude: float
    longitude: float


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
    if isinstance(value, CoordinatesInput):
        return {"latitude": value.latitude, "longitude": value.longitude}
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


def _ids(values: Any, kind: Kind, field: str, change: Change) -> list[tuple[Any, str, str]] | None:
    """The (ref, role, client path) of each ID given; one that is no ID of `kind` is kept as a problem."""
    if values is UNSET:
        return None
    if values is None:
        return []
    many = isinstance(values, list)
    found = []
    for index, value in enumerate(values if many else [values]):
        path = f"{field}[{index}]" if many else field
        try:
            found.append((ref_of(value, kind, path), "", path))
        except RegistryError as error:
            change.problems.append(error)
    return found


def _targets(source: Any, link: LinkSetter, change: Change) -> list[tuple[Any, str, str]] | None:
    """The records an input's link field names, with their roles and paths; None when the field was left out."""
    value = getattr(source, link.name)
    if value is UNSET:
        return None
    field = f"input.{link.error_field}"
    if link.roles:  # {actor|territory, role} objects
        key = link.seed_slug_key or ""
        found = []
        for index, item in enumerate(value or []):
            path = f"{field}[{index}].{key}"
            try:
                found.append((ref_of(getattr(item, key), link.target, path), item.role.value, path))
            except RegistryError as error:
                change.problems.append(error)
        return found
    targets = _ids(value, link.target, field, change)
    if targets is not None and link.flag is not None:  # a flag beside the field says the links' role
        role = link.flag.true_role if getattr(source, link.flag.name) else link.flag.false_role
        return [(ref, role, path) for ref, _, path in targets]
    return targets


def _change_method(decl: KindDecl) -> Callable[[Any], Change]:
    names = {f.python_name: f.name for f in decl.fields if f.editable}

    def change(self: Any) -> Change:
        """The service's input; IDs that name nothing of their kind are kept as problems, not raised,
        so that the service reports them along with every other problem of the input."""
        result = Change(_fields(self, names), _sources(self.sources), [], self.slug or None)
        replaced: dict[Rel, list[tuple[Any, str]]] = {}  # fields of one relation replace its links together
        for link in decl.link_inputs:
            targets = _targets(self, link, result)
            if targets is None:
                continue
            replaced.setdefault(link.rel, []).extend((ref, role) for ref, role, _ in targets)
            for ref, _, path in targets:
                result.origins.setdefault((link.rel, ref), path)
        result.links.extend(replaced.items())
        return result

    return change


_ROLE_INPUTS: dict[Kind, type] = {Kind.ACTOR: ActorRoleInput, Kind.TERRITORY: TerritoryRoleInput}


def _field_type(field: Field) -> Any:
    vocabulary = field.vocabulary
    match field.type:
        case "text":
            return TextInput | None
        case "enum" if vocabulary is not None:
            return vocabulary | None
        case "enum_list" if vocabulary is not None:
            return list[vocabulary] | None  # type: ignore[valid-type]
        case "str_list":
            return list[str] | None
        case "positions":
            return list[PositionInput] | None
        case "coordinates":
            return CoordinatesInput | None
    return {"str": str, "int": int, "bool": bool, "date": date}[field.type] | None


def _link_type(link: LinkSetter) -> Any:
    if link.roles:
        role_input = _ROLE_INPUTS[link.target]
        return list[role_input] | None  # type: ignore[valid-type]
    return list[strawberry.ID] | None if link.many else strawberry.ID | None


def _input_type(decl: KindDecl) -> type:
    """A kind's input: slug, its editable fields, the links it sets, its sources."""
    annotations: dict[str, Any] = {"slug": str | None}
    namespace: dict[str, Any] = {"__module__": __name__, "__annotations__": annotations, "slug": UNSET}
    for field in decl.fields:
        if field.editable:
            annotations[field.python_name] = _field_type(field)
            namespace[field.python_name] = strawberry.field(default=UNSET, name=field.graphql_name)
    for link in decl.link_inputs:
        annotations[link.name] = _link_type(link)
        namespace[link.name] = strawberry.field(default=UNSET, description=link.description)
        if link.flag is not None:
            annotations[link.flag.name] = bool
            namespace[link.flag.name] = strawberry.field(default=False, description=link.flag.description)
    annotations["sources"] = list[SourceInput] | None
    namespace["sources"] = UNSET
    namespace["change"] = _change_method(decl)
    name = decl.input_name or f"{decl.kind.value}Input"
    built: type = strawberry.input(type(name, (), namespace))
    return built


if TYPE_CHECKING:  # the generated inputs, as the type checker sees them

    class KindInput:
        def change(self) -> Change: ...

    class CaseStudyInput(KindInput): ...


# The inputs of the kinds clients edit: coordinators (create/update) and hubs (case studies).
INPUTS: dict[Kind, type] = {
    kind: _input_type(decl) for kind, decl in PUBLIC_DECLARATIONS.items() if decl.editable or decl.hub_editable
}
globals().update({built.__name__: built for built in INPUTS.values()})  # CaseStudyInput… by name


strawberry.enum(Rel, name="Relation")


@strawberry.input(description="A link between two records, given by global IDs.")
class LinkInput:
    source: strawberry.ID
    relation: Rel
    target: strawberry.ID
    role: str = ""
