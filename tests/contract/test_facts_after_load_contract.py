"""After a load (`registry generate`, `registry import`), the first writes are still told by the trail.

A server started on a loaded registry gathers the recommenders' facts once.  The first draft a
hub then saves must leave them as they are, and the first publication must re-read only the facts
around it: if the load left the audit number unknown, that first write reads as a gap and every
process re-gathers the whole registry (seconds at ×1,000) before its next ranking.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from registry.domain.records import AuditEntry, Hub, Kind, Principal, Ref, Rel, Role
from registry.services.editing import Change, Editing
from registry.services.ranking import recommenders as ranking
from registry.services.ranking.facts import FactsCache
from registry.store.port import Store
from tests.contract.builders import AT, domain, link, priority, territory, text

HUB = Principal(Role.HUB, "hub-a", "hub-key")
STAFF = Principal(Role.COORDINATOR, None, "coordinator-key")
SOURCES = [{"url": "https://example.org/case", "title": "The case"}]
FACTS_READS = ("territory_facts", "use_case_facts", "territory_facts_of", "use_case_facts_of")


class CountedStore:
    """A real store whose facts reads are counted; every call goes to the store itself."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.reads: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._store, name)
        if name not in FACTS_READS:
            return found

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.reads[name] += 1
            return found(*args, **kwargs)

        return counted


def _loaded(store: Store) -> None:
    """Lyon and Rennes, a priority on Lyon's energy, loaded whole with their audit trail."""
    lyon, rennes, energy, plan = territory("lyon"), territory("rennes"), domain("energy"), priority("lyon-energy")
    records = [lyon, rennes, energy, plan]
    trail = [AuditEntry(n, AT, "admin:import", "create", str(r.ref), None, 1) for n, r in enumerate(records, 1)]
    links = [link(plan, Rel.IN_TERRITORY, lyon), link(plan, Rel.IN_DOMAIN, energy)]
    store.clear()
    store.load(records, links, trail, hubs=[Hub("hub-a", "Hub A", AT)])


def _case(store: Store, who: Principal, slug: str, draft: bool) -> None:
    links = [
        (Rel.IN_TERRITORY, [(Ref(Kind.TERRITORY, "lyon"), "")]),
        (Rel.IN_DOMAIN, [(Ref(Kind.DOMAIN, "energy"), "")]),
    ]
    change = Change(fields={"title": text(slug), "status": "pilot"}, sources=SOURCES, links=links, slug=slug)
    Editing(store).submit_case_study(who, change, None, draft=draft)


def test_the_first_draft_after_a_load_reads_no_facts(store: Store) -> None:
    # given a loaded registry and a cache that gathered its facts
    _loaded(store)
    cache = FactsCache()
    before = ranking.partner_cities(store, "lyon", 10, cache)
    mark = store.change_mark()
    # when a hub saves the first draft since the load, and the next ranking runs
    _case(store, HUB, "a-draft", draft=True)
    counted = CountedStore(store)
    after = ranking.partner_cities(counted, "lyon", 10, cache)  # every Store method, counted
    # then the trail tells the change (one entry, the draft), the facts are kept as they were
    since = store.changes_since(mark, FactsCache.MOST_ENTRIES)
    assert since.entries is not None and [e.ref for e in since.entries] == [str(Ref(Kind.USE_CASE, "a-draft"))]
    assert counted.reads == Counter()
    assert cache.gathered == 1
    assert after == before


def test_the_first_publication_after_a_load_rereads_only_its_facts(store: Store) -> None:
    # given a loaded registry and a cache that gathered its facts
    _loaded(store)
    cache = FactsCache()
    ranking.partner_cities(store, "lyon", 10, cache)
    # when a coordinator publishes the first case study since the load
    _case(store, STAFF, "a-case", draft=False)
    Editing(store).review_case_study(STAFF, "a-case", 1, None, publish=True)
    counted = CountedStore(store)
    ranked = ranking.candidate_experiments(counted, "lyon-energy", 10, cache)
    # then the cache re-reads the facts around it only, and ranks it as a fresh cache does
    assert counted.reads["territory_facts"] == counted.reads["use_case_facts"] == 0
    assert counted.reads["use_case_facts_of"] == 1
    assert cache.gathered == 1 and cache.refreshed == 1
    assert ranked == ranking.candidate_experiments(store, "lyon-energy", 10, FactsCache())
