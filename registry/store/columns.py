"""The indexed columns every store keeps for a record, and the generic filters over them.

One list, `COLUMNS`, made from the field specs (`FieldSpec.column` in
`registry.domain.vocabulary`) plus the fixed `sort_name` and `search_text`:
`codec.columns` fills them, the SQL table declares them (`registry.store.sql.tables`),
the Neo4j store keeps them as node properties and indexes them
(`graph.schema_versions`).  A query filters them through `FieldFilter`s, which each
store renders once (`registry.store.sql.filters`, `graph.cypher.field_condition`),
so no store has code for a particular column.

Adding a filterable column:

1. give the field spec a `column` (and `indexed` when the default does not fit): every
   store now fills, filters, sorts and counts it;
2. SQL: run `registry make-migration "what changed"`: it compares the tables the code
   declares with a database at the newest revision (Alembic autogenerate) and writes the
   revision that adds the column and its index to registry/store/sql/migrations/versions.
   Read it, format it as the project's code and commit it: tests/test_migrations.py fails
   until the migrations make the declared tables;
3. Neo4j: nothing to write: opening a store creates the index of every indexed column
   that is missing (`graph.schema_versions.column_indexes`).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import Rel
from registry.kinds import KIND_FIELDS, Facet, FieldSpec

_NAME = re.compile(r"[a-z][a-z0-9_]*")  # column names are spliced into SQL and Cypher: plain identifiers only
_TYPES = {"int": "int", "float": "float"}  # a field's type -> its column's; anything else is kept as text
_LISTS = frozenset({"enum_list", "str_list"})  # kept as one text column, each value between spaces (Op.HAS)
# A point (a territory's coordinates) is kept as two float columns, filtered by a bounding box.
POINT_COLUMNS = ("latitude", "longitude")


@dataclass(frozen=True)
class Column:
    """One indexed column: `type` is str, int or float."""

    name: str
    type: str
    indexed: bool
    nullable: bool = True


def _columns_of(spec: FieldSpec) -> list[Column]:
    if spec.column is None:
        return []
    if spec.type == "coordinates":
        return [Column(name, "float", indexed=spec.indexed or False) for name in POINT_COLUMNS]
    type_ = _TYPES.get(spec.type, "str")
    # Numbers are compared as ranges, which a plain index helps little: unindexed unless asked; a list
    # is searched inside its text, which a plain index does not help either.
    indexed = spec.indexed if spec.indexed is not None else type_ == "str" and spec.type not in _LISTS
    return [Column(spec.column, type_, indexed)]


def column_values(spec: FieldSpec, value: Any) -> dict[str, Any]:
    """What a field's value puts in its columns (unknown: null), as every store keeps it."""
    if spec.type == "coordinates":
        point = value if isinstance(value, dict) else {}
        return {name: point.get(name) for name in POINT_COLUMNS}
    if spec.type in _LISTS:
        return {str(spec.column): f" {' '.join(value)} " if value else None}
    return {str(spec.column): value}


def _field_columns() -> tuple[Column, ...]:
    found: dict[str, Column] = {}
    for specs in KIND_FIELDS.values():
        for spec in specs:
            for column in _columns_of(spec):
                _add(found, column)
    return tuple(found.values())


def _add(found: dict[str, Column], column: Column) -> None:
    if not _NAME.fullmatch(column.name):
        raise ValueError(f"column {column.name!r} is not a plain lower-case identifier")
    known = found.get(column.name)
    if known is not None and (known.type, known.indexed) != (column.type, column.indexed):
        raise ValueError(f"column {column.name!r} is declared twice, differently ({known} and {column})")
    found[column.name] = column


FIELD_COLUMNS = _field_columns()
# Derived from the whole record rather than one field (registry.kinds.completeness): the share of its
# declared fields holding a sourced value, in whole percent, which lists filter, sort and count by.
COMPLETENESS = Column("completeness", "int", indexed=True)
COLUMNS = (
    *FIELD_COLUMNS,
    COMPLETENESS,
    Column("sort_name", "str", indexed=True, nullable=False),
    Column("search_text", "str", indexed=False, nullable=False),  # full-text search has its own index
)
BY_NAME = {c.name: c for c in COLUMNS}
NUMERIC = frozenset(c.name for c in COLUMNS if c.type != "str")
# What a query may filter and count on: the field columns and two of every record's own.
FILTERABLE = frozenset({*(c.name for c in FIELD_COLUMNS), COMPLETENESS.name, "review_state", "hub"})
# A record's domains and territories, as filters and counts read them: the relations leading there.
LINKED_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "domain": (Rel.IN_DOMAIN.value,),
    "territory": (Rel.IN_TERRITORY.value, Rel.PRESENT_IN.value),  # an organisation's, a use case's…
}
# What `Store.count_by` may group by: the field columns, and a link's far end (domain, territory).
COUNTABLE = frozenset({*(c.name for c in FIELD_COLUMNS), COMPLETENESS.name, *LINKED_DIMENSIONS})
# What a query may sort on besides the SortKeys: any field column (the API picks which to offer).
SORTABLE = frozenset({*(c.name for c in FIELD_COLUMNS), COMPLETENESS.name})


class Op(enum.StrEnum):
    IN = "in"  # any of the values
    GE = "ge"  # at least the one value (ranges: int or float)
    LE = "le"  # at most the one value
    HAS = "has"  # the column keeps a list (see column_values) holding any of the values


@dataclass(frozen=True)
class FieldFilter:
    """A condition on indexed columns: the first of `columns` that is not null compared by `op`.

    Several columns make a coalesce: a use case is active in a year if its end (or, unknown,
    its start) is not before it.  A record whose columns are all null matches no filter.
    """

    columns: tuple[str, ...]
    op: Op
    values: tuple[Any, ...]

    def __post_init__(self) -> None:
        unknown = [c for c in self.columns if c not in FILTERABLE]
        if not self.columns or unknown:
            raise RegistryError(ErrorCode.INVALID, f"Records cannot be filtered by {unknown or 'nothing'}.", "filter")
        if self.op not in (Op.IN, Op.HAS) and len(self.values) != 1:
            raise ValueError(f"a {self.op} filter compares with one value, not {self.values!r}")


def any_of(column: str, values: tuple[Any, ...]) -> FieldFilter:
    return FieldFilter((column,), Op.IN, values)


def holds_any(column: str, values: tuple[Any, ...]) -> FieldFilter:
    return FieldFilter((column,), Op.HAS, values)


@dataclass(frozen=True)
class LinkFilter:
    """The record links (as the source, by one of `rels`) to a record whose key ("Kind:slug") is
    one of `keys`, when given, and whose columns meet every one of `fields`."""

    rels: tuple[str, ...]
    keys: tuple[str, ...] = ()
    fields: tuple[FieldFilter, ...] = ()


def at_least(value: Any, *columns: str) -> FieldFilter:
    return FieldFilter(columns, Op.GE, (value,))


def at_most(value: Any, *columns: str) -> FieldFilter:
    return FieldFilter(columns, Op.LE, (value,))


def bbox(
    latitude: str, longitude: str, south: float, west: float, north: float, east: float
) -> tuple[FieldFilter, ...]:
    """Records whose (latitude, longitude) columns lie in the box, edges included (no antimeridian wrap)."""
    return (
        at_least(south, latitude),
        at_most(north, latitude),
        at_least(west, longitude),
        at_most(east, longitude),
    )


def countable(dimension: str) -> str:
    """The column to count by, or INVALID (the name is then safe to splice into a statement)."""
    if dimension not in COUNTABLE:
        raise RegistryError(ErrorCode.INVALID, f"Records cannot be counted by {dimension!r}.", "dimension")
    return dimension


def facet_checked(facet: Facet) -> Facet:
    """`facet` if the stores can count it safely (its names are spliced into statements), else INVALID."""
    sources = [facet.column is not None, bool(facet.rels), facet.items is not None]
    plain = (
        (facet.column is None or facet.column in FILTERABLE)
        and (facet.by == "slug" or facet.by in FILTERABLE)
        and (facet.items is None or _NAME.fullmatch(facet.items) is not None)
    )
    if sum(sources) != 1 or not plain:
        raise RegistryError(ErrorCode.INVALID, f"Records cannot be counted by {facet.name!r}.", "facets")
    return facet
