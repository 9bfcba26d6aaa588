"""The storage port's contract for history and completeness: every store keeps the facts a write
records in its audit entry, and filters, sorts and counts records by their completeness alike."""

from __future__ import annotations

from collections import Counter

import pytest

from registry.domain.records import Kind, Principal, Record, Ref, Rel, Role, Source
from registry.kinds import DECLARATIONS
from registry.kinds.completeness import COMPLETENESS_FACET, band, completeness
from registry.services.editing import Change, Editing
from registry.services.versions import history
from registry.store.columns import at_least
from registry.store.port import EVERYTHING, PUBLIC, RecordQuery, SortKey, Store
from tests.contract.builders import create, domain, record, territory, text

COORDINATOR = Principal(Role.COORDINATOR, key_id="k1")
HOME = (Source("https://example.org/", "A home page", None, None, "No deeper page states it."),)


@pytest.fixture
def measured(store: Store) -> list[Record]:
    """Given territories from nearly empty to full, and one citing a home page only."""
    bare = record(
        Kind.TERRITORY,
        "bare",
        {"name": text("Bare"), "territory_kind": "city", "country": "FR", "programme_status": "unknown"},
    )
    some = territory("some")
    full = territory(
        "full",
        summary=text("All of it"),
        coordinates={"latitude": 45.0, "longitude": 4.0},
        population=1000,
        priorities_defined=False,
        positions={"data_controller": "It runs one."},
    )
    home = Record(Kind.TERRITORY, "home", dict(some.data), HOME, created_at=some.created_at, updated_at=some.updated_at)
    records = [bare, some, full, home]
    create(store, [*records, domain("energy")])
    return records


def _percent(r: Record) -> int:
    return completeness(DECLARATIONS[r.kind], r).percent


def test_completeness_is_the_share_of_declared_fields_holding_a_sourced_value(measured: list[Record]) -> None:
    bare, some, full, home = (completeness(DECLARATIONS[Kind.TERRITORY], r) for r in measured)
    assert bare.declared == 10  # name, summary, kind, country, coordinates, population, languages, status,…
    assert bare.sourced == ("name", "kind", "country") and "programmeStatus" in bare.unknown  # "unknown" states nothing
    assert full.percent == 100 and full.unknown == ()  # False is a stated value
    assert some.percent == 50 and not some.home_page_only
    assert home.percent == some.percent and home.home_page_only


def test_every_store_filters_and_sorts_by_completeness(store: Store, measured: list[Record]) -> None:
    query = RecordQuery(kinds=(Kind.TERRITORY,), visibility=PUBLIC, sort=SortKey.COMPLETENESS, descending=True)
    page = store.query(query)
    assert [r.slug for r in page.records] == ["full", "home", "some", "bare"]  # ties by slug
    half = store.query(RecordQuery(kinds=(Kind.TERRITORY,), fields=(at_least(50, "completeness"),)))
    assert sorted(r.slug for r in half.records) == sorted(r.slug for r in measured if _percent(r) >= 50)


def test_every_store_counts_completeness_in_quarters_adding_up_to_the_total(
    store: Store, measured: list[Record]
) -> None:
    query = RecordQuery(kinds=(Kind.TERRITORY,), visibility=EVERYTHING)
    [rows] = store.facet_counts(query, [COMPLETENESS_FACET])
    counted: Counter[str] = Counter()
    for value, count in rows:
        counted[band(int(value or 0))] += count
    assert counted == Counter(band(_percent(r)) for r in measured)
    assert sum(counted.values()) == store.query(query).total


def test_every_store_keeps_the_facts_of_each_write_for_the_history(store: Store, measured: list[Record]) -> None:
    # given a territory updated twice through the editing service, then linked in an update of another kind
    editing = Editing(store)
    some = store.get([Ref(Kind.TERRITORY, "some")], EVERYTHING)[Ref(Kind.TERRITORY, "some")]
    one = editing.update(COORDINATOR, some.ref, some.version, Change(fields={"population": 1200}), None)
    editing.update(
        COORDINATOR, one.ref, one.version, Change(sources=[{"url": "https://example.org/p", "title": "P"}]), None
    )
    # when its history is read back from the store
    now = store.get([some.ref], EVERYTHING)[some.ref]
    versions = history(store, now, PUBLIC, 10)
    # then both changes are there, newest first, each with its sources then
    assert [v.version for v in versions] == [3, 2]
    assert [(c.field, c.before, c.after) for c in versions[1].changes] == [("population", None, 1200)]
    assert [c.field for c in versions[0].changes] == ["sources"]
    assert versions[0].sources == ({"url": "https://example.org/p", "title": "P"},)
    assert versions[1].sources == ({"url": "https://example.org/source", "title": "A source"},)


def test_every_store_keeps_links_in_the_facts(store: Store, measured: list[Record]) -> None:
    editing = Editing(store)
    created = editing.create(
        COORDINATOR,
        Kind.PRIORITY,
        Change(
            fields={"title": text("Energy"), "priority_kind": "self_data", "status": "validated"},
            links=[(Rel.IN_TERRITORY, [(Ref(Kind.TERRITORY, "some"), "")])],
            slug="energy-priority",
        ),
        None,
    )
    moved = editing.update(
        COORDINATOR,
        created.ref,
        created.version,
        Change(
            links=[
                (Rel.IN_TERRITORY, [(Ref(Kind.TERRITORY, "full"), "")]),
                (Rel.IN_DOMAIN, [(Ref(Kind.DOMAIN, "energy"), "")]),
            ]
        ),
        None,
    )
    versions = history(store, moved, PUBLIC, 10)
    assert ("territory", ["some"], ["full"]) in [(c.field, c.before, c.after) for c in versions[0].changes]
    assert ("domains", [], ["energy"]) in [(c.field, c.before, c.after) for c in versions[0].changes]
    assert ("territory", None, ["some"]) in [(c.field, c.before, c.after) for c in versions[1].changes]
