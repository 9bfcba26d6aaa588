"""Generic filters and sorts (registry.store.columns) as SQL, rendered in this one place, with the
conditions on linked records and on words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import exists, func, or_
from sqlmodel import col

from registry.store.columns import NUMERIC, FieldFilter, LinkFilter, Op, countable
from registry.store.port import RecordQuery
from registry.store.sql.tables import LinkRow, record_column


def condition(f: FieldFilter, table: Any = None) -> Any:
    """`f` as a SQL condition on the records table (or an alias of it): null columns match nothing, as in Cypher."""
    columns = [record_column(name) if table is None else table.c[name] for name in f.columns]
    value = columns[0] if len(columns) == 1 else func.coalesce(*columns)
    if f.op is Op.IN:
        return value.in_(f.values)
    if f.op is Op.HAS:  # a list column keeps each value between spaces
        return or_(*(value.contains(f" {v} ") for v in f.values))
    return value >= f.values[0] if f.op is Op.GE else value <= f.values[0]


def linked(f: LinkFilter) -> Any:
    """`f` as a SQL condition on the records table: a link leaves the record to a matching one."""
    conds = [col(LinkRow.source_key) == record_column("key"), col(LinkRow.rel).in_(f.rels)]
    if f.keys:
        conds.append(col(LinkRow.target_key).in_(f.keys))
    if f.fields:
        far = record_column("key").table.alias("far")
        conds.append(far.c.key == col(LinkRow.target_key))
        conds += [condition(field, far) for field in f.fields]
    return exists().where(*conds)


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
