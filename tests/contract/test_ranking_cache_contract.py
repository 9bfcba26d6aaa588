"""The recommenders' facts cache, on every store: one cache per server process, kept against the store's counter."""

from __future__ import annotations

from registry.domain.records import Rel
from registry.services.ranking import recommenders as ranking
from registry.services.ranking.facts import FactsCache
from registry.store.port import Store
from tests.contract.builders import create, domain, link, priority, territory, use_case


def test_two_processes_see_each_others_writes_through_their_caches(store: Store, same_database: Store) -> None:
    # given Lyon with an energy priority, Grenoble and Paris, and two server processes, each with its cache
    lyon, grenoble, paris, energy = territory("lyon"), territory("grenoble"), territory("paris"), domain("energy")
    plan = priority("lyon-energy")
    create(
        store,
        [lyon, grenoble, paris, energy, plan],
        [link(plan, Rel.IN_TERRITORY, lyon), link(plan, Rel.IN_DOMAIN, energy)],
    )
    here, there = FactsCache(), FactsCache()
    partners = ranking.partner_cities(store, "lyon", 10, here)
    assert [r.slug for r in partners] == ["grenoble", "paris"]  # same country, language and programme: by slug
    assert ranking.partner_cities(same_database, "lyon", 10, there) == partners
    assert ranking.candidate_experiments(store, "lyon-energy", 10, here) == []
    # when the other process gives Grenoble an energy priority and publishes an energy use case there
    theirs = priority("grenoble-energy")
    solar = use_case("solar", status="pilot")
    create(
        same_database,
        [theirs, solar],
        [
            link(theirs, Rel.IN_TERRITORY, grenoble),
            link(theirs, Rel.IN_DOMAIN, energy),
            link(solar, Rel.IN_TERRITORY, grenoble),
            link(solar, Rel.IN_DOMAIN, energy),
        ],
    )
    # then this process's next rankings show it, as the other process's and a fresh reading do
    partners = ranking.partner_cities(store, "lyon", 10, here)
    assert [r.slug for r in partners] == ["grenoble", "paris"]
    assert partners[0].reasons[0].kind == "SHARED_PRIORITY_DOMAIN" and partners[0].reasons[0].domains == ("energy",)
    assert (
        partners
        == ranking.partner_cities(same_database, "lyon", 10, there)
        == ranking.partner_cities(store, "lyon", 10)
    )
    candidates = ranking.candidate_experiments(store, "lyon-energy", 10, here)
    assert [r.slug for r in candidates] == ["solar"]
    assert candidates == ranking.candidate_experiments(same_database, "lyon-energy", 10, there)
