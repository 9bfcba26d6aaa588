"""The storage port's contract for facet counts: every store counts a filtered set the same way,
and each count is what the list filtered by that value holds."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

import pytest

from registry.domain.records import Kind, Record, Rel, ReviewState
from registry.kinds import DECLARATIONS, Facet
from registry.store.codec import columns
from registry.store.columns import facet_checked
from registry.store.port import EVERYTHING, PUBLIC, RecordQuery, Store, Visibility
from tests.contract.builders import create, domain, link, territory, text, use_case

FACETS = DECLARATIONS[Kind.USE_CASE].facets
ALL = RecordQuery(kinds=(Kind.USE_CASE,), visibility=EVERYTHING, limit=1000)


@pytest.fixture
def catalogue(store: Store) -> Store:
    """Given use cases with and without domains, territories, governance and data categories."""
    lyon, grenoble = territory("lyon"), territory("grenoble", territory_kind="metropolis")
    brussels = territory("bruxelles", country="BE", territory_kind="region")
    energy, mobility, health = domain("energy"), domain("mobility"), domain("health")
    shared = use_case(
        "energie-partagee",
        governance="personal_cloud",
        country="FR",
        data_categories=["energy_consumption", "location"],
        title=text("Shared energy"),
    )
    mobile = use_case("mobilite-douce", status="pilot", governance="unknown", country="FR", data_categories=[])
    care = use_case("sante-connectee", status="idea", country="BE", data_categories=["health"])
    bare = use_case("sans-rien", status="unknown")  # no domain, territory, country, governance or category
    citizen = use_case(
        "energie-citoyenne",
        status="pilot",
        country="FR",
        review_state=ReviewState.SUBMITTED,
        hub="hub-a",
        data_categories=["energy_consumption"],
    )
    create(
        store,
        [lyon, grenoble, brussels, energy, mobility, health, shared, mobile, care, bare, citizen],
        [
            link(shared, Rel.IN_DOMAIN, energy),
            link(shared, Rel.IN_DOMAIN, mobility),
            link(shared, Rel.IN_TERRITORY, lyon),
            link(shared, Rel.IN_TERRITORY, grenoble),
            link(mobile, Rel.IN_DOMAIN, mobility),
            link(mobile, Rel.IN_TERRITORY, grenoble),
            link(care, Rel.IN_DOMAIN, health),
            link(care, Rel.IN_TERRITORY, brussels),
            link(care, Rel.IN_TERRITORY, lyon),
            link(citizen, Rel.IN_DOMAIN, energy),
            link(citizen, Rel.IN_TERRITORY, lyon),
        ],
    )
    return store


def expected(store: Store, records: list[Record], facet: Facet) -> Counter[str | None]:
    """A facet's counts worked out from the records themselves, as the port defines them."""
    found: Counter[str | None] = Counter()
    for record in records:
        values: set[str | None]
        if facet.column == "review_state":
            values = {record.review_state.value}
        elif facet.column is not None:  # stores give values as text (a share in percent too)
            value = columns(record)[facet.column]
            values = {None if value is None else str(value)}
        elif facet.items is not None:
            values = set(record.data.get(facet.items) or ())
        else:
            links = [link for rel in facet.rels for link in store.links_from([record.ref], rel)]
            targets = store.get([link.target for link in links], EVERYTHING).values()
            values = {t.slug if facet.by == "slug" else columns(t)[facet.by] for t in targets}
        found.update(values or {None})
    return found


def counted(store: Store, query: RecordQuery) -> dict[str, Counter[str | None]]:
    rows = store.facet_counts(query, FACETS)
    return {facet.name: Counter(dict(found)) for facet, found in zip(FACETS, rows, strict=True)}


QUERIES = {
    "everything": ALL,
    "published": replace(ALL, visibility=PUBLIC),
    "a hub's": replace(ALL, visibility=Visibility(hub="hub-a")),
    "in France": replace(ALL, countries=("FR",)),
    "about energy": replace(ALL, domains=("energy",)),
    "in Lyon, live or pilot": replace(ALL, territories=("lyon",), statuses=("live", "pilot")),
    "nothing": replace(ALL, countries=("ZZ",)),
}


@pytest.mark.parametrize("name", QUERIES)
def test_facet_counts_are_those_of_the_filtered_records(catalogue: Store, name: str) -> None:
    query = QUERIES[name]
    records = catalogue.query(query).records
    counts = counted(catalogue, replace(query, limit=0))  # the page asked does not matter
    for facet in FACETS:
        assert counts[facet.name] == expected(catalogue, records, facet), facet.name
        if not facet.multi_valued:  # one value per record: the counts add up to the total
            assert sum(counts[facet.name].values()) == len(records), facet.name


def test_each_count_is_the_total_of_the_list_filtered_by_that_value(catalogue: Store) -> None:
    counts = counted(catalogue, ALL)
    narrowed = {"domains": "domains", "countries": "countries", "statuses": "statuses"}
    narrowed |= {"governance": "governance", "review_states": "review_states"}
    for facet_name, attribute in narrowed.items():
        for value, count in counts[facet_name].items():
            if value is None:
                continue
            only: dict[str, Any] = {attribute: (value,)}
            total = catalogue.query(replace(ALL, **only)).total
            assert total == count, (facet_name, value)


def test_the_unknown_buckets_hold_the_records_with_no_value(catalogue: Store) -> None:
    counts = counted(catalogue, ALL)
    assert counts["domains"][None] == 1  # sans-rien
    assert counts["governance"][None] == 3 and counts["governance"]["unknown"] == 1
    assert counts["data_categories"][None] == 2  # an empty list is no value
    assert counts["territory_kinds"] == Counter({"city": 3, "metropolis": 2, "region": 1, None: 1})
    assert counts["countries"][None] == 1


def test_every_declared_facet_is_one_the_stores_can_count() -> None:
    declared = [facet for decl in DECLARATIONS.values() for facet in decl.facets]
    assert declared and all(facet_checked(facet) is facet for facet in declared)
