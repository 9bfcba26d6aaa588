"""A path names the link at each step, and can keep to some kinds: every store gives the same answer."""

from __future__ import annotations

import pytest

from registry.domain.records import Kind, Record, Rel
from registry.services.paths import FoundPath, find_path
from registry.store.port import PUBLIC, Store
from tests.contract.builders import actor, create, domain, link, record, territory, text, use_case

PLACES = frozenset({Kind.ACTOR, Kind.TERRITORY})


@pytest.fixture
def network(store: Store) -> Store:
    """Given lyon and grenoble, 4 links apart through an energy domain, 6 through organisations only.

    lyon <-IN_TERRITORY- uc-a -IN_DOMAIN-> energy <-IN_DOMAIN- uc-b -IN_TERRITORY-> grenoble
    lyon <-PRESENT_IN- a1 -> paris <- a2 -> nantes <- a3 -> grenoble (each as a partner)
    and a workshop run in lyon that lyon also took part in: two relations between the same pair.
    """
    lyon, grenoble, paris, nantes = (territory(s) for s in ("lyon", "grenoble", "paris", "nantes"))
    a1, a2, a3 = actor("a1"), actor("a2"), actor("a3")
    uc_a, uc_b, energy = use_case("uc-a"), use_case("uc-b"), domain("energy")
    workshop = record(Kind.WORKSHOP, "lyon-workshop", {"title": text("Lyon workshop"), "workshop_kind": "awareness"})
    create(
        store,
        [lyon, grenoble, paris, nantes, a1, a2, a3, uc_a, uc_b, energy, workshop],
        [
            link(uc_a, Rel.IN_TERRITORY, lyon),
            link(uc_a, Rel.IN_DOMAIN, energy),
            link(uc_b, Rel.IN_DOMAIN, energy),
            link(uc_b, Rel.IN_TERRITORY, grenoble),
            *(link(a, Rel.PRESENT_IN, t, "partner") for a, t in [(a1, lyon), (a1, paris), (a2, paris)]),
            *(link(a, Rel.PRESENT_IN, t, "partner") for a, t in [(a2, nantes), (a3, nantes), (a3, grenoble)]),
            link(workshop, Rel.IN_TERRITORY, lyon),
            link(workshop, Rel.PARTICIPANT, lyon),
        ],
    )
    return store


def _steps(found: FoundPath | None) -> list[tuple[str, str, bool, str]]:
    assert found is not None
    return [(s.link.rel.value, str(s.link.source), s.forward, s.link.role) for s in found.steps]


def _place(slug: str) -> Record:
    return territory(slug)


def test_each_step_names_its_relation_its_direction_and_the_record_stating_it(network: Store) -> None:
    # when the path from lyon to grenoble is asked with no kinds kept
    found = find_path(network, _place("lyon").ref, _place("grenoble").ref, 6, PUBLIC)
    # then it runs through the domain, and each step is the link between its two records
    assert found is not None
    assert [str(r) for r in found.refs] == [
        "Territory:lyon",
        "UseCase:uc-a",
        "Domain:energy",
        "UseCase:uc-b",
        "Territory:grenoble",
    ]
    assert _steps(found) == [
        ("IN_TERRITORY", "UseCase:uc-a", False, ""),
        ("IN_DOMAIN", "UseCase:uc-a", True, ""),
        ("IN_DOMAIN", "UseCase:uc-b", False, ""),
        ("IN_TERRITORY", "UseCase:uc-b", True, ""),
    ]


def test_a_path_kept_to_organisations_and_territories_takes_no_shortcut_through_a_domain(network: Store) -> None:
    # when the same path is kept to organisations and territories
    found = find_path(network, _place("lyon").ref, _place("grenoble").ref, 6, PUBLIC, PLACES)
    # then it is longer, every record between the ends an organisation or a territory, each step "works on"
    assert found is not None
    assert [str(r) for r in found.refs] == [
        "Territory:lyon",
        "Actor:a1",
        "Territory:paris",
        "Actor:a2",
        "Territory:nantes",
        "Actor:a3",
        "Territory:grenoble",
    ]
    assert [(rel, forward, role) for rel, _, forward, role in _steps(found)] == [
        ("PRESENT_IN", forward, "partner") for forward in (False, True) * 3
    ]
    # and within fewer hops than that, there is none
    assert find_path(network, _place("lyon").ref, _place("grenoble").ref, 5, PUBLIC, PLACES) is None


def test_the_ends_may_be_of_a_kind_not_kept(network: Store) -> None:
    found = find_path(network, use_case("uc-a").ref, _place("paris").ref, 6, PUBLIC, PLACES)
    assert found is not None and [str(r) for r in found.refs] == [
        "UseCase:uc-a",
        "Territory:lyon",
        "Actor:a1",
        "Territory:paris",
    ]


def test_two_relations_between_the_same_records_are_named_alike_on_every_store(network: Store) -> None:
    # given a workshop run in lyon that lyon took part in, the first relation by name speaks for the step
    found = find_path(network, record(Kind.WORKSHOP, "lyon-workshop", {}).ref, _place("lyon").ref, 6, PUBLIC)
    assert _steps(found) == [("IN_TERRITORY", "Workshop:lyon-workshop", True, "")]
