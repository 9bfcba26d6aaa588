"""Filter and sort inputs of the root lists, built from the kinds' declarations, turned into store queries."""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import strawberry
from strawberry.utils.str_converters import to_camel_case

from registry.api.execution.context import Context
from registry.domain.errors import ErrorCode, RegistryError, Rule
from registry.domain.records import Kind, Ref
from registry.kinds import KIND_LABELS, PUBLIC_DECLARATIONS, Filter, KindDecl
from registry.store.codec import words
from registry.store.columns import POINT_COLUMNS, FieldFilter, LinkFilter, any_of, at_least, bbox, holds_any
from registry.store.port import PUBLIC, RecordQuery, SortKey

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
        case "at_least":
            if not 0 <= value <= 100:
                raise RegistryError(
                    ErrorCode.INVALID,
                    f"A share in percent goes from 0 to 100, not {value}.",
                    f"filter.{to_camel_case(spec.name)}",
                    {"rule": Rule.RANGE.value, "min": 0, "max": 100, "value": value},
                )
            return at_least(value, str(spec.column))
        case "linked" if spec.target is not None:
            return LinkFilter(rels, keys=tuple(f"{spec.target.value}:{slug}" for slug in value))
        case "linked_values":
            return LinkFilter(rels, fields=(any_of(str(spec.column), tuple(value)),))
        case "linked_within":
            return LinkFilter(rels, fields=value.conditions(spec.name))
    raise ValueError(f"filter {spec.name!r} has no known type {spec.type!r}")


def _annotation(spec: Filter) -> Any:
    if spec.type in ("int", "at_least"):
        return int | None
    if spec.type in ("within", "linked_within"):
        return BoundingBoxInput | None
    if spec.vocabulary is not None:
        return list[spec.vocabulary] | None  # type: ignore[name-defined]
    return list[str] | None


# The shapes a filter's values may be required to have (`Filter.format`).  Country codes are
# checked by shape, the rule writes use (registry.services.validation), not against the countries
# the registry holds today: a well-formed code no record has is a true "none", while "France"
# or "fr" is a mistake.
FORMATS = {"country": (re.compile(r"^[A-Z]{2}$"), "an ISO 3166-1 alpha-2 code in capitals, e.g. 'FR'")}


@dataclass(frozen=True)
class Asked:
    """What a filter names that must be checked before it runs: slugs of records, shaped values,
    and filters only some callers may use (each with its path as the client wrote it)."""

    refs: tuple[tuple[str, Ref], ...] = ()
    malformed: tuple[tuple[str, str, str], ...] = ()  # (path, value, format)
    restricted: tuple[str, ...] = ()


def _asked(specs: Sequence[Filter], values: dict[str, Any]) -> Asked:
    refs: list[tuple[str, Ref]] = []
    malformed: list[tuple[str, str, str]] = []
    restricted: list[str] = []
    for spec in specs:
        given = values.get(spec.name)
        if not given:
            continue
        path = f"filter.{to_camel_case(spec.name)}"
        if spec.restricted:
            restricted.append(path)
        items = [str(item) for item in given] if isinstance(given, list) else []
        if spec.target is not None:
            refs.extend((path, Ref(spec.target, item)) for item in items)
        if spec.format is not None:
            pattern, _ = FORMATS[spec.format]
            malformed.extend((path, item, spec.format) for item in items if not pattern.fullmatch(item))
    return Asked(tuple(refs), tuple(malformed), tuple(restricted))


async def check_filter(ctx: Context, asked: Asked) -> None:
    """INVALID naming every unknown or malformed value (never an empty answer that hides a typo),
    FORBIDDEN for a restricted filter asked anonymously.  The slugs are looked up in one round trip."""
    if asked.restricted and ctx.visibility == PUBLIC:
        raise RegistryError(
            ErrorCode.FORBIDDEN,
            "Only hubs and coordinators filter by review state: anonymous callers see published records only.",
            asked.restricted[0],
        )
    unknown = [(path, value, f"{value!r} is not {FORMATS[shape][1]}") for path, value, shape in asked.malformed]
    if asked.refs:
        found = await ctx.loaders.records.load_many([ref for _, ref in asked.refs])
        unknown += [
            (path, ref.slug, f"there is no {KIND_LABELS[ref.kind].lower()} {ref.slug!r}")
            for (path, ref), record in zip(asked.refs, found, strict=True)
            if record is None
        ]
    if unknown:
        params = {
            "rule": Rule.UNKNOWN.value,
            "unknown": [{"field": path, "value": value} for path, value, _ in unknown],
        }
        message = "Unknown filter values: " + "; ".join(said for _, _, said in unknown) + "."
        raise RegistryError(ErrorCode.INVALID, message, unknown[0][0], params)


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

    def asked(self: Any) -> Asked:
        return _asked(specs, {spec.name: getattr(self, spec.name) for spec in specs})

    namespace["query"] = query
    namespace["asked"] = asked
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
