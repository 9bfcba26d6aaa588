"""What the synthetic network does: workshops, priorities, use cases, experiments,
SWOT items and roadmap actions, drawn over the places and organisations of `Places`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from registry.domain.records import JSON, Kind, Link, Ref, Rel, ReviewState
from registry.domain.vocabulary import (
    ACCESS_MODES,
    DATA_CATEGORIES,
    EXPERIMENT_STATUSES,
    PRIORITY_STATUSES,
    SWOT_QUADRANTS,
    WORKSHOP_KINDS,
)
from registry.synthetic.places import Made, Places
from registry.synthetic.shape import (
    ACTOR_ROLES_IN_USE_CASES,
    GOVERNANCE_WEIGHTS,
    USE_CASE_STATUS_WEIGHTS,
    number,
    pick,
    texts,
)


class Activities:
    """Generates the programme's work on the places, after them (links point back to them)."""

    def __init__(self, places: Places) -> None:
        self.p = places
        self.rng, self.size = places.rng, places.size
        self.workshops: dict[int, list[Ref]] = {}
        self.swot_workshops: list[tuple[Ref, int]] = []
        self.priorities: list[tuple[Ref, int, list[str]]] = []  # self-data priorities: territory, domains
        self.cases_by_domain: dict[str, list[Ref]] = {}

    def make_workshops(self) -> Made:
        s, rng = self.size, self.rng
        for n in range(1, s.workshops + 1):
            place = self.p.place()
            kind = "swot" if n == 1 or rng.random() < 0.4 else rng.choice(WORKSHOP_KINDS)
            label = number(n, s.workshops)
            ref = Ref(Kind.WORKSHOP, f"synthetic-workshop-{label}")
            day = datetime(2019, 1, 1) + timedelta(days=rng.randrange(6 * 365))
            raw: JSON = {
                "title": texts(f"Synthetic workshop {label}", f"Atelier synthétique {label}"),
                "workshop_kind": kind,
            }
            raw |= {"date": day.date().isoformat(), "phase": rng.choice((1, 2)), "online": rng.random() < 0.3}
            raw |= {"participants_count": rng.randrange(5, 80)}
            territory = self.p.territories[place][0]
            links = [Link(ref, Rel.IN_TERRITORY, territory)]
            links += [Link(ref, Rel.PARTICIPANT, a) for a in self.p.local_actors(place, rng.randrange(0, 4))]
            if rng.random() < 0.5:
                links.append(Link(ref, Rel.PARTICIPANT, territory))
            self.workshops.setdefault(place, []).append(ref)
            if kind == "swot":
                self.swot_workshops.append((ref, place))
            yield self.p.record(Kind.WORKSHOP, ref.slug, raw), links

    def make_priorities(self) -> Made:
        rng, n = self.rng, 0
        engaged = ("pilot_city", "roadmap_participant", "first_workshop_done")
        for place, status in enumerate(self.p.statuses):
            if status not in engaged or (status != "pilot_city" and rng.random() < 0.6):
                continue
            # sometimes a political priority first, which the territory's first Self Data one serves
            kinds = ["political"] if rng.random() < 0.25 else []
            political: Ref | None = None
            for rank, kind in enumerate([*kinds, *["self_data"] * rng.randint(1, 2)], start=1):
                n += 1
                label = number(n, self.size.places)
                ref = Ref(Kind.PRIORITY, f"synthetic-priority-{label}")
                domains = self.p.domain_sample(2)
                title = texts(f"Synthetic priority {label} ({domains[0]})", f"Priorité synthétique {label}")
                raw: JSON = {
                    "title": title,
                    "priority_kind": kind,
                    "rank": rank,
                    "status": rng.choice(PRIORITY_STATUSES),
                }
                links = [Link(ref, Rel.IN_TERRITORY, self.p.territories[place][0])]
                links += [Link(ref, Rel.IN_DOMAIN, Ref(Kind.DOMAIN, d)) for d in domains]
                if place in self.workshops and rng.random() < 0.5:
                    links.append(Link(ref, Rel.FROM_WORKSHOP, rng.choice(self.workshops[place])))
                if kind == "political":
                    political = ref
                else:
                    if political is not None:
                        links.append(Link(ref, Rel.LINKED_TO, political))
                        political = None
                    self.priorities.append((ref, place, domains))
                yield self.p.record(Kind.PRIORITY, ref.slug, raw), links

    def makers(self) -> tuple[Callable[[], Made], ...]:
        """What it makes, in order: a service's users are the use cases made before it."""
        return (
            self.make_workshops,
            self.make_priorities,
            self.make_use_cases,
            self.make_data_services,
            self.make_experiments,
            self.make_swot_items,
            self.make_roadmap_actions,
        )

    def make_data_services(self) -> Made:
        """Services through which people get their data: each run by an organisation, available in
        a country, relied on by a few published use cases.  Drawn from their own random stream, so
        that the rest of the network is the one earlier versions made."""
        rng = random.Random(f"{self.p.seed}-data-services")
        count = 6 * self.size.use_cases // 26
        cases = sorted({case for cases in self.cases_by_domain.values() for case in cases})
        for n in range(1, count + 1):
            label = number(n, count)
            ref = Ref(Kind.DATA_SERVICE, f"synthetic-data-service-{label}")
            country = rng.choice(self.p.countries)
            raw: JSON = {
                "name": texts(f"Synthetic data service {label}", f"Service de données synthétique {label}"),
                "access_modes": rng.sample(ACCESS_MODES, rng.randint(1, 2)),
                "data_categories": rng.sample(DATA_CATEGORIES[:-1], rng.randint(1, 3)),
            }
            links = [
                Link(ref, Rel.PROVIDED_BY, Ref(Kind.ACTOR, rng.choice(self.p.actor_slugs))),
                Link(ref, Rel.AVAILABLE_IN, Ref(Kind.TERRITORY, f"synthetic-country-{country.lower()}")),
            ]
            links += [Link(case, Rel.RELIES_ON, ref) for case in sorted(rng.sample(cases, min(3, len(cases))))]
            yield self.p.record(Kind.DATA_SERVICE, ref.slug, raw), links

    def make_use_cases(self) -> Made:
        s, rng = self.size, self.rng
        for n in range(1, s.use_cases + 1):
            label = number(n, s.use_cases)
            ref = Ref(Kind.USE_CASE, f"synthetic-use-case-{label}")
            home = self.p.place()
            country = self.p.territories[home][1]
            places = [home]
            if rng.random() < 0.12:  # run on a few places of the same country
                places += rng.sample(self.p.by_country[country], min(2, len(self.p.by_country[country])))
            places = list(dict.fromkeys(places))
            territories = [self.p.territories[p][0] for p in places]
            if rng.random() < 0.08:  # a national use case
                territories.append(Ref(Kind.TERRITORY, f"synthetic-country-{country.lower()}"))
            domains = self.p.domain_sample(3)
            actors = self._case_actors(places)
            state = _review_state(n)
            start = rng.randrange(2012, 2026)
            title = texts(f"Synthetic use case {label} ({domains[0]})", f"Cas d'usage synthétique {label}")
            raw: JSON = {
                "title": title,
                "summary": texts("A synthetic use case made by registry generate.", "Un cas d'usage synthétique."),
                "status": pick(rng, USE_CASE_STATUS_WEIGHTS),
                "governance": pick(rng, GOVERNANCE_WEIGHTS),
                "data_categories": rng.sample(DATA_CATEGORIES[:-1], rng.randint(0, 3)),
                "year_start": start,
                "year_end": start + rng.randrange(0, 5) if rng.random() < 0.5 else None,
                "country": country,
                "review_note": "Synthetic review note." if state is ReviewState.REJECTED else None,
            }
            links = [Link(ref, Rel.IN_TERRITORY, t) for t in territories]
            links += [Link(ref, Rel.IN_DOMAIN, Ref(Kind.DOMAIN, d)) for d in domains]
            links += [Link(ref, Rel.INVOLVES, actor, role) for actor, role in actors]
            if state is ReviewState.PUBLISHED:
                for d in domains:
                    self.cases_by_domain.setdefault(d, []).append(ref)
            yield self.p.record(Kind.USE_CASE, ref.slug, raw, state), links

    def _case_actors(self, places: Sequence[int]) -> list[tuple[Ref, str]]:
        """A lead, then partners, data holders, platforms…: mostly organisations of its places."""
        rng = self.rng
        wanted = min(10, int(rng.paretovariate(1.3)) + rng.randint(0, 2))
        pool = [actor for place in places for actor in self.p.present.get(place, [])]
        chosen: dict[Ref, str] = {}
        for position in range(wanted):
            if pool and rng.random() < 0.85:
                actor, kind = rng.choice(pool)
            else:  # a shared player from anywhere
                actor, kind = rng.choice(self.p.shared)
            role = "lead" if position == 0 else pick(rng, ACTOR_ROLES_IN_USE_CASES)
            if kind == "personal_cloud_operator":
                role = "platform"
            chosen.setdefault(actor, role)
        return list(chosen.items())

    def make_experiments(self) -> Made:
        s, rng = self.size, self.rng
        n = 0
        for _ in range(s.experiments):
            if not self.priorities:
                return
            priority, place, domains = rng.choice(self.priorities)
            domain = next((d for d in domains if d in self.cases_by_domain), None)
            if domain is None:  # no published use case in its domains to replicate
                continue
            cases = self.cases_by_domain[domain]
            n += 1
            label = number(n, s.experiments)
            ref = Ref(Kind.EXPERIMENT, f"synthetic-experiment-{label}")
            status = rng.choice(EXPERIMENT_STATUSES)
            start = datetime(2019, 1, 1) + timedelta(days=rng.randrange(6 * 365))
            raw: JSON = {"title": texts(f"Synthetic experiment {label}", f"Expérimentation synthétique {label}")}
            raw |= {"status": status, "start_date": start.date().isoformat()}
            if status in ("done", "dropped"):
                raw["end_date"] = (start + timedelta(days=rng.randrange(30, 900))).date().isoformat()
            links = [
                Link(ref, Rel.SERVES, priority),
                Link(ref, Rel.REPLICATES, rng.choice(cases), rng.choice(("replicates", "adapts"))),
                Link(ref, Rel.IN_TERRITORY, self.p.territories[place][0]),
                Link(ref, Rel.IN_DOMAIN, Ref(Kind.DOMAIN, domain)),
            ]
            links += [
                Link(ref, Rel.INVOLVES, a, rng.choice(("lead", "partner", "operator")))
                for a in self.p.local_actors(place, rng.randint(1, 4))
            ]
            yield self.p.record(Kind.EXPERIMENT, ref.slug, raw), links

    def make_swot_items(self) -> Made:
        rng, n = self.rng, 0
        for workshop, place in self.swot_workshops:
            for _ in range(rng.randint(1, 4)):
                n += 1
                label = number(n, self.size.workshops * 2)
                ref = Ref(Kind.SWOT_ITEM, f"synthetic-swot-item-{label}")
                quadrant = rng.choice(SWOT_QUADRANTS)
                raw: JSON = {
                    "quadrant": quadrant,
                    "text": texts(f"Synthetic {quadrant} {label}", f"Élément SWOT synthétique {label}"),
                }
                links = [
                    Link(ref, Rel.FROM_WORKSHOP, workshop),
                    Link(ref, Rel.IN_TERRITORY, self.p.territories[place][0]),
                ]
                links += [
                    Link(ref, Rel.ABOUT_ACTOR, a) for a in self.p.local_actors(place, 1 if rng.random() < 0.4 else 0)
                ]
                if rng.random() < 0.5:
                    links.append(Link(ref, Rel.IN_DOMAIN, Ref(Kind.DOMAIN, rng.choice(self.p.domains))))
                yield self.p.record(Kind.SWOT_ITEM, ref.slug, raw), links

    def make_roadmap_actions(self) -> Made:
        rng = self.rng
        for n in range(1, self.size.roadmap_actions + 1):
            label = number(n, self.size.roadmap_actions)
            ref = Ref(Kind.ROADMAP_ACTION, f"synthetic-roadmap-action-{label}")
            raw: JSON = {
                "title": texts(f"Synthetic roadmap action {label}", f"Action synthétique {label}"),
                "number": n,
            }
            links = (
                [Link(ref, Rel.IN_DOMAIN, Ref(Kind.DOMAIN, rng.choice(self.p.domains)))] if rng.random() < 0.2 else []
            )
            yield self.p.record(Kind.ROADMAP_ACTION, ref.slug, raw), links


def _review_state(n: int) -> ReviewState:
    """Most case studies published; one in ten is a hub's draft, submitted or rejected one."""
    return {3: ReviewState.DRAFT, 7: ReviewState.SUBMITTED, 11: ReviewState.REJECTED}.get(n % 30, ReviewState.PUBLISHED)
