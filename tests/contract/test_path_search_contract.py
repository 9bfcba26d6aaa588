"""Shortest paths against a reference that every store must equal: all shortest paths enumerated
in plain Python, the first by refs kept (Store.shortest_path's tie-break).

The random registries have "hubs": a few organisations present on most territories, as in a
large registry, where a one-sided search widens fastest and ties between equally short paths
are the rule.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Collection, Iterator

import pytest

from registry.domain.records import REL_KINDS, Kind, Link, Record, Ref, Rel, ReviewState
from registry.store.port import EVERYTHING, PUBLIC, Store, Visibility
from registry.store.rules import hidden
from registry.store.sql import paths
from registry.store.sql.store import SqlStore
from tests.conftest import MakeStore
from tests.contract.builders import actor, create, link, record, territory, use_case

HUB_A = Visibility(hub="hub-a")
KINDS = [Kind.TERRITORY, Kind.ACTOR, Kind.DOMAIN, Kind.USE_CASE, Kind.PRIORITY, Kind.WORKSHOP, Kind.EXPERIMENT]


def _reference(
    records: list[Record],
    links: list[Link],
    start: Ref,
    end: Ref,
    hops: int,
    visibility: Visibility,
    kinds: Collection[Kind] | None = None,
) -> list[Ref] | None:
    """Every shortest path enumerated, the smallest kept: no search shortcut shared with a store."""
    seen = {r.ref for r in records if not hidden(r.review_state.value, r.hub, visibility)}
    crossable = {ref for ref in seen if kinds is None or ref.kind in kinds} | {start, end}
    if start not in seen or end not in seen:
        return None
    neighbours: dict[Ref, set[Ref]] = defaultdict(set)
    for each in links:
        if {each.source, each.target} <= seen & crossable:
            neighbours[each.source].add(each.target)
            neighbours[each.target].add(each.source)
    to_end = {end: 0}  # a plain breadth-first search from the end
    level = [end]
    while level:
        following = []
        for ref in level:
            for n in neighbours[ref] - to_end.keys():
                to_end[n] = to_end[ref] + 1
                following.append(n)
        level = following
    if start not in to_end or to_end[start] > hops:
        return None

    def paths(here: Ref) -> Iterator[list[Ref]]:
        if here == end:
            yield [end]
            return
        for n in neighbours[here]:
            if to_end.get(n) == to_end[here] - 1:
                for rest in paths(n):
                    yield [here, *rest]

    return min(paths(start))


def _random_graph(seed: int) -> tuple[list[Record], list[Link]]:
    """A random registry of 36 records, some unpublished, with valid links and three hubs."""
    rng = random.Random(seed)
    records: list[Record] = []
    for n in range(36):
        kind = Kind.ACTOR if n < 3 else rng.choice(KINDS)  # the first three: the hubs
        slug = f"{rng.choice('ab')}{n:02d}"
        if kind is Kind.USE_CASE:
            state = rng.choice([ReviewState.PUBLISHED, ReviewState.DRAFT, ReviewState.SUBMITTED])
            records.append(use_case(slug, review_state=state, hub=rng.choice(["hub-a", "hub-b", None])))
        elif kind is Kind.ACTOR:
            records.append(actor(slug))
        else:
            records.append(record(kind, slug, {}))
    links = set()
    for hub in records[:3]:
        for each in records:
            if each.kind is Kind.TERRITORY and rng.random() < 0.7:
                links.add(link(hub, Rel.PRESENT_IN, each))
    for _ in range(50):
        source, target = rng.sample(records, 2)
        rels = [
            rel for rel, (sources, targets) in REL_KINDS.items() if source.kind in sources and target.kind in targets
        ]
        if rels:
            links.add(link(source, rng.choice(rels), target, rng.choice(["", "platform"])))
    return records, sorted(links)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_shortest_paths_equal_the_enumerated_reference(store: Store, seed: int) -> None:
    # given a random registry with hubs
    records, links = _random_graph(seed)
    create(store, records, links)
    # when every pair is asked, by every caller, under a short and a long hop limit
    starts, ends = records[::3], records[1::2]
    for start in starts:
        for end in ends:
            for visibility in (PUBLIC, HUB_A, EVERYTHING):
                for hops in (2, 6):
                    # then the store answers the reference's path: same length, same tie-break
                    expected = _reference(records, links, start.ref, end.ref, hops, visibility)
                    found = store.shortest_path(start.ref, end.ref, hops, visibility)
                    assert found == expected, (start.ref, end.ref, visibility, hops)


def test_a_long_path_through_a_hub_is_found_from_both_ends(store: Store) -> None:
    # given a chain of six territories joined by organisations, and a hub on all but the last
    places = [territory(f"t{n}") for n in range(6)]
    joiners = [actor(f"j{n}") for n in range(5)]
    hub = actor("everywhere")
    chain = [link(j, Rel.PRESENT_IN, places[n]) for n, j in enumerate(joiners)]
    chain += [link(j, Rel.PRESENT_IN, places[n + 1]) for n, j in enumerate(joiners)]
    create(store, [*places, *joiners, hub], chain + [link(hub, Rel.PRESENT_IN, p) for p in places[:5]])
    # then the hub shortens the way to t4, and only the chain reaches t5
    assert store.shortest_path(places[0].ref, places[4].ref, 6, PUBLIC) == [
        places[0].ref,
        hub.ref,
        places[4].ref,
    ]
    assert store.shortest_path(places[0].ref, places[5].ref, 4, PUBLIC) == [
        places[0].ref,
        hub.ref,
        places[4].ref,
        joiners[4].ref,
        places[5].ref,
    ]
    assert store.shortest_path(places[0].ref, places[5].ref, 3, PUBLIC) is None


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sql_store(request: pytest.FixtureRequest, make_store: MakeStore) -> SqlStore:
    made = make_store(request.param)
    assert isinstance(made, SqlStore)
    return made


@pytest.mark.parametrize("seed", [21, 22])
def test_a_path_restricted_to_some_kinds_between_its_ends(store: Store, seed: int) -> None:
    # given a random registry with hubs
    records, links = _random_graph(seed)
    create(store, records, links)
    allowed = frozenset({Kind.ACTOR, Kind.USE_CASE})
    # then the records between the ends are of the allowed kinds, whatever the ends' kinds
    for start in records[::3]:
        for end in records[1::2]:
            expected = _reference(records, links, start.ref, end.ref, 6, HUB_A, allowed)
            found = store.shortest_path(start.ref, end.ref, 6, HUB_A, kinds=allowed)
            assert found == expected, (start.ref, end.ref)
            assert found is None or all(ref.kind in allowed for ref in found[1:-1])


@pytest.mark.parametrize("seed", [11, 31])
def test_a_sql_level_that_leaves_the_hidden_records_out_as_a_set_answers_the_same(
    sql_store: SqlStore, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a random registry with hubs, and every level read as a wide one (see paths.WIDE_LEVEL)
    monkeypatch.setattr(paths, "WIDE_LEVEL", 0)
    records, links = _random_graph(seed)
    # and two territories linked only through a draft of no hub, which no hub may see
    islands, orphan = [territory("island-a"), territory("island-b")], use_case("orphan", review_state=ReviewState.DRAFT)
    records += [*islands, orphan]
    links += [link(orphan, Rel.IN_TERRITORY, each) for each in islands]
    create(sql_store, records, links)
    assert sql_store.shortest_path(islands[0].ref, islands[1].ref, 6, HUB_A) is None
    assert sql_store.shortest_path(islands[0].ref, islands[1].ref, 6, EVERYTHING) == [
        islands[0].ref,
        orphan.ref,
        islands[1].ref,
    ]
    # then the paths are the reference's, for every caller, with and without kinds
    for start in records[::3]:
        for end in records[1::2]:
            for visibility in (PUBLIC, HUB_A, EVERYTHING):
                for kinds in (None, frozenset({Kind.ACTOR, Kind.TERRITORY, Kind.USE_CASE})):
                    expected = _reference(records, links, start.ref, end.ref, 6, visibility, kinds)
                    found = sql_store.shortest_path(start.ref, end.ref, 6, visibility, kinds=kinds)
                    assert found == expected, (start.ref, end.ref, visibility, kinds)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_a_sql_search_that_counts_a_frontier_only_past_the_other_sides_answers_the_same(
    sql_store: SqlStore, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a random registry with hubs, and every count stopped one past the other side's cost
    # (at x1,000 that saves reading thousands of links; here it makes every side choice a close one)
    monkeypatch.setattr(paths, "_COUNT_AT_LEAST", 0)
    records, links = _random_graph(seed)
    create(sql_store, records, links)
    # then the paths are the reference's, for every caller and hop limit
    for start in records[::3]:
        for end in records[1::2]:
            for visibility in (PUBLIC, HUB_A, EVERYTHING):
                for hops in (2, 6):
                    expected = _reference(records, links, start.ref, end.ref, hops, visibility)
                    found = sql_store.shortest_path(start.ref, end.ref, hops, visibility)
                    assert found == expected, (start.ref, end.ref, visibility, hops)
