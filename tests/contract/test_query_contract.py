"""The storage port's contract for record queries and counts: filters, order, pages, words, visibility."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from registry.domain.records import Kind, Rel, ReviewState
from registry.store.codec import words
from registry.store.port import EVERYTHING, PUBLIC, RecordQuery, SortKey, Store, Visibility
from tests.contract.builders import actor, create, domain, link, territory, text, use_case

UC = (Kind.USE_CASE,)
HUB_A = Visibility(hub="hub-a")


@pytest.fixture
def catalogue(store: Store) -> Store:
    """Given territories, actors, domains and use cases, two of them not published."""
    lyon = territory("lyon", "Lyon")
    grenoble = territory("grenoble", "Grenoble", status="peer")
    brussels = territory("bruxelles", "Bruxelles", country="BE", status="in_discussion")
    energy, mobility, health = domain("energy", "Énergie"), domain("mobility", "Mobilité"), domain("health", "Santé")
    cozy = actor("cozy-cloud", "personal_cloud_operator", "Cozy Cloud")
    enedis = actor("enedis", "energy_grid_operator", "Enedis")
    tisseo = actor("tisseo", "mobility_operator", "Tisséo")
    shared = use_case(
        "energie-partagee",
        status="live",
        governance="personal_cloud",
        year_start=2018,
        year_end=2020,
        minutes=3,
        title=text("Shared energy", "Énergie partagée"),
        summary=text("Households share their meter readings.", "Les foyers partagent leurs relevés de compteur."),
    )
    mobile = use_case(
        "mobilite-douce",
        status="pilot",
        governance="direct_transfer",
        year_start=2021,
        minutes=1,
        title=text("Soft mobility", "Mobilité douce"),
    )
    care = use_case("sante-connectee", status="idea", minutes=2, title=text("Connected health", "Santé connectée"))
    citizen = use_case(
        "energie-citoyenne",
        status="pilot",
        year_start=2019,
        year_end=2019,
        minutes=4,
        review_state=ReviewState.SUBMITTED,
        hub="hub-a",
        title=text("Citizen energy", "Énergie citoyenne"),
    )
    refused = use_case(
        "zero-dechet",
        status="idea",
        year_start=2016,
        minutes=0,
        review_state=ReviewState.REJECTED,
        hub="hub-b",
        title=text("Zero waste", "Zéro déchet"),
    )
    create(
        store,
        [
            lyon,
            grenoble,
            brussels,
            energy,
            mobility,
            health,
            cozy,
            enedis,
            tisseo,
            shared,
            mobile,
            care,
            citizen,
            refused,
        ],
        [
            link(cozy, Rel.PRESENT_IN, lyon, "platform"),
            link(enedis, Rel.PRESENT_IN, grenoble),
            link(shared, Rel.IN_DOMAIN, energy),
            link(shared, Rel.IN_TERRITORY, lyon),
            link(shared, Rel.INVOLVES, cozy, "platform"),
            link(shared, Rel.INVOLVES, enedis, "data_holder"),
            link(mobile, Rel.IN_DOMAIN, mobility),
            link(mobile, Rel.IN_TERRITORY, grenoble),
            link(mobile, Rel.INVOLVES, tisseo, "data_holder"),
            link(care, Rel.IN_DOMAIN, health),
            link(care, Rel.IN_TERRITORY, brussels),
            link(citizen, Rel.IN_DOMAIN, energy),
            link(citizen, Rel.IN_TERRITORY, lyon),
            link(citizen, Rel.INVOLVES, enedis, "data_holder"),
            link(refused, Rel.IN_TERRITORY, lyon),
        ],
    )
    return store


def slugs(store: Store, kinds: tuple[Kind, ...] = UC, **query: Any) -> list[str]:
    """The slugs of a query's page, in order (the whole set: limit 100)."""
    page = store.query(RecordQuery(kinds=kinds, limit=query.pop("limit", 100), **query))
    return [r.slug for r in page.records]


# -- filters -------------------------------------------------------------------------------------


def test_kinds_and_slugs_select_records(catalogue: Store) -> None:
    assert slugs(catalogue, (Kind.TERRITORY,)) == ["bruxelles", "grenoble", "lyon"]
    assert slugs(catalogue, (Kind.TERRITORY, Kind.DOMAIN)) == [
        "bruxelles",
        "energy",
        "grenoble",
        "health",
        "lyon",
        "mobility",
    ]
    assert slugs(catalogue, (Kind.TERRITORY,), slugs=("lyon", "nowhere", "energy")) == ["lyon"]
    assert slugs(catalogue, (Kind.TERRITORY,), slugs=()) == []


def test_indexed_fields_filter_records(catalogue: Store) -> None:
    assert slugs(catalogue, statuses=("pilot", "idea")) == ["mobilite-douce", "sante-connectee"]
    assert slugs(catalogue, (Kind.ACTOR,), subkinds=("personal_cloud_operator",)) == ["cozy-cloud"]
    assert slugs(catalogue, (Kind.TERRITORY,), countries=("BE",)) == ["bruxelles"]
    assert slugs(catalogue, governance=("personal_cloud", "direct_transfer")) == ["energie-partagee", "mobilite-douce"]
    assert slugs(catalogue, (Kind.TERRITORY,), statuses=("peer",), countries=("FR",)) == ["grenoble"]


def test_review_states_filter_what_the_caller_may_see(catalogue: Store) -> None:
    assert slugs(catalogue, review_states=("submitted", "rejected"), visibility=EVERYTHING) == [
        "energie-citoyenne",
        "zero-dechet",
    ]
    assert slugs(catalogue, review_states=("submitted", "rejected")) == []


def test_links_filter_records(catalogue: Store) -> None:
    assert slugs(catalogue, domains=("energy",)) == ["energie-partagee"]
    assert slugs(catalogue, domains=("energy", "health")) == ["energie-partagee", "sante-connectee"]
    assert slugs(catalogue, territories=("lyon",)) == ["energie-partagee"]
    # actors count as on a territory through PRESENT_IN
    assert slugs(catalogue, (Kind.ACTOR,), territories=("grenoble",)) == ["enedis"]
    assert slugs(catalogue, actors=("enedis",)) == ["energie-partagee"]
    assert slugs(catalogue, actors=("enedis",), visibility=EVERYTHING) == ["energie-citoyenne", "energie-partagee"]
    assert slugs(catalogue, actor_kinds=("mobility_operator", "personal_cloud_operator")) == [
        "energie-partagee",
        "mobilite-douce",
    ]
    assert slugs(catalogue, domains=("energy",), actor_kinds=("mobility_operator",)) == []
    assert slugs(catalogue, domains=("nothing",)) == []


def test_years_select_records_active_in_the_range(catalogue: Store) -> None:
    everything: dict[str, Any] = {"visibility": EVERYTHING}
    # active in or after: the end year, or the start year when there is no end
    assert slugs(catalogue, year_from=2020, **everything) == ["energie-partagee", "mobilite-douce"]
    assert slugs(catalogue, year_from=2021, **everything) == ["mobilite-douce"]
    # active in or before: the start year; no year at all never matches a range
    assert slugs(catalogue, year_to=2018, **everything) == ["energie-partagee", "zero-dechet"]
    assert slugs(catalogue, year_from=2019, year_to=2019, **everything) == ["energie-citoyenne", "energie-partagee"]


# -- words ---------------------------------------------------------------------------------------


def test_words_ignore_accents_and_case(catalogue: Store) -> None:
    # "energie" finds "Énergie"; the query's words are normalised like the records' text
    assert slugs(catalogue, (Kind.DOMAIN, Kind.USE_CASE), words=words("ENERGIE")) == ["energie-partagee", "energy"]
    assert slugs(catalogue, (Kind.ACTOR,), words=words("tisséo")) == ["tisseo"]


def test_each_word_must_start_a_word_of_the_text(catalogue: Store) -> None:
    assert slugs(catalogue, words=words("energ")) == ["energie-partagee"]
    assert slugs(catalogue, words=words("nergie")) == []
    # every word must match: "shared" (English title) and "compteur" (French summary)
    assert slugs(catalogue, words=words("shared compteur")) == ["energie-partagee"]
    assert slugs(catalogue, words=words("shared mobility")) == []
    # the slug counts as text too
    assert slugs(catalogue, words=words("connectee")) == ["sante-connectee"]


def test_words_respect_visibility(catalogue: Store) -> None:
    assert slugs(catalogue, words=words("energie")) == ["energie-partagee"]
    assert slugs(catalogue, words=words("energie"), visibility=HUB_A) == ["energie-citoyenne", "energie-partagee"]


def test_words_that_are_not_plain_still_follow_the_rule(catalogue: Store) -> None:
    # not normalised by the caller: the store still applies "starts a word of the text"
    assert slugs(catalogue, words=("",)) == ["energie-partagee", "mobilite-douce", "sante-connectee"]
    assert slugs(catalogue, words=("énergie",)) == []


def test_words_match_letters_digits_and_words_a_search_engine_treats_specially(store: Store) -> None:
    # given a title with an elided article, digits, and words a query language might read as operators
    odd = use_case("odd", text("L'énergie AND or NOT 3D-printing, 2015 édition"))
    create(store, [odd, use_case("plain", "Unrelated")])
    # then each of its words is found from its start, and only there
    for found in ("l", "energie", "and", "or", "not", "3d", "3", "printing", "2015", "201", "edition", "odd"):
        assert slugs(store, words=words(found)) == ["odd"], found
    for missing in ("d", "rinting", "015", "nd", "energies"):
        assert slugs(store, words=words(missing)) == [], missing
    assert slugs(store, words=words("l and unrelated")) == []


# -- visibility ----------------------------------------------------------------------------------


def test_unpublished_case_studies_are_seen_by_their_hub_and_staff_only(catalogue: Store) -> None:
    published = ["energie-partagee", "mobilite-douce", "sante-connectee"]
    assert slugs(catalogue, visibility=PUBLIC) == published
    assert slugs(catalogue, visibility=HUB_A) == ["energie-citoyenne", *published]
    assert slugs(catalogue, visibility=Visibility(hub="hub-b")) == [*published, "zero-dechet"]
    assert slugs(catalogue, visibility=EVERYTHING) == ["energie-citoyenne", *published, "zero-dechet"]


# -- order and pages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (SortKey.SLUG, ["energie-citoyenne", "energie-partagee", "mobilite-douce", "sante-connectee", "zero-dechet"]),
        # by English title: Citizen energy, Connected health, Shared energy, Soft mobility, Zero waste
        (SortKey.NAME, ["energie-citoyenne", "sante-connectee", "energie-partagee", "mobilite-douce", "zero-dechet"]),
        (
            SortKey.CREATED,
            ["zero-dechet", "mobilite-douce", "sante-connectee", "energie-partagee", "energie-citoyenne"],
        ),
        (
            SortKey.UPDATED,
            ["zero-dechet", "mobilite-douce", "sante-connectee", "energie-partagee", "energie-citoyenne"],
        ),
        # no year last, in either direction
        (SortKey.YEAR, ["zero-dechet", "energie-partagee", "energie-citoyenne", "mobilite-douce", "sante-connectee"]),
    ],
)
def test_records_sort_by_each_key(catalogue: Store, sort: SortKey, expected: list[str]) -> None:
    assert slugs(catalogue, sort=sort, visibility=EVERYTHING) == expected
    descending = [*reversed(expected[:-1]), expected[-1]] if sort is SortKey.YEAR else list(reversed(expected))
    assert slugs(catalogue, sort=sort, descending=True, visibility=EVERYTHING) == descending


def test_ties_are_broken_by_kind_then_slug(store: Store) -> None:
    # given records of several kinds sharing a name, and one without a year
    create(
        store,
        [
            domain("b-same", "Same"),
            territory("a-same", "Same"),
            actor("c-same", name="Same"),
            domain("a-same", "Same"),
            territory("z-other", "Other"),
        ],
    )
    kinds = (Kind.DOMAIN, Kind.TERRITORY, Kind.ACTOR)
    # then equal names order by kind ("Actor" < "Domain" < "Territory"), then slug, in both directions
    expected = ["z-other", "c-same", "a-same", "b-same", "a-same"]
    assert slugs(store, kinds, sort=SortKey.NAME) == expected
    assert slugs(store, kinds, sort=SortKey.NAME, descending=True) == [
        "c-same",
        "a-same",
        "b-same",
        "a-same",
        "z-other",
    ]
    # and records without a year keep kind then slug order whatever the direction
    assert slugs(store, kinds, sort=SortKey.YEAR, descending=True) == [
        "c-same",
        "a-same",
        "b-same",
        "a-same",
        "z-other",
    ]


def test_pages_cut_the_sorted_records_and_count_them_all(catalogue: Store) -> None:
    query = RecordQuery(kinds=UC, visibility=EVERYTHING, sort=SortKey.SLUG, limit=2)
    pages = [catalogue.query(replace(query, offset=offset)) for offset in (0, 2, 4, 6)]
    assert [[r.slug for r in p.records] for p in pages] == [
        ["energie-citoyenne", "energie-partagee"],
        ["mobilite-douce", "sante-connectee"],
        ["zero-dechet"],
        [],
    ]
    assert {p.total for p in pages} == {5}
    filtered = catalogue.query(replace(query, statuses=("pilot",), limit=1))
    assert ([r.slug for r in filtered.records], filtered.total) == (["energie-citoyenne"], 2)
    assert catalogue.query(replace(query, limit=0)).total == 5


def test_a_page_returns_whole_records(catalogue: Store) -> None:
    page = catalogue.query(RecordQuery(kinds=UC, slugs=("energie-partagee",)))
    [found] = page.records
    assert catalogue.get([found.ref], EVERYTHING) == {found.ref: found}
    assert found.data["title"] == text("Shared energy", "Énergie partagée")


# -- counts --------------------------------------------------------------------------------------


def test_counts_by_field_name_missing_values_unknown(catalogue: Store) -> None:
    assert catalogue.count_by(Kind.USE_CASE, "status", PUBLIC) == [("idea", 1), ("live", 1), ("pilot", 1)]
    assert catalogue.count_by(Kind.USE_CASE, "status", EVERYTHING) == [("idea", 2), ("live", 1), ("pilot", 2)]
    assert catalogue.count_by(Kind.USE_CASE, "governance", PUBLIC) == [
        ("direct_transfer", 1),
        ("personal_cloud", 1),
        ("unknown", 1),
    ]
    assert catalogue.count_by(Kind.TERRITORY, "country", PUBLIC) == [("BE", 1), ("FR", 2)]
    assert catalogue.count_by(Kind.ACTOR, "subkind", PUBLIC) == [
        ("energy_grid_operator", 1),
        ("mobility_operator", 1),
        ("personal_cloud_operator", 1),
    ]
    assert catalogue.count_by(Kind.DOMAIN, "status", PUBLIC) == [("unknown", 3)]


def test_counts_by_linked_domain_and_territory(catalogue: Store) -> None:
    assert catalogue.count_by(Kind.USE_CASE, "domain", PUBLIC) == [("energy", 1), ("health", 1), ("mobility", 1)]
    assert catalogue.count_by(Kind.USE_CASE, "domain", HUB_A) == [("energy", 2), ("health", 1), ("mobility", 1)]
    assert catalogue.count_by(Kind.USE_CASE, "territory", EVERYTHING) == [
        ("bruxelles", 1),
        ("grenoble", 1),
        ("lyon", 3),
    ]
    assert catalogue.count_by(Kind.ACTOR, "territory", PUBLIC) == [("grenoble", 1), ("lyon", 1)]
    assert catalogue.count_by(Kind.PRIORITY, "domain", PUBLIC) == []
