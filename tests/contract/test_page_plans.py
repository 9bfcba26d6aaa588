"""A list page of one kind by slug, as an anonymous caller reads it (issue 15): every store answers
it in slug order, and Neo4j reads it in the order of its index on (kind, review_state, slug), with
neither a scan of the kind nor a sort of its records (the dearest part of the mixed workload's
Neo4j time at ×100)."""

from __future__ import annotations

import pytest

from registry.domain.records import Kind, ReviewState
from registry.store.port import EVERYTHING, PUBLIC, RecordQuery, SortKey, Store, Visibility
from tests.contract.builders import create, use_case
from tests.cypher_recorder import explained

HUB = "hub-a"
# Slugs written out of order, drafts between them, so that only a real sort or the index's order
# gives the page.
PUBLISHED = [f"uc-{n:02d}" for n in (7, 3, 11, 0, 9, 5, 1, 8, 10, 2, 6, 4)]
DRAFTS = ["uc-04b", "uc-00a", "uc-09z"]


@pytest.fixture
def listed(store: Store) -> Store:
    """Given published use cases and a hub's drafts, in no order."""
    records = [use_case(slug, f"Use case {slug}") for slug in PUBLISHED]
    records += [use_case(slug, f"Draft {slug}", review_state=ReviewState.DRAFT, hub=HUB) for slug in DRAFTS]
    create(store, records)
    return store


def _page(offset: int, descending: bool = False, visibility: Visibility = PUBLIC) -> RecordQuery:
    return RecordQuery(
        kinds=(Kind.USE_CASE,),
        sort=SortKey.SLUG,
        descending=descending,
        offset=offset,
        limit=5,
        visibility=visibility,
    )


@pytest.mark.parametrize("descending", [False, True])
def test_a_page_of_one_kind_by_slug_is_in_slug_order_with_its_total(listed: Store, descending: bool) -> None:
    ordered = sorted(PUBLISHED, reverse=descending)
    for offset in (0, 5, 10):
        page = listed.query(_page(offset, descending))
        assert [r.slug for r in page.records] == ordered[offset : offset + 5]
        assert page.total == len(PUBLISHED)


def test_who_may_see_drafts_gets_them_in_the_same_slug_order(listed: Store) -> None:
    for visibility in (Visibility(hub=HUB), EVERYTHING):
        page = listed.query(_page(0, visibility=visibility))
        assert [r.slug for r in page.records] == sorted(PUBLISHED + DRAFTS)[:5]
        assert page.total == len(PUBLISHED) + len(DRAFTS)


@pytest.mark.parametrize("store_kind", [pytest.param("neo4j", marks=pytest.mark.neo4j)])
@pytest.mark.parametrize("descending", [False, True])
def test_neo4j_reads_an_anonymous_page_in_its_index_order(listed: Store, descending: bool) -> None:
    from graph.store import Neo4jStore

    assert isinstance(listed, Neo4jStore)
    sent, operators = explained(listed, _page(5, descending))
    assert len(sent) == 1  # the total and the page, from one reading
    names = [op.split(" ")[0] for op in operators]
    seeks = [op for op in operators if op.startswith("NodeIndexSeek")]
    assert any("Record(kind, review_state, slug)" in op for op in seeks), operators
    assert not any(name.startswith(("Sort", "PartialSort", "Top", "NodeByLabelScan", "AllNodesScan")) for name in names)
