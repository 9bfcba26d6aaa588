"""The first ranking after a write costs a few round trips, not a re-read (issue 15).

A server process keeps the recommenders' facts (`FactsCache`); each ranking asks the store what
changed since them.  These tests count what a ranking asks of a real store, through a wrapper
that notes each port call (every store) or each statement the driver sends (Neo4j): a ranking
waits for every one of them, so a call added by mistake shows here before it shows in
`python -m bench.first_ranking`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from registry.domain.records import Kind, Principal, Ref, Rel, Role
from registry.services.editing import Change, Editing
from registry.services.ranking import recommenders as ranking
from registry.services.ranking.facts import FactsCache
from registry.services.seeding import seed
from registry.store.port import Store
from tests.conftest import MakeStore
from tests.cypher_recorder import StatementRecorder

STAFF = Principal(Role.COORDINATOR, None, "coordinator-key")
HUB = Principal(Role.HUB, "hub-mydata-france", "hub-key")


class _CountedStore:
    """`store`, noting the name of each port method called, in order."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._store, name)
        if not callable(found):
            return found

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return found(*args, **kwargs)

        return call


def _case(slug: str) -> Change:
    links = [(Rel.IN_TERRITORY, [(Ref(Kind.TERRITORY, "lyon"), "")])]
    sources = [{"url": "https://example.org/case", "title": "The case"}]
    return Change(fields={"title": {"en": "A case"}, "status": "live"}, sources=sources, links=links, slug=slug)


def _publish(store: Store, slug: str) -> None:
    Editing(store).submit_case_study(STAFF, _case(slug), None, draft=False)
    Editing(store).review_case_study(STAFF, slug, 1, None, publish=True)


def _draft(store: Store, slug: str) -> None:
    Editing(store).submit_case_study(HUB, _case(slug), None, draft=True)


WRITES: dict[str, Callable[[Store, str], None]] = {
    "nothing": lambda store, slug: None,
    "a draft": _draft,
    "a publication": _publish,
}
# What partnerCities asks after each: what changed (one call), the facts around the published
# case study (its own, then its territory's), the partners' names.
EXPECTED = {
    "nothing": ["changes_since", "get"],
    "a draft": ["changes_since", "get"],
    "a publication": ["changes_since", "use_case_facts_of", "territory_facts_of", "get"],
}


@pytest.mark.parametrize("write", list(WRITES))
def test_the_first_ranking_after_a_write_asks_the_store_only_what_changed(store: Store, write: str) -> None:
    # given a process whose facts cache gathered everything once (its first ranking)
    seed(store)
    counted = _CountedStore(store)
    cache = FactsCache()
    ranking.partner_cities(counted, "lyon", 10, cache)
    # when someone writes, and the process ranks again
    WRITES[write](store, "a-case")
    counted.calls.clear()
    after = ranking.partner_cities(counted, "lyon", 10, cache)
    # then it asked what changed once (not the mark, then the changes), and re-read only the
    # facts around a published case study
    assert counted.calls == EXPECTED[write]
    assert cache.gathered == 1
    assert after == ranking.partner_cities(store, "lyon", 10, FactsCache())  # and the facts are right


@pytest.mark.neo4j
@pytest.mark.parametrize("write", list(WRITES))
def test_on_neo4j_each_of_those_calls_is_one_statement(make_store: MakeStore, write: str) -> None:
    # given a process on Neo4j whose facts cache gathered everything once
    store = make_store("neo4j")
    seed(store)
    counting = StatementRecorder(store.driver)  # type: ignore[attr-defined]
    store.driver = counting  # type: ignore[attr-defined]
    cache = FactsCache()
    ranking.partner_cities(store, "lyon", 10, cache)
    # when someone writes, and the process ranks again
    WRITES[write](store, "a-case")
    counting.sent.clear()
    ranking.partner_cities(store, "lyon", 10, cache)
    # then each call was one round trip: the mark and the entries since it came in one statement
    assert len(counting.sent) == len(EXPECTED[write]), counting.sent
