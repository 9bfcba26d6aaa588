"""A ranking does not wait for another thread's full gathering of the facts: it answers from the facts before."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from registry.domain.records import Hub
from registry.services.ranking import recommenders as ranking
from registry.services.ranking.facts import FactsCache
from registry.store.port import Store, TerritoryFacts
from registry.store.sql.store import SqlStore
from tests.contract.builders import AT, create, territory


class HeldGathering:
    """A real SQLite store whose full gathering of territories waits until the test lets it go."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.started = threading.Event()
        self.go_on = threading.Event()

    def territory_facts(self) -> list[TerritoryFacts]:
        self.started.set()
        assert self.go_on.wait(30)
        return self._store.territory_facts()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_a_ranking_answers_from_the_facts_before_while_another_thread_gathers_them(tmp_path: Path) -> None:
    # given a cache holding the facts of Lyon and Rennes
    store = SqlStore(f"sqlite:///{tmp_path / 'registry.db'}")
    create(store, [territory("lyon"), territory("rennes")])
    cache = FactsCache()
    held = HeldGathering(store)
    before = ranking.partner_cities(store, "lyon", 10, cache)
    # when a change the audit trail does not describe makes one thread gather everything (held)
    store.put_hub(Hub("hub-a", "Hub A", AT))
    gatherer = threading.Thread(target=lambda: cache.territories(held))
    gatherer.start()
    assert held.started.wait(30)
    # then another thread's ranking answers at once, from the facts before the change
    assert ranking.partner_cities(store, "lyon", 10, cache) == before
    assert not held.go_on.is_set() and gatherer.is_alive()
    # and once the gathering ends, rankings use what it read
    held.go_on.set()
    gatherer.join(30)
    assert cache.gathered == 2
    assert ranking.partner_cities(store, "lyon", 10, cache) == ranking.partner_cities(store, "lyon", 10)
    store.close()
