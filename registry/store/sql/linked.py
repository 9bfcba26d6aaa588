"""The SQL statement behind `SqlStore.linked`: several groups of linked records in one round trip.

Each group ranks its visible linked records per near record by slug on narrow columns, keeps
the first ones, and only then reads their whole rows: a territory with 500 organisations
costs a sort of 500 keys, not of 500 records.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import bindparam, func, literal, or_, union_all
from sqlalchemy import select as core_select  # sqlmodel's select is typed for a few columns only
from sqlalchemy.orm import aliased
from sqlmodel import col

from registry.domain.records import JSON, Kind, Rel, ReviewState
from registry.store.port import LinkGroup, Visibility
from registry.store.sql.tables import LinkRow, RecordRow

# What a record read needs: not the indexed copies (search_text, sort_name…), which are large.
READ_COLUMNS = ("kind", "slug", "data", "sources", "version", "created_at", "updated_at", "review_state", "hub")


def visible(visibility: Visibility, row: Any = RecordRow, column: Callable[[Any], Any] = col, hub: Any = None) -> Any:
    """store_rules.hidden as SQL: everything, or published, or published and the caller hub's own
    (`hub`: the hub's value or parameter, by default the visibility's)."""
    if visibility.everything:
        return True
    published = column(row.review_state) == ReviewState.PUBLISHED.value
    if visibility.hub is None:
        return published
    return or_(published, column(row.hub) == (visibility.hub if hub is None else hub))


def unindexed(attribute: Any) -> Any:
    """The column as an expression no index serves (`x || ''`): SQLite's planner, without statistics,
    would otherwise start from every record of a kind and probe its links, thousands of rows for a
    page of twenty, instead of following the few links to their records by key."""
    return col(attribute).op("||")("")


def linked_statement(groups: Sequence[LinkGroup], visibility: Visibility, dialect: str) -> tuple[Any, JSON]:
    """The statement for these groups and its parameters: rows (grp, near, role, place, total, record
    columns…), `place` counting from 1.  Statements are built once per shape (SQLAlchemy takes
    longer to build this one than SQLite takes to run it) and then reused with new parameters."""
    shape = tuple((g.direction, g.rel, g.kind, g.first is not None) for g in groups)
    seen = "everything" if visibility.everything else ("public" if visibility.hub is None else "hub")
    params: JSON = {"hub": visibility.hub}
    for n, group in enumerate(groups):
        params[f"refs{n}"] = sorted({str(r) for r in group.refs})
        params[f"first{n}"] = group.first
    return _statement(shape, seen, dialect), params


@functools.lru_cache(maxsize=256)
def _statement(shape: tuple[tuple[str, Rel, Kind, bool], ...], seen: str, dialect: str) -> Any:
    visibility = Visibility(everything=seen == "everything", hub="" if seen == "hub" else None)
    parts = []
    for n, (direction, rel, kind, has_first) in enumerate(shape):
        near, far, far_kind = col(LinkRow.source_key), col(LinkRow.target_key), col(LinkRow.target_kind)
        if direction == "to":
            near, far, far_kind = far, near, col(LinkRow.source_kind)
        links = (
            core_select(near.label("near"), far.label("far"), col(LinkRow.role).label("role"))
            .where(
                col(LinkRow.rel) == rel.value,
                near.in_(bindparam(f"refs{n}", expanding=True)),
                far_kind == kind.value,  # on the link: records of other kinds are never read
            )
            .cte(f"links{n}")
        )
        linked = aliased(RecordRow, name=f"linked{n}")
        slug = col(linked.slug).collate("C") if dialect == "postgresql" else col(linked.slug)  # code-point order
        window: dict[str, Any] = {"partition_by": links.c.near}
        ranked = (
            core_select(
                literal(n).label("grp"),
                links.c.near,
                links.c.far,
                links.c.role,
                func.row_number().over(**window, order_by=slug).label("place"),
                func.count().over(**window).label("total"),
            )
            .join(linked, col(linked.key) == links.c.far)
            .where(visible(visibility, linked, unindexed, bindparam("hub")))
            .subquery(f"ranked{n}")
        )
        record_columns = [col(getattr(RecordRow, name)) for name in READ_COLUMNS]
        part = core_select(ranked.c.grp, ranked.c.near, ranked.c.role, ranked.c.place, ranked.c.total, *record_columns)
        part = part.join(RecordRow, col(RecordRow.key) == ranked.c.far)
        if has_first:
            part = part.where(ranked.c.place <= bindparam(f"first{n}"))
        parts.append(part)
    return union_all(*parts) if len(parts) > 1 else parts[0]
