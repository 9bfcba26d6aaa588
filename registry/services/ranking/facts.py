"""The recommenders' facts, gathered once per change of the store and shared by a server's requests.

Gathering the facts reads the whole registry; ranking from them is quick.  A `FactsCache`
keeps them with the store's change counter (`Store.generation`) they were read at: each
ranking asks the counter (one round trip) and gathers again only when it moved.  Every
process checks the counter, so several servers on one database never serve stale facts.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from registry.store.port import Store, TerritoryFacts, UseCaseFacts


@dataclass(frozen=True)
class Territories:
    """Every territory's facts, by slug, and the ones that may be proposed as partners."""

    by_slug: dict[str, TerritoryFacts]
    partners: tuple[TerritoryFacts, ...]  # countries give context to use cases; they are not partners

    @staticmethod
    def of(facts: list[TerritoryFacts]) -> Territories:
        return Territories(
            by_slug={f.slug: f for f in facts},
            partners=tuple(f for f in facts if f.territory_kind != "country"),
        )


@dataclass(frozen=True)
class UseCases:
    """Published use cases by domain: only those sharing a domain with a priority can be candidates."""

    by_domain: dict[str, tuple[UseCaseFacts, ...]] = field(default_factory=dict)

    @staticmethod
    def of(facts: list[UseCaseFacts]) -> UseCases:
        by_domain: dict[str, list[UseCaseFacts]] = defaultdict(list)
        for case in facts:
            for domain in case.domains:
                by_domain[domain].append(case)
        return UseCases({domain: tuple(cases) for domain, cases in by_domain.items()})


class FactsCache:
    """The rankings' facts of one store, kept until the store's change counter moves.

    Make one per store (a server makes one per process, for its store); a new cache
    costs one gathering.  Safe to share between threads: one gathers, the others wait
    and reuse what it read.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._territories: Territories | None = None
        self._use_cases: UseCases | None = None

    def territories(self, store: Store) -> Territories:
        """Every territory's facts, as fresh as the store's last change."""
        generation = store.generation()  # read before the facts: so they are at least this fresh
        with self._lock:
            return self._territories_at(store, generation)

    def territories_and_use_cases(self, store: Store) -> tuple[Territories, UseCases]:
        """Territories and published use cases, as fresh as the store's last change."""
        generation = store.generation()
        with self._lock:
            territories = self._territories_at(store, generation)
            if self._use_cases is None:
                self._use_cases = UseCases.of(store.use_case_facts())
            return territories, self._use_cases

    def _territories_at(self, store: Store, generation: int) -> Territories:
        self._keep_only(generation)
        if self._territories is None:
            self._territories = Territories.of(store.territory_facts())
        return self._territories

    def _keep_only(self, generation: int) -> None:
        """Forget facts read at another generation of the store."""
        if generation != self._generation:
            self._generation = generation
            self._territories = None
            self._use_cases = None
