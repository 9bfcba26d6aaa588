"""Facet counts as SQL: one UNION ALL of a GROUP BY per facet over the records a query selects,
so the counts of a filtered list come in one round trip whatever the number of facets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, cast, func, literal, not_, select, true, union_all
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import col

from registry.kinds import Facet
from registry.store.columns import facet_checked
from registry.store.sql.tables import LinkRow, RecordRow, record_column


def _column(n: int, name: str, conditions: list[Any]) -> Any:
    column = record_column(name)
    return select(literal(n), cast(column, String), func.count()).where(*conditions).group_by(column)


def _linked(n: int, facet: Facet, conditions: list[Any]) -> list[Any]:
    """Records by the distinct slugs (or column) of the records they link to; those with no link as null."""
    # Aliases: a filter's own EXISTS on the links table must not correlate with this join's.
    target = RecordRow.__table__.alias("facet_target")  # type: ignore[attr-defined]
    link = LinkRow.__table__.alias("facet_link")  # type: ignore[attr-defined]
    rels = [rel.value for rel in facet.rels]
    pairs = (
        select(col(RecordRow.key).label("record"), target.c[facet.by].label("value"))
        .join(link, link.c.source_key == col(RecordRow.key))
        .join(target, target.c.key == link.c.target_key)
        .where(*conditions, link.c.rel.in_(rels))
        .distinct()
        .subquery()
    )
    valued = select(literal(n), cast(pairs.c.value, String), func.count()).group_by(pairs.c.value)
    linked = select(link.c.source_key).where(link.c.source_key == col(RecordRow.key), link.c.rel.in_(rels))
    none = select(literal(n), literal(None, String), func.count()).where(*conditions, not_(linked.exists()))
    return [valued, none]


def _items(n: int, name: str, conditions: list[Any], dialect: str) -> list[Any]:
    """Records by the items of a JSON list in their data (validation keeps them distinct); none as null."""
    if dialect == "postgresql":
        array = cast(col(RecordRow.data), JSONB)[name]
        elements = func.jsonb_array_elements_text(array).table_valued("value")
        size = func.jsonb_array_length(array)
    else:
        elements = func.json_each(col(RecordRow.data), f"$.{name}").table_valued("value")
        size = func.json_array_length(col(RecordRow.data), f"$.{name}")
    valued = (
        select(literal(n), cast(elements.c.value, String), func.count())
        .select_from(RecordRow)
        .join(elements, true())
        .where(*conditions)
        .group_by(elements.c.value)
    )
    none = select(literal(n), literal(None, String), func.count()).where(*conditions, func.coalesce(size, 0) == 0)
    return [valued, none]


def facet_statement(facets: Sequence[Facet], conditions: list[Any], dialect: str) -> Any:
    """Rows of (facet number, value or null, count)."""
    parts: list[Any] = []
    for n, facet in enumerate(facet_checked(f) for f in facets):
        if facet.column is not None:
            parts.append(_column(n, facet.column, conditions))
        elif facet.rels:
            parts += _linked(n, facet, conditions)
        elif facet.items is not None:
            parts += _items(n, facet.items, conditions, dialect)
    return union_all(*parts)
