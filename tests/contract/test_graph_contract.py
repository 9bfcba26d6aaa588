"""The storage port's contract for graph reads: links, shortest paths and the rankings' facts."""

from __future__ import annotations

import random

import pytest

from registry.domain import REL_KINDS, Kind, Link, Record, Ref, Rel, ReviewState
from registry.store import EVERYTHING, PUBLIC, Store, TerritoryFacts, UseCaseFacts, Visibility
from tests.conftest import MakeStore
from tests.contract.builders import actor, create, domain, link, priority, record, territory, use_case

HUB_A = Visibility(hub="hub-a")


# -- links ---------------------------------------------------------------------------------------


def test_links_are_found_from_their_source_or_their_target_sorted(store: Store) -> None:
    # given
    lyon, grenoble = territory("lyon"), territory("grenoble")
    cozy, enedis, zenon = actor("cozy"), actor("enedis"), actor("zenon")
    links = [
        link(zenon, Rel.PRESENT_IN, lyon, "member"),
        link(cozy, Rel.PRESENT_IN, lyon, "platform"),
        link(enedis, Rel.PRESENT_IN, grenoble),
        link(cozy, Rel.PRESENT_IN, grenoble),
    ]
    create(store, [lyon, grenoble, cozy, enedis, zenon], links)
    # then
    assert store.links_to([lyon.ref, grenoble.ref], Rel.PRESENT_IN) == sorted(links)
    assert store.links_to([lyon.ref], Rel.PRESENT_IN) == [links[1], links[0]]
    assert store.links_from([cozy.ref], Rel.PRESENT_IN) == [links[3], links[1]]
    assert store.links_from([cozy.ref], Rel.INVOLVES) == []
    assert store.links_from([], Rel.PRESENT_IN) == []
    assert store.links_to([actor("nobody").ref], Rel.PRESENT_IN) == []


# -- shortest paths ------------------------------------------------------------------------------


@pytest.fixture
def network(store: Store) -> Store:
    """Given lyon and grenoble, joined in 4 hops through published records, in 3 through a draft.

    lyon <-IN_TERRITORY- open-a -INVOLVES-> shared <-INVOLVES- open-b -IN_TERRITORY-> grenoble
    lyon <-IN_TERRITORY- draft (hub-a) -INVOLVES-> helper -PRESENT_IN-> grenoble
    """
    lyon, grenoble = territory("lyon"), territory("grenoble")
    shared, helper = actor("shared"), actor("helper")
    open_a, open_b = use_case("open-a"), use_case("open-b")
    draft = use_case("draft", review_state=ReviewState.DRAFT, hub="hub-a")
    create(
        store,
        [lyon, grenoble, shared, helper, open_a, open_b, draft],
        [
            link(open_a, Rel.IN_TERRITORY, lyon),
            link(open_a, Rel.INVOLVES, shared),
            link(open_b, Rel.INVOLVES, shared),
            link(open_b, Rel.IN_TERRITORY, grenoble),
            link(draft, Rel.IN_TERRITORY, lyon),
            link(draft, Rel.INVOLVES, helper),
            link(helper, Rel.PRESENT_IN, grenoble),
        ],
    )
    return store


def _path(
    store: Store, start: Record | str, end: Record | str, hops: int = 6, visibility: Visibility = PUBLIC
) -> list[str] | None:
    refs = store.shortest_path(_of(start).ref, _of(end).ref, hops, visibility)
    return None if refs is None else [str(r) for r in refs]


def _of(value: Record | str) -> Record:
    return value if isinstance(value, Record) else territory(value)


def test_a_path_avoids_records_the_caller_may_not_see(network: Store) -> None:
    public = ["Territory:lyon", "UseCase:open-a", "Actor:shared", "UseCase:open-b", "Territory:grenoble"]
    through_draft = ["Territory:lyon", "UseCase:draft", "Actor:helper", "Territory:grenoble"]
    assert _path(network, "lyon", "grenoble") == public
    assert _path(network, "lyon", "grenoble", visibility=Visibility(hub="hub-b")) == public
    assert _path(network, "lyon", "grenoble", visibility=HUB_A) == through_draft
    assert _path(network, "lyon", "grenoble", visibility=EVERYTHING) == through_draft
    # and links are followed in either direction
    assert _path(network, "grenoble", "lyon") == list(reversed(public))


def test_a_path_longer_than_allowed_is_none(network: Store) -> None:
    assert _path(network, "lyon", "grenoble", hops=3) is None
    assert _path(network, "lyon", "grenoble", hops=3, visibility=EVERYTHING) is not None
    assert _path(network, "lyon", "grenoble", hops=0, visibility=EVERYTHING) is None


def test_a_hidden_end_is_never_reached_but_a_hidden_start_may_search(network: Store) -> None:
    draft = use_case("draft")
    assert _path(network, "lyon", draft) is None
    assert _path(network, "lyon", draft, visibility=HUB_A) == ["Territory:lyon", "UseCase:draft"]
    # the caller named the start: the search leaves from it even when it is hidden
    assert _path(network, draft, "lyon") == ["UseCase:draft", "Territory:lyon"]


def test_a_path_to_itself_or_to_nothing(network: Store) -> None:
    assert _path(network, "lyon", "lyon") == ["Territory:lyon"]
    assert _path(network, "nowhere", "nowhere") is None
    assert _path(network, "lyon", "nowhere") is None
    assert _path(network, "nowhere", "lyon") is None
    # a record with no links at all
    create(network, [territory("island")])
    assert _path(network, "lyon", "island") is None


def test_among_equally_short_paths_the_first_in_ref_order_wins(store: Store) -> None:
    # given two 2-hop paths from lyon to "target", through Experiment:bb and Actor:zz
    lyon = territory("lyon")
    target = use_case("target")
    via_use_case = use_case("aa")
    via_experiment = record(Kind.EXPERIMENT, "bb", {"title": {"en": "B"}, "status": "planned"})
    via_actor = actor("zz")
    create(
        store,
        [lyon, target, via_use_case, via_experiment, via_actor],
        [
            link(via_use_case, Rel.IN_TERRITORY, lyon),
            link(via_use_case, Rel.INVOLVES, via_actor),
            link(via_experiment, Rel.IN_TERRITORY, lyon),
            link(via_experiment, Rel.REPLICATES, target),
            link(target, Rel.INVOLVES, via_actor),
            link(via_actor, Rel.PRESENT_IN, lyon),
        ],
    )
    # then the kinds compare first ("Actor" < "Experiment" < "UseCase"), whatever the slugs
    assert _path(store, "lyon", target) == ["Territory:lyon", "Actor:zz", "UseCase:target"]
    assert _path(store, target, "lyon") == ["UseCase:target", "Actor:zz", "Territory:lyon"]
    # and between two use cases of one domain, the smaller slug
    energy = domain("energy")
    create(store, [use_case("ab"), use_case("ac"), energy], [])
    create(store, [], [link(use_case("ac"), Rel.IN_DOMAIN, energy), link(use_case("ab"), Rel.IN_DOMAIN, energy)])
    create(store, [], [link(use_case("ac"), Rel.IN_TERRITORY, lyon), link(use_case("ab"), Rel.IN_TERRITORY, lyon)])
    assert _path(store, energy, "lyon") == ["Domain:energy", "UseCase:ab", "Territory:lyon"]


def _random_graph(seed: int) -> tuple[list[Record], list[Link]]:
    """A random registry: a few records of six kinds, some unpublished, and valid links between them."""
    rng = random.Random(seed)
    kinds = [Kind.TERRITORY, Kind.ACTOR, Kind.DOMAIN, Kind.USE_CASE, Kind.PRIORITY, Kind.WORKSHOP]
    records = []
    for n in range(28):
        kind = rng.choice(kinds)
        slug = f"{rng.choice('abc')}{n:02d}"
        if kind is Kind.USE_CASE:
            state = rng.choice([ReviewState.PUBLISHED, ReviewState.PUBLISHED, ReviewState.DRAFT, ReviewState.SUBMITTED])
            records.append(use_case(slug, review_state=state, hub=rng.choice(["hub-a", "hub-b", None])))
        else:
            records.append(record(kind, slug, {}))
    links = set()
    for _ in range(45):
        source, target = rng.sample(records, 2)
        rels = [
            rel for rel, (sources, targets) in REL_KINDS.items() if source.kind in sources and target.kind in targets
        ]
        if rels:
            links.add(link(source, rng.choice(rels), target, rng.choice(["", "platform", "member"])))
    return records, sorted(links)


_EXPECTED: dict[int, dict[tuple[str, str, Visibility, int], list[Ref] | None]] = {}


@pytest.mark.parametrize("seed", [1, 2])
def test_shortest_paths_agree_with_the_reference_store_on_random_graphs(
    store: Store, make_store: MakeStore, seed: int
) -> None:
    # given the same random registry in this store and in SQLite (read once per graph)
    records, links = _random_graph(seed)
    starts, ends = records[::4], records[1::2]
    cases = [(s, e, v, hops) for s in starts for e in ends for v in (PUBLIC, HUB_A, EVERYTHING) for hops in (2, 5)]
    if seed not in _EXPECTED:
        reference = make_store("sqlite")
        create(reference, records, links)
        _EXPECTED[seed] = {
            (str(s.ref), str(e.ref), v, h): reference.shortest_path(s.ref, e.ref, h, v) for s, e, v, h in cases
        }
    create(store, records, links)
    # then every path between these pairs agrees, for every caller and hop limit
    for start, end, visibility, hops in cases:
        expected = _EXPECTED[seed][str(start.ref), str(end.ref), visibility, hops]
        assert store.shortest_path(start.ref, end.ref, hops, visibility) == expected, (
            start.ref,
            end.ref,
            visibility,
            hops,
        )


# -- the rankings' facts ---------------------------------------------------------------------------


def test_territory_facts_gather_priorities_use_cases_actors_and_platforms(store: Store) -> None:
    # given
    lyon = territory("lyon", languages=["fr", "frp"])
    bare = record(Kind.TERRITORY, "bare", {"name": {"en": "Bare"}})  # no country, status or languages
    energy, mobility, health, water = domain("energy"), domain("mobility"), domain("health"), domain("water")
    cloud = actor("cloud", "personal_cloud_operator")  # a platform by its kind
    grid = actor("grid", "energy_grid_operator")  # a platform by its role in a use case
    bank = actor("bank", "bank")
    local = actor("local", "local_authority")
    hosting = actor("hosting", "company")  # a platform by its role on the territory
    mixed = actor("mixed", "company")  # a partner in a use case, a platform on the territory
    unseen = actor("unseen", "insurer")  # only in a draft use case
    actors = [cloud, grid, bank, local, hosting, mixed, unseen]
    published = use_case("published")
    draft = use_case("draft", review_state=ReviewState.DRAFT, hub="hub-a")
    plan = priority("plan")
    elsewhere = priority("elsewhere")
    workshop = record(Kind.WORKSHOP, "kickoff", {"title": {"en": "Kickoff"}, "workshop_kind": "swot"})
    create(
        store,
        [lyon, bare, energy, mobility, health, water, *actors, published, draft, plan, elsewhere, workshop],
        [
            link(plan, Rel.IN_TERRITORY, lyon),
            link(plan, Rel.IN_DOMAIN, energy),
            link(plan, Rel.IN_DOMAIN, mobility),
            link(elsewhere, Rel.IN_DOMAIN, water),
            link(published, Rel.IN_TERRITORY, lyon),
            link(published, Rel.IN_DOMAIN, energy),
            link(published, Rel.IN_DOMAIN, health),
            link(published, Rel.INVOLVES, mixed, "partner"),
            link(published, Rel.INVOLVES, cloud, "partner"),
            link(published, Rel.INVOLVES, grid, "operator"),
            link(published, Rel.INVOLVES, bank, "data_holder"),
            link(draft, Rel.IN_TERRITORY, lyon),
            link(draft, Rel.IN_DOMAIN, water),
            link(draft, Rel.INVOLVES, unseen, "platform"),
            link(local, Rel.PRESENT_IN, lyon, "member"),
            link(hosting, Rel.PRESENT_IN, lyon, "platform"),
            link(mixed, Rel.PRESENT_IN, lyon, "platform"),
            link(grid, Rel.PRESENT_IN, lyon, "member"),
            link(workshop, Rel.PARTICIPANT, lyon),
            link(workshop, Rel.PARTICIPANT, bank),
        ],
    )
    # when
    facts = store.territory_facts()
    # then
    assert facts == [
        TerritoryFacts(
            "bare", "", frozenset(), "unknown", frozenset(), frozenset(), frozenset(), frozenset(), frozenset(), ""
        ),
        TerritoryFacts(
            slug="lyon",
            country="FR",
            languages=frozenset({"fr", "frp"}),
            status="pilot_city",
            priority_domains=frozenset({"energy", "mobility"}),
            use_case_domains=frozenset({"energy", "health"}),
            actors=frozenset({"cloud", "grid", "bank", "local", "hosting", "mixed"}),
            platforms=frozenset({"cloud", "grid", "hosting", "mixed"}),
            actor_kinds=frozenset(
                {"personal_cloud_operator", "energy_grid_operator", "bank", "local_authority", "company"}
            ),
            territory_kind="city",
        ),
    ]


def test_use_case_facts_describe_each_published_use_case(store: Store) -> None:
    # given
    lyon, brussels = territory("lyon"), territory("bruxelles", country="BE")
    energy, health = domain("energy"), domain("health")
    cloud, grid = actor("cloud", "personal_cloud_operator"), actor("grid", "energy_grid_operator")
    rich = use_case("rich", status="pilot", governance="personal_cloud")
    plain = use_case("plain", status="idea")
    hidden = use_case("hidden", review_state=ReviewState.SUBMITTED, hub="hub-a")
    create(
        store,
        [lyon, brussels, energy, health, cloud, grid, rich, plain, hidden],
        [
            link(rich, Rel.IN_TERRITORY, lyon),
            link(rich, Rel.IN_TERRITORY, brussels),
            link(rich, Rel.IN_DOMAIN, energy),
            link(rich, Rel.IN_DOMAIN, health),
            link(rich, Rel.INVOLVES, grid, "data_holder"),
            link(rich, Rel.INVOLVES, cloud, "platform"),
            link(hidden, Rel.IN_TERRITORY, lyon),
        ],
    )
    # then
    assert store.use_case_facts() == [
        UseCaseFacts("plain", "idea", "unknown", frozenset(), (), ()),
        UseCaseFacts(
            slug="rich",
            status="pilot",
            governance="personal_cloud",
            domains=frozenset({"energy", "health"}),
            territories=(("bruxelles", "BE"), ("lyon", "FR")),
            actors=(("cloud", "personal_cloud_operator", "platform"), ("grid", "energy_grid_operator", "data_holder")),
        ),
    ]
