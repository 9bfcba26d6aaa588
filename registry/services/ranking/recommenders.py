"""The two recommenders: partner cities and candidate experiments.

The weights below are the only place where the ranking is defined.  Every
store hands over the same facts (`TerritoryFacts`, `UseCaseFacts`), so the
same data always gives the same order: score, descending, then slug.
Weights are multiples of 1/4 so that sums are exact in floating point.

The facts come from a `FactsCache` (shared by a server's requests, refreshed when the
store changes); every candidate is scored in memory, and only the `first` ones
returned are put into words, with the names they need fetched in one round trip.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import Kind, Record, Ref, Rel
from registry.services.ranking.facts import FactsCache
from registry.services.ranking.reason_words import french_values, in_french, status_in_french
from registry.store.codec import label
from registry.store.port import PUBLIC, Store, TerritoryFacts, UseCaseFacts

# -- partner cities ---------------------------------------------------------------
SHARED_PRIORITY_DOMAIN = 3.0  # both have a roadmap priority in this domain
PRIORITY_IN_THEIR_USE_CASES = 2.0  # our priority's domain is one their use cases worked on
SHARED_USE_CASE_DOMAIN = 1.0  # both have use cases in this domain
SHARED_PLATFORM = 2.0  # the same platform or personal cloud runs on both territories
SHARED_PARTNER = 1.5  # the same organisation works on both territories
SAME_COUNTRY = 1.0
SHARED_LANGUAGE = 0.5
BOTH_IN_PROGRAMME = 0.5  # both take part in the roadmap (not mere peers)

# -- candidate experiments -------------------------------------------------------------
DOMAIN_MATCH = 4.0  # per priority domain the use case covers (at least one is required)
STATUS_MATURITY = {
    "live": 2.0,
    "adopted": 2.0,
    "completed": 1.5,
    "pilot": 1.5,
    "prototype": 1.0,
    "designed": 0.5,
    "study": 0.5,
    "idea": 0.25,
    "abandoned": -1.0,
}
ACTOR_ON_TERRITORY = 2.0  # an organisation of the use case is already on the territory
ACTOR_KIND_ON_TERRITORY = 0.5  # an organisation of the same kind is on the territory
PLATFORM_ON_TERRITORY = 1.5  # its governance needs a platform the territory already has
DOCUMENTED_GOVERNANCE = 0.5  # the governance model is known
ALREADY_ON_TERRITORY = 1.0  # it already ran on this territory: scale it up
CANDIDATE_SAME_COUNTRY = 1.0
# A service it relies on is available on the territory (or its whole country): people there can
# actually get the data the use case needs, a coordinator's first practical question.
SERVICE_ON_TERRITORY = 1.5

PROGRAMME_STATUSES = frozenset({"pilot_city", "roadmap_participant", "first_workshop_done", "in_discussion"})


@dataclass(frozen=True)
class Reason:
    kind: str
    label: str
    weight: float
    domains: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    territories: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    inferred: bool = False  # it rests on a value no source states (a labelled inference)
    records: tuple[Ref, ...] = ()  # other records the sentence names (the services available there)


@dataclass(frozen=True)
class Ranked:
    slug: str
    score: float
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


class Names:
    """Readable names for the sentences, fetched in one round trip."""

    def __init__(self, store: Store, refs: set[Ref], lang: str = "en") -> None:
        self.records: dict[Ref, Record] = store.get(sorted(refs), PUBLIC)  # they rank published facts only
        self.lang = lang

    def of(self, kind: Kind, slugs: tuple[str, ...]) -> str:
        return self.of_refs(tuple(Ref(kind, s) for s in slugs))

    def of_refs(self, refs: tuple[Ref, ...]) -> str:
        return ", ".join(label(self.records[r], self.lang) if r in self.records else r.slug for r in refs)


Draft = tuple[str, str, list[Reason]]  # a slug, the other territory its sentences name, its reasons


def _top(scores: Iterable[tuple[float, str]], first: int) -> list[str]:
    """The slugs of the `first` positive scores, by score descending, then slug."""
    best = heapq.nsmallest(first, ((-score, slug) for score, slug in scores if score > 0))
    return [slug for _, slug in best]


def _in_words(store: Store, drafts: list[Draft], lang: str = "en") -> list[Ranked]:
    """The results returned, with their reasons in words (the names they need in one round trip)."""
    refs = {Ref(Kind.TERRITORY, them) for _, them, _ in drafts if them}
    for _, _, reasons in drafts:
        for r in reasons:
            refs |= {Ref(Kind.DOMAIN, d) for d in r.domains}
            refs |= {Ref(Kind.ACTOR, a) for a in r.actors}
            refs |= {Ref(Kind.TERRITORY, t) for t in r.territories}
            refs |= set(r.records)
    names = Names(store, refs, lang)
    return [
        Ranked(slug, sum(r.weight for r in reasons), tuple(_worded(r, names, them) for r in reasons))
        for slug, them, reasons in drafts
    ]


def partner_cities(
    store: Store, territory: str, first: int, cache: FactsCache | None = None, lang: str = "en"
) -> list[Ranked]:
    """Other territories ranked by what they share with `territory`, their reasons worded in `lang` ("en", "fr").

    Pass the server's `cache` to reuse facts across requests; without one they are read afresh.
    """
    territories = (cache or FactsCache()).territories(store)
    mine = territories.by_slug.get(territory)
    if mine is None:
        raise RegistryError(ErrorCode.NOT_FOUND, f"No territory {territory!r}.", "territory")
    others = {other.slug: other for other in territories.partners if other.slug != territory}
    # Score every territory, then find the reasons of the few returned.
    top = _top(((_partner_score(mine, other), slug) for slug, other in others.items()), first)
    return _in_words(store, [(slug, slug, _partner_reasons(mine, others[slug])) for slug in top], lang)


def _partner_score(mine: TerritoryFacts, other: TerritoryFacts) -> float:
    """The sum of `_partner_reasons(mine, other)`'s weights, without building the reasons."""
    shared_priorities = mine.priority_domains & other.priority_domains
    in_their_cases = (mine.priority_domains & other.use_case_domains) - shared_priorities
    shared_cases = (mine.use_case_domains & other.use_case_domains) - shared_priorities - in_their_cases
    platforms = mine.platforms & other.platforms
    partners = (mine.actors & other.actors) - platforms
    score = (
        SHARED_PRIORITY_DOMAIN * len(shared_priorities)
        + PRIORITY_IN_THEIR_USE_CASES * len(in_their_cases)
        + SHARED_USE_CASE_DOMAIN * len(shared_cases)
        + SHARED_PLATFORM * len(platforms)
        + SHARED_PARTNER * len(partners)
    )
    if mine.country and mine.country == other.country:
        score += SAME_COUNTRY
    if not mine.languages.isdisjoint(other.languages):
        score += SHARED_LANGUAGE
    if mine.status in PROGRAMME_STATUSES and other.status in PROGRAMME_STATUSES:
        score += BOTH_IN_PROGRAMME
    return score


def _partner_reasons(mine: TerritoryFacts, other: TerritoryFacts) -> list[Reason]:
    reasons: list[Reason] = []
    shared_priorities = tuple(sorted(mine.priority_domains & other.priority_domains))
    in_their_cases = tuple(sorted((mine.priority_domains & other.use_case_domains) - set(shared_priorities)))
    shared_cases = tuple(
        sorted((mine.use_case_domains & other.use_case_domains) - set(shared_priorities) - set(in_their_cases))
    )
    platforms = tuple(sorted(mine.platforms & other.platforms))
    partners = tuple(sorted((mine.actors & other.actors) - set(platforms)))
    if shared_priorities:
        reasons.append(
            Reason("SHARED_PRIORITY_DOMAIN", "", SHARED_PRIORITY_DOMAIN * len(shared_priorities), shared_priorities)
        )
    if in_their_cases:
        reasons.append(
            Reason("PRIORITY_IN_THEIR_USE_CASES", "", PRIORITY_IN_THEIR_USE_CASES * len(in_their_cases), in_their_cases)
        )
    if shared_cases:
        reasons.append(Reason("SHARED_USE_CASE_DOMAIN", "", SHARED_USE_CASE_DOMAIN * len(shared_cases), shared_cases))
    if platforms:
        reasons.append(Reason("SHARED_PLATFORM", "", SHARED_PLATFORM * len(platforms), actors=platforms))
    if partners:
        reasons.append(Reason("SHARED_PARTNER", "", SHARED_PARTNER * len(partners), actors=partners))
    if mine.country and mine.country == other.country:
        reasons.append(Reason("SAME_COUNTRY", "", SAME_COUNTRY, values=(mine.country,)))
    languages = tuple(sorted(mine.languages & other.languages))
    if languages:
        reasons.append(Reason("SHARED_LANGUAGE", "", SHARED_LANGUAGE, values=languages))
    if mine.status in PROGRAMME_STATUSES and other.status in PROGRAMME_STATUSES:
        reasons.append(Reason("BOTH_IN_PROGRAMME", "", BOTH_IN_PROGRAMME, values=(other.status,)))
    return reasons


def _worded(reason: Reason, names: Names, other: str) -> Reason:
    """The sentence a coordinator reads, built from the reason's data."""
    them = names.of(Kind.TERRITORY, (other,))
    domains = names.of(Kind.DOMAIN, reason.domains)
    actors = names.of(Kind.ACTOR, reason.actors)
    values = ", ".join(v.replace("_", " ") for v in reason.values)
    text = {
        "SHARED_PRIORITY_DOMAIN": f"Both have a roadmap priority in {domains}.",
        "PRIORITY_IN_THEIR_USE_CASES": f"{them} has use cases in {domains}, the domain of your priority.",
        "SHARED_USE_CASE_DOMAIN": f"Both have use cases in {domains}.",
        "SHARED_PLATFORM": f"The same platform already runs on both territories: {actors}.",
        "SHARED_PARTNER": f"The same organisations work on both territories: {actors}.",
        "SAME_COUNTRY": f"Same country ({values}).",
        "SHARED_LANGUAGE": f"A shared language ({values}).",
        "BOTH_IN_PROGRAMME": f"{them} also takes part in the Self Data Territorial roadmap ({values}).",
        "DOMAIN_MATCH": f"It covers the priority's domain: {domains}.",
        "ACTOR_ON_TERRITORY": f"Organisations it involved are already on your territory: {actors}.",
        "ACTOR_KIND_ON_TERRITORY": f"Organisations of the kinds it needs are on your territory: {values}.",
        "PLATFORM_ON_TERRITORY": f"Its governance ({values}) can reuse a platform already on your territory: {actors}.",
        "DOCUMENTED_GOVERNANCE": f"Its governance model is documented: {values}.",
        "ALREADY_ON_TERRITORY": "It already ran on your territory: it could be scaled up.",
        "SAME_COUNTRY_AS_USE_CASE": f"It ran in the same country ({values}).",
        "SERVICE_ON_TERRITORY": f"People on your territory can get the data it needs through {names.of_refs(reason.records)}.",
    }.get(reason.kind)
    if reason.inferred and text:
        # Say so: the value behind this reason is the registry's inference, not a sourced fact.
        text = (
            f"No source states its governance model; the registry infers {values}."
            if reason.kind == "DOCUMENTED_GOVERNANCE"
            else f"{text[:-1]} (inferred, not stated by a source)."
        )
    if reason.kind == "STATUS":
        where = names.of(Kind.TERRITORY, reason.territories) or "an unknown place"
        status = reason.values[0]
        text = f"Its status in {where} is not known." if status == "unknown" else f"Status in {where}: {status}."
    if names.lang == "fr":  # the same facts in French (reason_words.py)
        where = names.of(Kind.TERRITORY, reason.territories)
        text = in_french(
            reason.kind, them, domains, actors, french_values(reason.values), names.of_refs(reason.records)
        )
        text = status_in_french(where, reason.values[0]) if reason.kind == "STATUS" else text
    return Reason(
        reason.kind,
        text or reason.kind,
        reason.weight,
        reason.domains,
        reason.actors,
        reason.territories,
        reason.values,
        reason.inferred,
        reason.records,
    )


def candidate_experiments(
    store: Store, priority: str, first: int, cache: FactsCache | None = None, lang: str = "en"
) -> list[Ranked]:
    """Published use cases ranked by how well they could serve `priority` as an experiment (reasons in `lang`).

    Pass the server's `cache` to reuse facts across requests; without one they are read afresh.
    """
    ref = Ref(Kind.PRIORITY, priority)
    if ref not in store.get([ref], PUBLIC):
        raise RegistryError(ErrorCode.NOT_FOUND, f"No priority {priority!r}.", "priority")
    domains = frozenset(link.target.slug for link in store.links_from([ref], Rel.IN_DOMAIN))
    territory_links = store.links_from([ref], Rel.IN_TERRITORY)
    territories, use_cases = (cache or FactsCache()).territories_and_use_cases(store)
    home = territories.by_slug.get(territory_links[0].target.slug) if territory_links else None
    # Only a use case covering one of the priority's domains can score.
    candidates = {case.slug: case for d in sorted(domains) for case in use_cases.by_domain.get(d, ())}
    top = _top(((_candidate_score(domains, home, case), slug) for slug, case in candidates.items()), first)
    here = home.slug if home else ""
    return _in_words(store, [(slug, here, _candidate_reasons(domains, home, candidates[slug])) for slug in top], lang)


def _is_platform(kind: str, role: str) -> bool:
    return role in ("platform", "operator") or kind == "personal_cloud_operator"


def _governance(case: UseCaseFacts) -> tuple[str, bool]:
    """The governance model ranked on, and whether it is an inference (no source states it)."""
    if case.governance == "unknown" and case.inferred_governance:
        return case.inferred_governance, True
    return case.governance, False


def _candidate_score(domains: frozenset[str], home: TerritoryFacts | None, case: UseCaseFacts) -> float:
    """The sum of `_candidate_reasons(domains, home, case)`'s weights, without building the reasons."""
    matched = len(domains & case.domains)
    if not matched:
        return 0.0
    score = DOMAIN_MATCH * matched + STATUS_MATURITY.get(case.status, 0.0)
    if home is None:
        return score
    score += ACTOR_ON_TERRITORY * len({slug for slug, _, _ in case.actors} & home.actors)
    other_kinds = {kind for slug, kind, _ in case.actors if slug not in home.actors and kind in home.actor_kinds}
    score += ACTOR_KIND_ON_TERRITORY * len(other_kinds)
    governance, _ = _governance(case)
    if governance == "personal_cloud" and any(
        slug in home.platforms and _is_platform(kind, role) for slug, kind, role in case.actors
    ):
        score += PLATFORM_ON_TERRITORY
    elif governance != "unknown":
        score += DOCUMENTED_GOVERNANCE
    if any(slug == home.slug for slug, _ in case.territories):
        score += ALREADY_ON_TERRITORY
    if any(country == home.country for _, country in case.territories):
        score += CANDIDATE_SAME_COUNTRY
    if _services_here(case, home):
        score += SERVICE_ON_TERRITORY
    return score


def _services_here(case: UseCaseFacts, home: TerritoryFacts) -> tuple[Ref, ...]:
    """The services the use case relies on that are available on `home` or in its whole country."""
    return tuple(
        sorted(
            {
                Ref.parse(service)
                for service, place, country in case.services
                if place == home.slug or (country and country == home.country)
            }
        )
    )


def _candidate_reasons(domains: frozenset[str], home: TerritoryFacts | None, case: UseCaseFacts) -> list[Reason]:
    matched = tuple(sorted(domains & case.domains))
    if not matched:
        return []
    reasons = [Reason("DOMAIN_MATCH", "", DOMAIN_MATCH * len(matched), matched)]
    maturity = STATUS_MATURITY.get(case.status, 0.0)
    places = tuple(slug for slug, _ in case.territories)
    reasons.append(Reason("STATUS", "", maturity, territories=places, values=(case.status,)))
    if home is None:
        return reasons
    case_actors = {slug for slug, _, _ in case.actors}
    on_site = tuple(sorted(case_actors & home.actors))
    if on_site:
        reasons.append(Reason("ACTOR_ON_TERRITORY", "", ACTOR_ON_TERRITORY * len(on_site), actors=on_site))
    other_kinds = tuple(
        sorted({kind for slug, kind, _ in case.actors if slug not in home.actors and kind in home.actor_kinds})
    )
    if other_kinds:
        reasons.append(
            Reason("ACTOR_KIND_ON_TERRITORY", "", ACTOR_KIND_ON_TERRITORY * len(other_kinds), values=other_kinds)
        )
    platforms = tuple(sorted(home.platforms & {slug for slug, kind, role in case.actors if _is_platform(kind, role)}))
    governance, inferred = _governance(case)
    if governance == "personal_cloud" and platforms:
        reasons.append(
            Reason(
                "PLATFORM_ON_TERRITORY",
                "",
                PLATFORM_ON_TERRITORY,
                actors=platforms,
                values=(governance,),
                inferred=inferred,
            )
        )
    elif governance != "unknown":
        reasons.append(
            Reason("DOCUMENTED_GOVERNANCE", "", DOCUMENTED_GOVERNANCE, values=(governance,), inferred=inferred)
        )
    if home.slug in places:
        reasons.append(Reason("ALREADY_ON_TERRITORY", "", ALREADY_ON_TERRITORY, territories=(home.slug,)))
    countries = tuple(sorted({country for _, country in case.territories}))
    if home.country in countries:
        reasons.append(Reason("SAME_COUNTRY_AS_USE_CASE", "", CANDIDATE_SAME_COUNTRY, values=(home.country,)))
    services = _services_here(case, home)
    if services:
        slugs = tuple(ref.slug for ref in services)
        reasons.append(Reason("SERVICE_ON_TERRITORY", "", SERVICE_ON_TERRITORY, values=slugs, records=services))
    return reasons
