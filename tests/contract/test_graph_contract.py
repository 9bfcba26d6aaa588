"""The storage port's contract for graph reads: links, shortest paths and the rankings' facts."""

from __future__ import annotations

import random

import pytest

from registry.domain.records import REL_KINDS, Kind, Link, Record, Ref, Rel, ReviewState
from registry.store.expansion import expand
from registry.store.port import (
    EVERYTHING,
    PUBLIC,
    Expansion,
    Linked,
    LinkGroup,
    RecordQuery,
    Store,
    TerritoryFacts,
    UseCaseFacts,
    Visibility,
)
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


def test_linked_gives_each_ref_its_visible_linked_records_of_a_kind_first_ones_by_slug(store: Store) -> None:
    # given two territories with actors (roles on the links), use cases (one a hub's draft) and a domain
    lyon, grenoble = territory("lyon"), territory("grenoble")
    cozy, enedis, zenon = actor("cozy"), actor("enedis"), actor("zenon")
    energy = domain("energy")
    public = use_case("public")
    draft = use_case("draft", review_state=ReviewState.DRAFT, hub="hub-a")
    create(
        store,
        [lyon, grenoble, cozy, enedis, zenon, energy, public, draft],
        [
            link(zenon, Rel.PRESENT_IN, lyon),
            link(cozy, Rel.PRESENT_IN, lyon, "platform"),
            link(enedis, Rel.PRESENT_IN, lyon),
            link(enedis, Rel.PRESENT_IN, grenoble),
            link(public, Rel.IN_TERRITORY, lyon),
            link(draft, Rel.IN_TERRITORY, lyon),
            link(public, Rel.IN_DOMAIN, energy),
            link(draft, Rel.IN_DOMAIN, energy),
        ],
    )
    got = store.get([r.ref for r in (cozy, enedis, zenon, energy, public, draft)], EVERYTHING)
    groups = [
        LinkGroup((lyon.ref, grenoble.ref), "to", Rel.PRESENT_IN, Kind.ACTOR, first=2),
        LinkGroup((lyon.ref,), "to", Rel.IN_TERRITORY, Kind.USE_CASE),
        LinkGroup((public.ref, draft.ref, lyon.ref), "from", Rel.IN_DOMAIN, Kind.DOMAIN, first=1),
        LinkGroup((grenoble.ref,), "to", Rel.IN_TERRITORY, Kind.USE_CASE),
    ]
    # when a public caller and hub-a ask
    public_answers = store.linked(groups, PUBLIC)
    hub_answers = store.linked(groups, HUB_A)
    # then each ref has its total and its first linked records by slug, with the links' roles
    assert public_answers[0] == {
        lyon.ref: Linked(3, [(got[cozy.ref], "platform"), (got[enedis.ref], "")]),
        grenoble.ref: Linked(1, [(got[enedis.ref], "")]),
    }
    # and a hub's draft is seen by its hub only, and counted only there
    assert public_answers[1] == {lyon.ref: Linked(1, [(got[public.ref], "")])}
    assert hub_answers[1] == {lyon.ref: Linked(2, [(got[draft.ref], ""), (got[public.ref], "")])}
    # (visibility applies to the linked records: the refs asked about are the caller's choice)
    assert (
        public_answers[2]
        == hub_answers[2]
        == {
            public.ref: Linked(1, [(got[energy.ref], "")]),
            draft.ref: Linked(1, [(got[energy.ref], "")]),
        }
    )
    # and refs with nothing linked are left out
    assert public_answers[3] == {}
    assert store.linked([], PUBLIC) == []


def test_expansions_read_linked_records_with_their_own_linked_records_as_linked_does(store: Store) -> None:
    # given territories with use cases (one a hub's draft) in domains, and organisations on them
    lyon, grenoble, paris = territory("lyon"), territory("grenoble"), territory("paris")
    cozy, enedis = actor("cozy"), actor("enedis")
    energy, water = domain("energy"), domain("water")
    a, b = use_case("a"), use_case("b")
    draft = use_case("a-draft", review_state=ReviewState.DRAFT, hub="hub-a")
    create(
        store,
        [lyon, grenoble, paris, cozy, enedis, energy, water, a, b, draft],
        [
            link(a, Rel.IN_TERRITORY, lyon),
            link(b, Rel.IN_TERRITORY, lyon),
            link(draft, Rel.IN_TERRITORY, lyon),
            link(b, Rel.IN_TERRITORY, grenoble),
            link(a, Rel.IN_DOMAIN, energy),
            link(a, Rel.IN_DOMAIN, water),
            link(b, Rel.IN_DOMAIN, water),
            link(draft, Rel.IN_DOMAIN, energy),
            link(cozy, Rel.PRESENT_IN, lyon, "platform"),
            link(enedis, Rel.PRESENT_IN, grenoble),
        ],
    )
    domains = Expansion("from", Rel.IN_DOMAIN, Kind.DOMAIN, 1)
    cases = Expansion("to", Rel.IN_TERRITORY, Kind.USE_CASE, 2, (domains,))
    actors = Expansion("to", Rel.PRESENT_IN, Kind.ACTOR, None)
    wanted = (cases, actors)
    for visibility in (PUBLIC, HUB_A):
        # when a page of territories, and two of them by ref, are read with their expansions
        page, found = store.query_expanded(RecordQuery(kinds=(Kind.TERRITORY,), visibility=visibility), wanted)
        records, found_by_ref = store.get_expanded([lyon.ref, grenoble.ref], wanted, visibility)
        # then the records are those of query and get, and the expansions find what linked() finds level by level
        assert page == store.query(RecordQuery(kinds=(Kind.TERRITORY,), visibility=visibility))
        assert records == store.get([lyon.ref, grenoble.ref], visibility)
        assert found == expand(store, page.records, wanted, visibility)
        assert found_by_ref == expand(store, list(records.values()), wanted, visibility)
    # and, for hub-a, lyon's first two use cases by slug include its draft, each with its first domain
    got = store.get([r.ref for r in (a, draft, cozy, energy)], EVERYTHING)
    assert found[cases.group][lyon.ref] == Linked(3, [(got[a.ref], ""), (got[draft.ref], "")])
    assert found[cases.group][paris.ref] == Linked(0, [])
    assert found[domains.group][a.ref] == Linked(2, [(got[energy.ref], "")])
    assert found[actors.group][lyon.ref] == Linked(1, [(got[cozy.ref], "platform")])


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


def test_a_hidden_end_or_start_is_answered_as_a_missing_one(network: Store) -> None:
    draft = use_case("draft")
    assert _path(network, "lyon", draft) is None
    assert _path(network, "lyon", draft, visibility=HUB_A) == ["Territory:lyon", "UseCase:draft"]
    # a hidden start finds nothing either, not even itself (issue 6: that was an existence oracle)
    assert _path(network, draft, "lyon") is None
    assert _path(network, draft, draft) is None
    assert _path(network, draft, "lyon", visibility=HUB_A) == ["UseCase:draft", "Territory:lyon"]


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
