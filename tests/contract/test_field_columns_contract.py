"""Every column a field spec declares is filtered, sorted and counted by every store, from the
declaration alone (registry.store.columns): the same records, in the same order, as a plain
Python reading of the records says."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import Kind, Record
from registry.kinds import KIND_FIELDS, FieldSpec, display_name
from registry.store.columns import (
    COLUMNS,
    FIELD_COLUMNS,
    NUMERIC,
    POINT_COLUMNS,
    FieldFilter,
    Op,
    any_of,
    at_least,
    at_most,
)
from registry.store.port import EVERYTHING, RecordQuery, Store
from tests.contract.builders import create, record, text

COLUMN_FIELDS = [
    pytest.param(kind, spec, id=f"{kind.value}.{spec.name}")
    for kind, specs in KIND_FIELDS.items()
    for spec in specs
    # scalar columns; a list column (Op.HAS) and a point (a box) are read by their own filters,
    # checked in tests/api/test_data_services.py and, store against store, in test_store_parity.py
    if spec.column is not None and spec.type not in ("enum_list", "str_list", "coordinates")
]


def _values(spec: FieldSpec) -> list[Any]:
    """Five values of the field, one of them missing when it may be, with a repeat (ties)."""
    if spec.column in NUMERIC:
        found: list[Any] = [2021, 2015, 2018, 2015, 2019]
    elif spec.values:
        found = [spec.values[-1], spec.values[0], spec.values[2 % len(spec.values)], spec.values[0], spec.values[1]]
    else:
        found = ["FR", "BE", "DE", "BE", "ES"]
    if not spec.required:
        found[2] = None
    return found


def _records(kind: Kind, spec: FieldSpec) -> list[Record]:
    name = display_name(kind)
    return [
        record(
            kind,
            f"{kind.value.lower()}-{n}",
            {name: text(f"Record {n}"), **({} if value is None else {spec.name: value})},
            minutes=n,
        )
        for n, value in enumerate(_values(spec))
    ]


def _ordered(records: list[Record], spec: FieldSpec, descending: bool) -> list[str]:
    """The port's order: unknown values last, the value (either way), then kind and slug."""
    known = [r for r in records if r.data.get(spec.name) is not None]
    unknown = [r for r in records if r.data.get(spec.name) is None]
    # Stable sorts: by slug first, then by value in the asked direction.
    known.sort(key=lambda r: (r.kind.value, r.slug))
    known.sort(key=lambda r: r.data[spec.name], reverse=descending)
    unknown.sort(key=lambda r: (r.kind.value, r.slug))
    return [r.slug for r in known + unknown]


def _slugs(store: Store, kind: Kind, **query: Any) -> list[str]:
    page = store.query(RecordQuery(kinds=(kind,), visibility=EVERYTHING, limit=100, **query))
    return [r.slug for r in page.records]


@pytest.mark.parametrize(("kind", "spec"), COLUMN_FIELDS)
def test_every_column_field_is_filtered_sorted_and_counted(store: Store, kind: Kind, spec: FieldSpec) -> None:
    # given records of the kind, each with a value of the field (or none)
    records = _records(kind, spec)
    create(store, records)
    column = spec.column
    assert column is not None
    values = _values(spec)
    middle = sorted({v for v in values if v is not None})[1]  # some values below it, some above

    def matching(test: Any) -> list[str]:
        return sorted(r.slug for r in records if r.data.get(spec.name) is not None and test(r.data[spec.name]))

    # then a filter on its column selects the records a plain reading selects
    wanted = (values[0], values[1])
    assert _slugs(store, kind, fields=(any_of(column, wanted),)) == matching(lambda v: v in wanted)
    if column in NUMERIC:
        assert _slugs(store, kind, fields=(at_least(middle, column),)) == matching(lambda v: v >= middle)
        assert _slugs(store, kind, fields=(at_most(middle, column),)) == matching(lambda v: v <= middle)
    # and sorting by it gives the port's order, unknown values last either way
    for descending in (False, True):
        assert _slugs(store, kind, sort=column, descending=descending) == _ordered(records, spec, descending)
    # and counting by it gives each value's count, missing ones as "unknown"
    counts = Counter("unknown" if v is None else str(v) for v in values)
    assert store.count_by(kind, column, EVERYTHING) == sorted(counts.items())


def test_filters_and_counts_on_undeclared_columns_are_refused(store: Store) -> None:
    with pytest.raises(RegistryError) as refused:
        FieldFilter(("data",), Op.IN, ("x",))
    assert refused.value.code is ErrorCode.INVALID
    with pytest.raises(RegistryError):
        store.count_by(Kind.USE_CASE, "data", EVERYTHING)
    with pytest.raises(RegistryError):
        store.query(RecordQuery(kinds=(Kind.USE_CASE,), sort="data"))


def test_the_column_list_is_the_declared_columns_plus_the_fixed_ones() -> None:
    declared = {spec.column for specs in KIND_FIELDS.values() for spec in specs if spec.column is not None}
    declared -= {"coordinates"}  # a point is kept as two columns
    assert {c.name for c in FIELD_COLUMNS} == declared | set(POINT_COLUMNS)
    # the fixed ones: a record's completeness (registry.kinds.completeness), its sort name and its search text
    assert [c.name for c in COLUMNS if c not in FIELD_COLUMNS] == ["completeness", "sort_name", "search_text"]


def test_neo4j_indexes_come_from_the_column_list_under_the_first_release_names() -> None:
    from graph.schema_versions import column_indexes, index_name

    names = {index_name(column) for column in column_indexes()}
    assert names == {f"record_{c}" for c in ("kind", "status", "subkind", "country", "governance", "review_state")} | {
        "record_sort_name",
        "record_completeness",  # added 2026-12-05 (Neo4j migration 4): created on opening, as every later column
    }
