"""Which recommender facts a run of audit entries makes stale, and re-reading only those.

A territory's facts gather what is linked to it: priorities and their domains, published use
cases with their domains and organisations, organisations present.  A use case's facts gather
its own links and the places and organisations they reach.  So a changed record makes stale
the facts it appeared in before the change (found in the facts themselves) and those it
appears in after (found from its links now).  A priority's old territory is in no fact, so a
changed priority makes every territory's facts stale; priorities are few and rarely edited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from registry.domain.records import AuditEntry, Kind, Ref, Rel
from registry.store import changes
from registry.store.port import Store, TerritoryFacts, UseCaseFacts

_LINKED_FROM = (Rel.IN_TERRITORY, Rel.PRESENT_IN)  # a record's links that may reach a territory
_LINKED_TO = (Rel.INVOLVES, Rel.IN_TERRITORY, Rel.RELIES_ON)  # a use case's links that may reach a record


@dataclass
class Stale:
    """The facts to read again."""

    territories: set[str] = field(default_factory=set)
    use_cases: set[str] = field(default_factory=set)
    every_territory: bool = False  # a priority changed: its former territory is not known
    use_cases_read: set[str] = field(default_factory=set)  # of `use_cases`, those whose facts were read
    use_case_facts: dict[str, UseCaseFacts] = field(default_factory=dict)  # what was read (published ones)

    def __len__(self) -> int:
        return len(self.territories) + len(self.use_cases)


def touched(entries: Iterable[AuditEntry]) -> set[Ref]:
    """The records the public entries name: the record written, and a link's other end."""
    found: set[Ref] = set()
    for entry in entries:
        if not changes.public(entry):
            continue  # a draft, a submission, a rejection: no recommender reads it
        for text in (entry.ref, entry.detail.get("target")):
            if isinstance(text, str) and _is_record(text):
                found.add(Ref.parse(text))
    return found


def _is_record(text: str) -> bool:
    kind, _, slug = text.partition(":")
    return bool(slug) and kind in Kind._value2member_map_  # hubs and API keys are no records


def stale(
    store: Store,
    records: set[Ref],
    territories: dict[str, TerritoryFacts],
    use_cases: dict[str, UseCaseFacts],
) -> Stale:
    """The facts that mention `records` now (their links and, for use cases, their facts now: read
    in a few round trips) or did
    before (the cached `territories` and `use_cases`)."""
    out = Stale()
    cases = sorted(ref for ref in records if ref.kind is Kind.USE_CASE)
    others = sorted(ref for ref in records if ref.kind is not Kind.USE_CASE)
    slugs = {ref.slug for ref in others}
    services = {str(ref) for ref in others if ref.kind is Kind.DATA_SERVICE}
    for ref in cases:
        out.use_cases.add(ref.slug)
        before = use_cases.get(ref.slug)
        if before is not None:  # its places then (a place that is an actor reaches no territory)
            out.territories.update(slug for slug, _ in before.territories)
    if cases:
        # Its places now are in its facts now, which are read anyway: one round trip for both.
        # A use case not published now is in no territory's facts, so it has none to give.
        out.use_cases_read.update(ref.slug for ref in cases)
        out.use_case_facts.update((c.slug, c) for c in store.use_case_facts_of([ref.slug for ref in cases]))
        for case in out.use_case_facts.values():
            out.territories.update(slug for slug, _ in case.territories)  # an actor's slug finds no territory
    for ref in others:
        if ref.kind is Kind.TERRITORY:
            out.territories.add(ref.slug)
        elif ref.kind is Kind.PRIORITY:
            out.every_territory = True
    if slugs:  # facts that named them before: by slug, a superset when two kinds share one
        out.territories.update(t.slug for t in territories.values() if t.actors & slugs)
        out.use_cases.update(
            case.slug
            for case in use_cases.values()
            if any(slug in slugs for slug, _ in case.territories)
            or any(slug in slugs for slug, _, _ in case.actors)
            or any(service in services or place in slugs for service, place, _ in case.services)
        )
    # Their links now: the territories they reach, the use cases that reach them.
    if others:
        for rel in _LINKED_FROM:
            out.territories.update(
                link.target.slug for link in store.links_from(others, rel) if link.target.kind is Kind.TERRITORY
            )
        for rel in _LINKED_TO:
            out.use_cases.update(
                link.source.slug for link in store.links_to(others, rel) if link.source.kind is Kind.USE_CASE
            )
        available = [ref for ref in others if ref.kind is Kind.TERRITORY]
        if available:  # use cases relying on a service available there: they name the place
            services_there = [link.source for link in store.links_to(available, Rel.AVAILABLE_IN)]
            if services_there:
                out.use_cases.update(
                    link.source.slug
                    for link in store.links_to(services_there, Rel.RELIES_ON)
                    if link.source.kind is Kind.USE_CASE
                )
    return out
