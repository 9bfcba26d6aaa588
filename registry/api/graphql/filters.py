"""Filter and sort inputs of the root lists, built from the kinds' declarations, turned into store queries."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import strawberry

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import Kind
from registry.kinds import PUBLIC_DECLARATIONS, Filter, KindDecl
from registry.store.codec import words
from registry.store.columns import POINT_COLUMNS, FieldFilter, LinkFilter, any_of, bbox, holds_any
from registry.store.port import RecordQuery, SortKey

# The store's sort keys, as the API names them (strawberry registers the enum itself).
SortBy = strawberry.enum(SortKey, name="SortBy")


@strawberry.input(description="How to order a list; ties are broken by slug.")
class Sort:
    by: SortKey = SortKey.SLUG
    descending: bool = False


def _values(items: Sequence[enum.Enum] | None) -> tuple[str, ...]:
    return tuple(str(item.value) for item in items or [])


def _slugs(items: list[str] | None) -> tuple[str, ...]:
    return tuple(items or [])


# Every word of a search costs a containment test on each candidate record: bounded, so that no
# anonymous request can make the store work for seconds.
MAX_TEXT_CHARACTERS = 200
MAX_TEXT_WORDS = 12


def text_words(text: str | None) -> tuple[str, ...]:
    """The words to search for, or INVALID when the text is over the limits."""
    if text is not None and len(text) > MAX_TEXT_CHARACTERS:
        raise RegistryError(ErrorCode.INVALID, f"Search for at most {MAX_TEXT_CHARACTERS} characters.", "text")
    found = words(text or "")
    if len(found) > MAX_TEXT_WORDS:
        raise RegistryError(ErrorCode.INVALID, f"Search for at most {MAX_TEXT_WORDS} words.", "text")
    return found


def base_query(kind: Kind, text: str | None, sort: Sort | None) -> RecordQuery:
    sort = sort or Sort()
    return RecordQuery(
        kinds=(kind,),
        words=text_words(text),
        sort=sort.by,
        descending=sort.descending,
    )


@strawberry.input(description="A box of latitudes and longitudes (WGS84, decimal degrees), edges included.")
class BoundingBoxInput:
    south: float
    west: float
    north: float
    east: float

    def conditions(self, field: str) -> tuple[FieldFilter, ...]:
        """The box as conditions on a point's columns, or INVALID when it is no box."""
        if not (-90 <= self.south <= self.north <= 90):
            raise RegistryError(ErrorCode.INVALID, "A box's latitudes go from south to north, within ±90.", field)
        if not (-180 <= self.west <= self.east <= 180):
            raise RegistryError(ErrorCode.INVALID, "A box's longitudes go from west to east, within ±180.", field)
        return bbox(*POINT_COLUMNS, self.south, self.west, self.north, self.east)


def _filter_value(spec: Filter, value: Any) -> Any:
    if spec.type == "slugs":
        return _slugs(value)
    if spec.type == "values":
        return _values(value)
    return value


def _condition(spec: Filter, value: Any) -> FieldFilter | LinkFilter | tuple[FieldFilter, ...]:
    """What a generic filter asks of the store (its value is set)."""
    rels = tuple(rel.value for rel in spec.rels)
    match spec.type:
        case "has":
            return holds_any(str(spec.column), _values(value))
        case "within":
            box: BoundingBoxInput = value
            return box.conditions(spec.name)
        case "linked" if spec.target is not None:
            return LinkFilter(rels, keys=tuple(f"{spec.target.value}:{slug}" for slug in value))
        case "linked_values":
            return LinkFilter(rels, fields=(any_of(str(spec.column), tuple(value)),))
        case "linked_within":
            return LinkFilter(rels, fields=value.conditions(spec.name))
    raise ValueError(f"filter {spec.name!r} has no known type {spec.type!r}")


def _annotation(spec: Filter) -> Any:
    if spec.type == "int":
        return int | None
    if spec.type in ("within", "linked_within"):
        return BoundingBoxInput | None
    if spec.vocabulary is not None:
        return list[spec.vocabulary] | None  # type: ignore[name-defined]
    return list[str] | None


def _filter_type(decl: KindDecl) -> type:
    """A kind's list filter: its declared filters, then the text search, read into a store query."""
    kind, specs = decl.kind, decl.filters
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__module__": __name__, "__annotations__": annotations}
    for spec in specs:
        annotations[spec.name] = _annotation(spec)
        namespace[spec.name] = strawberry.field(default=None, description=spec.description)
    annotations["text"] = str | None
    namespace["text"] = None

    def query(self: Any, sort: Sort | None) -> RecordQuery:
        values: dict[str, Any] = {}
        fields: list[FieldFilter] = []
        links: list[LinkFilter] = []
        for spec in specs:
            value = getattr(self, spec.name)
            if spec.query not in ("fields", "links"):
                values[spec.query] = _filter_value(spec, value)
            elif value is not None:
                found = _condition(spec, value)
                if isinstance(found, LinkFilter):
                    links.append(found)
                elif isinstance(found, FieldFilter):
                    fields.append(found)
                else:
                    fields.extend(found)
        return replace(base_query(kind, self.text, sort), **values, fields=tuple(fields), links=tuple(links))

    namespace["query"] = query
    built: type = strawberry.input(type(f"{kind.value}Filter", (), namespace))
    return built


# The kinds with filters of their own; the others' lists take the text-only `TextFilter`.
FILTERS: dict[Kind, type] = {kind: _filter_type(decl) for kind, decl in PUBLIC_DECLARATIONS.items() if decl.filters}
globals().update({built.__name__: built for built in FILTERS.values()})  # TerritoryFilter… by name


@strawberry.input
class TextFilter:
    text: str | None = None

    def query(self, kind: Kind, sort: Sort | None) -> RecordQuery:
        return base_query(kind, self.text, sort)
