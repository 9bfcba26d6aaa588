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
import typing
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Connection, String, bindparam, cast, func, literal_column, or_, union_all
from sqlalchemy import select as core_select  # sqlmodel's select is typed for a few columns only
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased
from sqlmodel import col

from registry.domain.records import Kind, ReviewState
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
    dialect, public = connection.dialect.name, visibility.hub is None
    by_record, by_set = (_statement(dialect, visibility.everything, public, kinds is not None, wide) for wide in (0, 1))
    fixed: dict[str, Any] = {"hub": visibility.hub, "ends": [start, end]}
    if kinds is not None:
        fixed["kinds"] = sorted(kind.value for kind in kinds)
    hidden: list[str] = []  # read once, by the first wide level

    def expand(frontier: Sequence[str], links: int) -> Sequence[tuple[str, str]]:
        parameters = {**fixed, "frontier": json.dumps(list(frontier))}
        statement = by_record
        if links >= WIDE_LEVEL and not visibility.everything:
            if not hidden:
                hidden.append(json.dumps(list(connection.execute(_hidden_keys(public), fixed).scalars())))
            parameters["hidden"], statement = hidden[0], by_set
        return _pairs(connection.execute(statement, parameters).all())

    counting = _count_statement(dialect)

    def cost(frontier: Sequence[str], bound: int | None) -> int:
        # The frontier's links, visible or not: read from the links' two indexes only, and only
        # one past the bound (past the other side's cost, this side's exact count is not needed),
        # or a few hundred: counting those costs less than one more round trip.
        most = _UNBOUNDED if bound is None else max(bound + 1, _COUNT_AT_LEAST)
        parameters = {"frontier": json.dumps(list(frontier)), "most": most}
        return int(connection.execute(counting, parameters).scalar_one())

    meeting = _meet_statement(dialect)

    def meet(frontier: Sequence[str], other: Sequence[str]) -> Sequence[tuple[str, str]]:
        # No record read: both frontiers hold only records the caller may cross.
        parameters = {"frontier": json.dumps(list(frontier)), "other": json.dumps(list(other))}
        return _pairs(connection.execute(meeting, parameters).all())

    return bidirectional.shortest_path(start, end, max_hops, expand, key_order, cost, meet, WIDE_LEVEL)


def _pairs(rows: Sequence[Any]) -> Sequence[tuple[str, str]]:
    """Rows (near, far) as they come: a row unpacks as a tuple does, and copying ten thousand
    of them into tuples would cost more than the search's own work on them."""
    return typing.cast("Sequence[tuple[str, str]]", rows)


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
            # `unindexed`: the frontier drives.  Else SQLite may start from the other side's links
            # by index and scan the frontier for each one: seconds when both sides are wide.
            .where(unindexed(far).in_(other))
        )
    return union_all(*halves)


_UNBOUNDED = 2**62  # a LIMIT that never binds (SQLite takes no NULL there)
_COUNT_AT_LEAST = 512


@functools.lru_cache(maxsize=4)
def _count_statement(dialect: str) -> Any:
    """One row: how many links touch the frontier, either way, counting `most` at most."""
    halves: list[Any] = []
    for near in (col(LinkRow.source_key), col(LinkRow.target_key)):
        frontier = _elements(dialect).alias("frontier")
        halves.append(
            core_select(literal_column("1").label("one"))
            .select_from(frontier)
            .join(LinkRow, near == literal_column("frontier.value"))
        )
    links = union_all(*halves).limit(bindparam("most")).subquery("touching")
    return core_select(func.count()).select_from(links)


# From this many links on, a level leaves the hidden records out as a set read once per search,
# instead of reading the record at the end of every link (a third of the work at x1,000, where a
# level through a policy domain reads 15,000 links); below it, reading that set would cost more.
WIDE_LEVEL = 2000


@functools.lru_cache(maxsize=32)
def _statement(dialect: str, everything: bool, public: bool, by_kind: bool, by_set: int) -> Any:
    """Rows (near, far): `near` in the frontier, `far` a record the caller may cross linked to it
    either way; `by_set`: the hidden records come as the parameter `hidden` (see WIDE_LEVEL)."""
    seen = Visibility(everything=everything, hub=None if public else "")
    halves: list[Any] = []
    for near, far, far_kind in (
        (col(LinkRow.source_key), col(LinkRow.target_key), col(LinkRow.target_kind)),
        (col(LinkRow.target_key), col(LinkRow.source_key), col(LinkRow.source_kind)),
    ):
        frontier = _elements(dialect).alias("frontier")
        half: Any = core_select(near.label("near"), far.label("far")).select_from(frontier)
        half = half.join(LinkRow, near == literal_column("frontier.value"))
        if by_set and not everything:
            half = half.where(far.not_in(core_select(_elements(dialect, "hidden").alias("hidden").c.value)))
        elif not everything:
            # The frontier drives: each of its records is found by key in the links, then each
            # neighbour by key in the records.  `unindexed` keeps SQLite from starting at the
            # records of a review state instead (nearly every record is published).
            record = aliased(RecordRow, name="crossed")
            half = half.join(record, col(record.key) == far)
            half = half.where(visible(seen, record, unindexed, bindparam("hub")))
        if by_kind:  # the kinds are on the links; the ends may be of any kind
            allowed = far_kind.in_(bindparam("kinds", expanding=True))
            half = half.where(or_(allowed, far.in_(bindparam("ends", expanding=True))))
        halves.append(half)
    return union_all(*halves)


@functools.lru_cache(maxsize=2)
def _hidden_keys(public: bool) -> Any:
    """The keys of the records hidden from the caller: store.rules.hidden as SQL, the negative
    of linked.visible (unpublished, and for a hub not its own)."""
    unpublished = [state.value for state in ReviewState if state is not ReviewState.PUBLISHED]
    hidden = core_select(col(RecordRow.key)).where(col(RecordRow.review_state).in_(unpublished))
    if not public:
        hidden = hidden.where(or_(col(RecordRow.hub).is_(None), col(RecordRow.hub) != bindparam("hub")))
    return hidden
