"""Neo4j plans a statement once per text: a text that varied with the values asked for would
compile a new plan for each (a search of 1,000 words took 13 s that way).  The same operation
shapes, run with other values, must send no new statement text to the real server."""

from __future__ import annotations

from typing import Any

import pytest

from registry.domain.records import Kind, Principal, Ref, Rel, Role
from registry.services.editing import Change, Editing
from registry.services.ranking import recommenders as ranking
from registry.services.ranking.facts import FactsCache
from registry.services.seeding import seed
from registry.store.port import PUBLIC, Expansion, LinkGroup, RecordQuery, SortKey, Store, Visibility
from tests.conftest import MakeStore
from tests.cypher_recorder import StatementRecorder

pytestmark = pytest.mark.neo4j

HUB = Visibility(hub="hub-mydata-france")


def _ref(kind: Kind, slug: str) -> Ref:
    return Ref(kind, slug)


# Each shape is run with values 0, 1, 2…: same fields, lists of other lengths, other numbers.
VALUES: list[dict[str, Any]] = [
    {
        "countries": ("FR",),
        "words": ("energie",),
        "offset": 0,
        "limit": 5,
        "slugs": ("lyon",),
        "first": 2,
        "hops": 2,
        "territories": ("lyon",),
        "year": 2015,
    },
    {
        "countries": ("FR", "NL", "BE"),
        "words": ("mobilite", "durable", "donnees", "ville", "x"),
        "offset": 3,
        "limit": 50,
        "slugs": ("lyon", "rennes", "nantes", "la-rochelle"),
        "first": 7,
        "hops": 6,
        "territories": ("lyon", "rennes", "nantes"),
        "year": 2020,
    },
    {
        "countries": ("FI", "ES", "CH", "FR", "NL", "BE", "DE", "IT"),
        "words": ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"),
        "offset": 17,
        "limit": 100,
        "slugs": tuple(f"nowhere-{n}" for n in range(40)),
        "first": 100,
        "hops": 8,
        "territories": tuple(f"t{n}" for n in range(30)),
        "year": 1999,
    },
]


def _shapes(store: Store, v: dict[str, Any]) -> None:
    territories = [_ref(Kind.TERRITORY, s) for s in v["slugs"]]
    for visibility in (PUBLIC, HUB):
        store.query(
            RecordQuery(
                kinds=(Kind.USE_CASE,),
                countries=v["countries"],
                territories=v["territories"],
                year_from=v["year"],
                visibility=visibility,
                offset=v["offset"],
                limit=v["limit"],
            )
        )
        store.query(RecordQuery(kinds=tuple(Kind), words=v["words"], visibility=visibility, limit=v["limit"]))
        store.query(RecordQuery(kinds=(Kind.TERRITORY,), slugs=v["slugs"], sort=SortKey.NAME, descending=True))
        store.linked(
            [
                LinkGroup(tuple(territories), "to", Rel.IN_TERRITORY, Kind.USE_CASE, v["first"]),
                LinkGroup(tuple(territories), "to", Rel.PRESENT_IN, Kind.ACTOR, v["first"] + 1),
            ],
            visibility,
        )
        expansions = (
            Expansion(
                "to",
                Rel.IN_TERRITORY,
                Kind.USE_CASE,
                v["first"],
                (Expansion("from", Rel.INVOLVES, Kind.ACTOR, v["first"]),),
            ),
        )
        store.query_expanded(RecordQuery(kinds=(Kind.TERRITORY,), limit=v["limit"], visibility=visibility), expansions)
        store.get_expanded(territories, expansions, visibility)
        store.shortest_path(_ref(Kind.TERRITORY, "la-rochelle"), _ref(Kind.TERRITORY, "lyon"), v["hops"], visibility)
        store.count_by(Kind.USE_CASE, "status", visibility)
        store.count_by(Kind.USE_CASE, "domain", visibility)
    store.get(territories, visibility)
    store.links_from(territories, Rel.PRESENT_IN)
    store.audit_page(v["offset"], v["limit"])


def test_the_same_shapes_with_other_values_send_no_new_statement(make_store: MakeStore) -> None:
    store = make_store("neo4j")
    seed(store)
    recording = StatementRecorder(store.driver)  # type: ignore[attr-defined]
    store.driver = recording  # type: ignore[attr-defined]
    _shapes(store, VALUES[0])
    first = set(recording.texts)
    assert len(first) >= 10
    for values in VALUES[1:]:
        _shapes(store, values)
        assert recording.texts == first, sorted(recording.texts - first)


def test_the_path_statement_is_one_for_every_max_hops(make_store: MakeStore) -> None:
    store = make_store("neo4j")
    seed(store)
    recording = StatementRecorder(store.driver)  # type: ignore[attr-defined]
    store.driver = recording  # type: ignore[attr-defined]
    answers: dict[int, list[Ref] | None] = {}
    for hops in range(1, 9):
        answers[hops] = store.shortest_path(
            _ref(Kind.TERRITORY, "la-rochelle"), _ref(Kind.TERRITORY, "lyon"), hops, PUBLIC
        )
    assert len(recording.texts) == 1
    # and the length asked still bounds the answer: none too short to exist, the same one after
    found = [hops for hops, path in answers.items() if path is not None]
    assert found and found == list(range(found[0], 9))
    assert all(len(answers[h] or []) - 1 <= h for h in found)


def test_a_refresh_after_a_publication_sends_only_statements_the_gathering_planned(make_store: MakeStore) -> None:
    # given a process whose facts cache gathered everything once (its first ranking)
    store = make_store("neo4j")
    seed(store)
    recording = StatementRecorder(store.driver)  # type: ignore[attr-defined]
    store.driver = recording  # type: ignore[attr-defined]
    cache = FactsCache()
    ranking.partner_cities(store, "lyon", 10, cache)
    planned = set(recording.texts)
    # when a coordinator publishes a case study on Lyon, and the next ranking refreshes the facts
    staff = Principal(Role.COORDINATOR, None, "coordinator-key")
    links = [(Rel.IN_TERRITORY, [(Ref(Kind.TERRITORY, "lyon"), "")])]
    sources = [{"url": "https://example.org/case", "title": "The case"}]
    change = Change(fields={"title": {"en": "A case"}, "status": "live"}, sources=sources, links=links, slug="a-case")
    Editing(store).submit_case_study(staff, change, None, draft=False)
    Editing(store).review_case_study(staff, "a-case", 1, None, publish=True)
    recording.sent.clear()
    after = ranking.partner_cities(store, "lyon", 10, cache)
    # then it read only the facts around it, with statements Neo4j already planned while gathering
    # (planning the facts reads took 0.2-0.5 s, paid by the first ranking after a publication)
    assert cache.gathered == 1 and cache.refreshed == 1
    assert recording.texts <= planned, sorted(recording.texts - planned)
    assert after == ranking.partner_cities(store, "lyon", 10, FactsCache())  # and the facts are right
