"""A list's filter read from a URL's query string, into the GraphQL list's own filter input.

`/export/use-cases.csv?domains=energy&countries=FR&yearFrom=2018` names the filter fields as the
GraphQL list does (`useCases(filter: {domains: ["energy"], countries: ["FR"], yearFrom: 2018})`);
a list is written as repeated parameters or comma-separated, a box as `south,west,north,east`.
The values are turned into the filter input type the GraphQL layer generates
(`api.graphql.filters.FILTERS`), whose `query()` and `asked()` make the store query and the checks,
so the CSV selects exactly what the GraphQL list selects: one filter, one meaning.
"""

from __future__ import annotations

import enum
from typing import Any

from starlette.datastructures import QueryParams
from strawberry.utils.str_converters import to_camel_case

from registry.api.execution.context import Context, Loaders
from registry.api.graphql.filters import FILTERS, BoundingBoxInput, Sort, TextFilter, check_filter
from registry.domain.errors import ErrorCode, RegistryError, Rule
from registry.domain.records import ANONYMOUS
from registry.kinds import Filter, KindDecl
from registry.services.editing import Editing
from registry.store.port import PUBLIC, RecordQuery, Store

TEXT = "text"


def _invalid(path: str, message: str, value: str) -> RegistryError:
    params = {"rule": Rule.UNKNOWN.value, "unknown": [{"field": path, "value": value}]}
    return RegistryError(ErrorCode.INVALID, message, path, params)


def _items(params: QueryParams, name: str) -> list[str]:
    return [item.strip() for raw in params.getlist(name) for item in raw.split(",") if item.strip()]


def _member(vocabulary: type[enum.StrEnum], path: str, item: str) -> enum.StrEnum:
    """A vocabulary value by its API name (ENERGY_CONSUMPTION) or its stored value (energy_consumption)."""
    for member in vocabulary:
        if item in (member.name, member.value):
            return member
    allowed = ", ".join(m.name for m in vocabulary)
    raise _invalid(path, f"Unknown filter value {item!r} for {path}: one of {allowed}.", item)


def _value(spec: Filter, path: str, items: list[str]) -> Any:
    if spec.type in ("int", "at_least"):
        if len(items) != 1 or not items[0].lstrip("-").isdigit():
            raise _invalid(path, f"{path} takes one whole number.", ",".join(items))
        return int(items[0])
    if spec.type in ("within", "linked_within"):
        try:
            south, west, north, east = (float(item) for item in items)
        except ValueError:
            raise _invalid(path, f"{path} takes a box: south,west,north,east in degrees.", ",".join(items)) from None
        return BoundingBoxInput(south=south, west=west, north=north, east=east)
    if spec.vocabulary is not None:
        return [_member(spec.vocabulary, path, item) for item in items]
    return items


def read_filter(decl: KindDecl, params: QueryParams) -> Any:
    """The kind's GraphQL filter input built from `params`; INVALID for a parameter it does not take."""
    specs = {to_camel_case(spec.name): spec for spec in decl.filters}
    for name in params:
        if name != TEXT and name not in specs:
            known = ", ".join([*specs, TEXT])
            raise _invalid(
                f"filter.{name}", f"The {decl.label_en[1].lower()} list has no filter {name!r}: {known}.", name
            )
    text = params.get(TEXT)
    built = FILTERS.get(decl.kind)
    if built is None:
        return TextFilter(text=text)
    values = {
        spec.name: _value(spec, f"filter.{name}", _items(params, name))
        for name, spec in specs.items()
        if _items(params, name)
    }
    return built(**values, text=text)


async def checked_query(store: Store, decl: KindDecl, params: QueryParams) -> RecordQuery:
    """The store query of the filtered list, as the anonymous caller asks it: every unknown slug or
    malformed value is INVALID (the GraphQL list's own check), a restricted filter FORBIDDEN."""
    given = read_filter(decl, params)
    if isinstance(given, TextFilter):
        return given.query(decl.kind, Sort())
    ctx = Context(store, ANONYMOUS, PUBLIC, "", Editing(store), Loaders(store, PUBLIC))
    await check_filter(ctx, given.asked())
    query: RecordQuery = given.query(Sort())
    return query
