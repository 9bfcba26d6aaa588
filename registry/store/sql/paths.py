"""The SQL side of the bidirectional path search (registry/store/bidirectional.py): one
statement reads the links of a whole frontier, in either direction, to the records the caller
may see (and, when asked, of the allowed kinds only); one more tells whether two frontiers
touch, and one counts a frontier's links, so that the search widens the cheaper side.

The frontier travels as one JSON array parameter, so a level of ten thousand records is one
statement, whatever the driver's limit on parameters.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Connection, String, bindparam, cast, func, literal_column, or_, union_all
from sqlalchemy import select as core_select  # sqlmodel's select is typed for a few columns only
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased
from sqlmodel import col

from registry.domain.records import Kind
from registry.store import bidirectional
from registry.store.port import Visibility
from registry.store.sql.linked import unindexed, visible
from registry.store.sql.tables import LinkRow, RecordRow


def shortest_path(
    connection: Connection,
    start: str,
    end: str,
    max_hops: int,
    visibility: Visibility,
    key_order: Any,
    kinds: Collection[Kind] | None = None,
) -> list[str] | None:
    """The store-wide first shortest path between two keys (Store.shortest_path), crossing only
    records `visibility` may see and, when `kinds` is given, only records of those kinds between
    the two ends.  The ends themselves are the caller's to check."""
    dialect = connection.dialect.name
    statement = _statement(dialect, visibility.everything, visibility.hub is None, kinds is not None)
    fixed: dict[str, Any] = {"hub": visibility.hub, "ends": [start, end]}
    if kinds is not None:
        fixed["kinds"] = sorted(kind.value for kind in kinds)

    def expand(frontier: Sequence[str]) -> list[tuple[str, str]]:
        rows = connection.execute(statement, {**fixed, "frontier": json.dumps(list(frontier))})
        return [(near, far) for near, far in rows]

    counting = _count_statement(dialect)

    def cost(frontier: Sequence[str]) -> int:
        # The frontier's links, visible or not: read from the links' two indexes only.
        return int(connection.execute(counting, {"frontier": json.dumps(list(frontier))}).scalar_one())

    meeting = _meet_statement(dialect)

    def meet(frontier: Sequence[str], other: Sequence[str]) -> list[tuple[str, str]]:
        # No record read: both frontiers hold only records the caller may cross.
        parameters = {"frontier": json.dumps(list(frontier)), "other": json.dumps(list(other))}
        return [(near, far) for near, far in connection.execute(meeting, parameters)]

    return bidirectional.shortest_path(start, end, max_hops, expand, key_order, cost, meet)


def _elements(dialect: str, name: str = "frontier") -> Any:
    """A frontier's keys as a table (column `value`) from its JSON array parameter."""
    if dialect == "postgresql":
        elements = func.json_array_elements_text(cast(bindparam(name, type_=String), postgresql.JSON))
    else:
        elements = func.json_each(bindparam(name, type_=String))
    return elements.table_valued("value")


@functools.lru_cache(maxsize=4)
def _meet_statement(dialect: str) -> Any:
    """Rows (near, far): `near` in the frontier, `far` in the other side's, linked either way."""
    halves: list[Any] = []
    for near, far in (
        (col(LinkRow.source_key), col(LinkRow.target_key)),
        (col(LinkRow.target_key), col(LinkRow.source_key)),
    ):
        frontier = _elements(dialect).alias("frontier")
        other = core_select(_elements(dialect, "other").alias("other").c.value)
        halves.append(
            core_select(near.label("near"), far.label("far"))
            .select_from(frontier)
            .join(LinkRow, near == literal_column("frontier.value"))
            .where(far.in_(other))
        )
    return union_all(*halves)


@functools.lru_cache(maxsize=4)
def _count_statement(dialect: str) -> Any:
    """One row: how many links touch the frontier, either way."""
    counts = []
    for near in (col(LinkRow.source_key), col(LinkRow.target_key)):
        frontier = _elements(dialect).alias("frontier")
        counts.append(
            core_select(func.count())
            .select_from(frontier)
            .join(LinkRow, near == literal_column("frontier.value"))
            .scalar_subquery()
        )
    return core_select(counts[0] + counts[1])


@functools.lru_cache(maxsize=16)
def _statement(dialect: str, everything: bool, public: bool, by_kind: bool) -> Any:
    """Rows (near, far): `near` in the frontier, `far` a record linked to it either way."""
    seen = Visibility(everything=everything, hub=None if public else "")
    halves: list[Any] = []
    for near, far, far_kind in (
        (col(LinkRow.source_key), col(LinkRow.target_key), col(LinkRow.target_kind)),
        (col(LinkRow.target_key), col(LinkRow.source_key), col(LinkRow.source_kind)),
    ):
        frontier = _elements(dialect).alias("frontier")
        record = aliased(RecordRow, name="crossed")
        # The frontier drives: each of its records is found by key in the links, then each
        # neighbour by key in the records.  `unindexed` keeps SQLite from starting at the
        # records of a review state instead (nearly every record is published).
        conditions: list[Any] = [visible(seen, record, unindexed, bindparam("hub"))]
        if by_kind:  # the kinds are on the links; the ends may be of any kind
            conditions.append(
                or_(far_kind.in_(bindparam("kinds", expanding=True)), far.in_(bindparam("ends", expanding=True)))
            )
        halves.append(
            core_select(near.label("near"), far.label("far"))
            .select_from(frontier)
            .join(LinkRow, near == literal_column("frontier.value"))
            .join(record, col(record.key) == far)
            .where(*conditions)
        )
    return union_all(*halves)
