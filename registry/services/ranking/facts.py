"""The recommenders' facts, gathered once and kept up to date from the writes themselves.

Gathering the facts reads the whole registry; ranking from them is quick.  A `FactsCache`
keeps them with the store's change mark (`Store.change_mark`) they were read at: each ranking
asks what changed since (`Store.changes_since`: one round trip on Neo4j, one or two on SQL).
When the mark moved, the audit entries since say which records changed: a write no recommender can see (a draft, a submission, a rejection) changes nothing,
and a public one has only the facts around its records read again (`refresh.stale`).  Only
when the trail cannot say (a change it does not describe, too many changes) is everything
gathered again.  Every process checks the mark, so several servers on one database never
serve facts older than the mark they read.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from registry.services.ranking import refresh
from registry.store.port import ChangeMark, Changes, Store, TerritoryFacts, UseCaseFacts


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


@dataclass(frozen=True)
class Snapshot:
    """The facts read at (or after) one mark of the store; never changed, replaced whole."""

    mark: ChangeMark
    territories: Territories
    use_cases: dict[str, UseCaseFacts]  # published, by slug
    by_domain: UseCases

    @staticmethod
    def of(mark: ChangeMark, territories: list[TerritoryFacts], use_cases: list[UseCaseFacts]) -> Snapshot:
        return Snapshot(mark, Territories.of(territories), {c.slug: c for c in use_cases}, UseCases.of(use_cases))


class FactsCache:
    """The rankings' facts of one store, brought up to the store's mark before each ranking.

    Make one per store (a server makes one per process, for its store); a new cache
    costs one gathering.  Safe to share between threads: one refreshes at a time while the
    others wait for it up to `WAIT_SECONDS`, then answer from the facts before it (a full
    gathering takes seconds on a large registry; no ranking should wait for it).
    """

    MOST_ENTRIES = 500  # audit entries read in one refresh; past it, gathering everything is as quick
    MOST_STALE = 300  # facts read again in one refresh; past it, likewise
    WAIT_SECONDS = 0.05

    def __init__(self) -> None:
        self._refreshing = threading.Lock()
        self._snapshot: Snapshot | None = None
        self.gathered = 0  # full gatherings (tests and benchmarks read it)
        self.refreshed = 0  # refreshes from the audit trail

    def territories(self, store: Store) -> Territories:
        """Every territory's facts, as fresh as the store's last change."""
        return self.snapshot(store).territories

    def territories_and_use_cases(self, store: Store) -> tuple[Territories, UseCases]:
        """Territories and published use cases, as fresh as the store's last change."""
        snapshot = self.snapshot(store)
        return snapshot.territories, snapshot.by_domain

    def snapshot(self, store: Store) -> Snapshot:
        """The facts at least as fresh as the store's mark now (or, while another thread
        refreshes for longer than WAIT_SECONDS, the facts before that refresh)."""
        kept = self._snapshot
        if kept is None:
            with self._refreshing:  # nothing to answer from yet
                if self._snapshot is None:
                    self._snapshot = self._gather(store, store.change_mark())
                return self._snapshot
        # The mark now and what changed since the kept one, read before the facts (so they are
        # at least this fresh): one round trip, whether or not something changed.
        since = store.changes_since(kept.mark, self.MOST_ENTRIES)
        if since.mark == kept.mark:
            return kept
        if not self._refreshing.acquire(timeout=self.WAIT_SECONDS):
            return kept  # another thread is still refreshing: the facts before it
        try:
            if self._snapshot is not kept:  # another thread refreshed while this one waited
                kept = self._snapshot
                assert kept is not None
                if kept.mark == since.mark:
                    return kept
                since = store.changes_since(kept.mark, self.MOST_ENTRIES)
            kept = self._refresh(store, kept, since)
            self._snapshot = kept
            return kept
        finally:
            self._refreshing.release()

    def _refresh(self, store: Store, kept: Snapshot, since: Changes) -> Snapshot:
        if since.entries is None:
            return self._gather(store, since.mark)
        records = refresh.touched(since.entries)
        if not records:  # nothing a recommender reads: the same facts, at the new mark
            return Snapshot(since.mark, kept.territories, kept.use_cases, kept.by_domain)
        stale = refresh.stale(store, records, kept.territories.by_slug, kept.use_cases)
        if len(stale) > self.MOST_STALE:
            return self._gather(store, since.mark)
        self.refreshed += 1
        territories = dict(kept.territories.by_slug)
        if stale.every_territory:
            territories = {t.slug: t for t in store.territory_facts()}
        else:
            for slug in stale.territories:
                territories.pop(slug, None)
            territories.update((t.slug, t) for t in store.territory_facts_of(sorted(stale.territories)))
        use_cases = dict(kept.use_cases)
        for slug in stale.use_cases:
            use_cases.pop(slug, None)  # no longer published, unless read again
        use_cases.update(stale.use_case_facts)  # those `stale` read already
        unread = sorted(stale.use_cases - stale.use_cases_read)
        if unread:
            use_cases.update((c.slug, c) for c in store.use_case_facts_of(unread))
        # Sorted by slug as a full gathering is, so rankings break ties the same way.
        return Snapshot.of(
            since.mark,
            [territories[slug] for slug in sorted(territories)],
            [use_cases[slug] for slug in sorted(use_cases)],
        )

    def _gather(self, store: Store, mark: ChangeMark) -> Snapshot:
        """Everything, read after `mark` was."""
        self.gathered += 1
        return Snapshot.of(mark, store.territory_facts(), store.use_case_facts())
