"""Generic filters and sorts (registry.store.columns) as SQL, rendered in this one place, with the
conditions that are on no single column (words, the kinds of involved actors)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import exists, func
from sqlmodel import col

from registry.domain.records import Rel
from registry.store.columns import NUMERIC, FieldFilter, Op, countable
from registry.store.port import RecordQuery
from registry.store.sql.tables import LinkRow, record_column


def condition(f: FieldFilter) -> Any:
    """`f` as a SQL condition on the records table: null columns match nothing, as in Cypher."""
    columns = [record_column(name) for name in f.columns]
    value = columns[0] if len(columns) == 1 else func.coalesce(*columns)
    if f.op is Op.IN:
        return value.in_(f.values)
    return value >= f.values[0] if f.op is Op.GE else value <= f.values[0]


def order(q: RecordQuery, bytewise: Callable[[Any], Any]) -> list[Any]:
    """ORDER BY terms: unknown values last, the sort column, then kind and slug (as the Neo4j store)."""
    name, nullable = q.sort_column()
    column = record_column(name)
    sort = column if name in NUMERIC else bytewise(column)
    terms = [sort.desc() if q.descending else sort.asc()]
    if nullable:
        terms.insert(0, column.is_(None))
    if len(q.kinds) > 1 or name != "slug":  # slugs are unique within a kind
        terms += [bytewise(record_column("kind")), bytewise(record_column("slug"))]
    # A list of one kind by slug is then read in the order of the (kind, review_state, slug) index.
    return terms


def counted(dimension: str) -> Any:
    """The column count_by groups on, or INVALID."""
    return record_column(countable(dimension))


def word(start: str) -> Any:
    """`start` begins a word of the record's text (search_text is padded with spaces)."""
    return record_column("search_text").contains(f" {start}")


def involves_actor_of_kind(kinds: tuple[str, ...]) -> Any:
    """The record is linked by INVOLVES to an actor of one of `kinds`."""
    actor = record_column("key").table.alias("actor")
    return exists().where(
        col(LinkRow.source_key) == record_column("key"),
        col(LinkRow.rel) == Rel.INVOLVES.value,
        actor.c.key == col(LinkRow.target_key),
        actor.c.subkind.in_(kinds),
    )
