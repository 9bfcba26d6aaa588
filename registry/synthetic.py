"""A deterministic synthetic network shaped like the seeded programme, at any scale.

`generate(scale, seed)` yields the records and links in chunks, in an order where every
link points to a record of the same or an earlier chunk, so a store can load them chunk by
chunk without ever holding the whole network.  The same scale and seed always give the
same records, links and times (`random.Random(seed)`, times derived from the seed).

Everything is labelled synthetic: names ("Synthetic city 00042"), one `urn:synthetic:`
source, and countries from the ISO 3166 user-assigned codes (XA…XZ, QM…QZ), which no
real country uses.  Only the domains are real: they are the programme's vocabulary,
read from the seed files with their sources.
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from registry.domain import JSON, Hub, Kind, Link, Record, Ref, Rel, ReviewState, Source
from registry.seeding import DEFAULT_SEEDS
from registry.services.validation import check_fields, check_sources
from registry.synthetic_shape import (
    ACTOR_ROLES_IN_USE_CASES,
    GOVERNANCE_WEIGHTS,
    LOCAL_ACTOR_KINDS,
    SHARED_ACTOR_KINDS,
    STATUS_WEIGHTS,
    TERRITORY_KIND_WEIGHTS,
    USE_CASE_STATUS_WEIGHTS,
    sizes,
    texts,
)
from registry.vocabulary import DATA_CATEGORIES, EXPERIMENT_STATUSES, PRIORITY_STATUSES, SWOT_QUADRANTS, WORKSHOP_KINDS

SOURCE_URL = "urn:synthetic:registry-generate"
COUNTRY_CODES = tuple(f"X{c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ") + tuple(f"Q{c}" for c in "MNOPQRSTUVWXYZ")
LANGUAGES = ("en", "fr", "de", "es", "nl", "fi", "it", "pt")
CHUNK_ROWS = 20_000  # records and links per chunk: one store.load each


@dataclass
class Chunk:
    """Records and the links leaving them (to records of this chunk or an earlier one)."""

    records: list[Record] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


def source(scale: int, seed: int) -> Source:
    return Source(SOURCE_URL, f"Synthetic data from registry generate --scale {scale} --seed {seed}")


def synthetic_hubs(scale: int, seed: int) -> list[Hub]:
    """The hubs that submit the synthetic case studies."""
    at = _epoch(seed)
    return [Hub(f"synthetic-hub-{n:02d}", f"Synthetic hub {n:02d}", at) for n in range(1, sizes(scale).hubs + 1)]


def _epoch(seed: int) -> datetime:
    """A fixed moment derived from the seed: the time of every synthetic write."""
    return datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=random.Random(seed).randrange(365 * 86400))


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(tuple(weights), tuple(weights.values()))[0]


def _number(n: int, count: int) -> str:
    return f"{n:0{max(4, len(str(count)))}d}"


def generate(scale: int, seed: int) -> Iterator[Chunk]:
    """The whole synthetic network, a chunk of records (and their links) at a time."""
    if scale < 1:
        raise ValueError("the scale is a whole number from 1")
    yield from _Network(scale, seed).chunks()


class _Network:
    """The generator's state: the random stream and the small indexes links are drawn from."""

    def __init__(self, scale: int, seed: int) -> None:
        self.scale, self.size = scale, sizes(scale)
        self.rng = random.Random(seed)
        self.sources = (source(scale, seed),)
        self.at = _epoch(seed)
        self.hubs = [h.slug for h in synthetic_hubs(scale, seed)]
        self.countries = COUNTRY_CODES[: self.size.countries]
        self.languages = {c: LANGUAGES[n % len(LANGUAGES)] for n, c in enumerate(self.countries)}
        self.domains: list[str] = []
        self.territories: list[tuple[Ref, str]] = []  # (ref, country) of the places (not countries)
        self.by_country: dict[str, list[int]] = {c: [] for c in self.countries}
        self.statuses: list[str] = []
        self.present: dict[int, list[tuple[Ref, str]]] = {}  # territory -> (actor, actor kind)
        self.workshops: dict[int, list[Ref]] = {}
        self.priorities: list[tuple[Ref, int, list[str]]] = []  # self-data priorities: territory, domains
        self.cases_by_domain: dict[str, list[Ref]] = {}
        self.swot_workshops: list[tuple[Ref, int]] = []
        self.shared: list[tuple[Ref, str]] = []  # the national and global players, with their kind
        self.domain_weights: list[float] = []  # cumulative, for rng.choices
        self.place_weights: list[float] = []

    def _record(self, kind: Kind, slug: str, raw: JSON, state: ReviewState = ReviewState.PUBLISHED) -> Record:
        hub = None if state is ReviewState.PUBLISHED else self.rng.choice(self.hubs)
        return Record(kind, slug, check_fields(kind, raw), self.sources, 1, self.at, self.at, state, hub)

    def chunks(self) -> Iterator[Chunk]:
        chunk = Chunk()
        for make in (
            self._domains,
            self._territories,
            self._actors,
            self._workshops,
            self._priorities,
            self._use_cases,
            self._experiments,
            self._swot_items,
            self._roadmap_actions,
        ):
            for record, links in make():
                chunk.records.append(record)
                chunk.links.extend(links)
                if len(chunk.records) + len(chunk.links) >= CHUNK_ROWS:
                    yield chunk
                    chunk = Chunk()
        if chunk.records:
            yield chunk

    # -- kinds, in the order links need ----------------------------------------------------
    def _domains(self) -> Iterator[tuple[Record, list[Link]]]:
        table = tomllib.loads((DEFAULT_SEEDS / "domains.toml").read_text(encoding="utf-8"))
        for item in table["domain"]:
            fields = {k: v for k, v in item.items() if k not in ("slug", "sources")}
            data = check_fields(Kind.DOMAIN, fields)
            self.domains.append(item["slug"])
            yield (
                Record(
                    Kind.DOMAIN, item["slug"], data, check_sources(item["sources"], required=True), 1, self.at, self.at
                ),
                [],
            )
        # a few domains draw most use cases, as energy and mobility do in the seeds
        self.domain_weights = list(accumulate(1 / (rank + 1) for rank in range(len(self.domains))))

    def _territories(self) -> Iterator[tuple[Record, list[Link]]]:
        s, rng = self.size, self.rng
        for code in self.countries:
            raw: JSON = {
                "name": texts(f"Synthetic country {code}", f"Pays synthétique {code}"),
                "territory_kind": "country",
            }
            raw |= {"country": code, "languages": [self.languages[code]], "programme_status": "peer"}
            yield self._record(Kind.TERRITORY, f"synthetic-country-{code.lower()}", raw), []
        # the first countries hold most places, as France does in the seeds
        country_weights = list(accumulate(1 / (n + 1) for n in range(len(self.countries))))
        for n in range(1, s.places + 1):
            kind = _pick(rng, TERRITORY_KIND_WEIGHTS)
            country = rng.choices(self.countries, cum_weights=country_weights)[0]
            status = "pilot_city" if n == 1 else _pick(rng, STATUS_WEIGHTS)  # at least one has priorities
            label = _number(n, s.places)
            raw = {
                "name": texts(f"Synthetic {kind} {label}", f"Territoire synthétique {label}"),
                "summary": texts("A synthetic place made by registry generate.", "Un lieu synthétique."),
                "territory_kind": kind,
                "country": country,
                "languages": [self.languages[country], *(["en"] if rng.random() < 0.2 else [])],
                "programme_status": status,
                "population": rng.randrange(5_000, 2_000_000) if rng.random() < 0.5 else None,
                "priorities_defined": status == "pilot_city" or None,
            }
            ref = Ref(Kind.TERRITORY, f"synthetic-{kind}-{label}")
            self.by_country[country].append(len(self.territories))
            self.territories.append((ref, country))
            self.statuses.append(status)
            yield self._record(Kind.TERRITORY, ref.slug, raw), []
        # Zipf-like weights over places in a random order: a few draw many use cases
        order = list(range(len(self.territories)))
        rng.shuffle(order)
        weights = [0.0] * len(order)
        for rank, place in enumerate(order):
            weights[place] = 1 / (rank + 1) ** 1.1
        self.place_weights = list(accumulate(weights))

    def _place(self) -> int:
        return self.rng.choices(range(len(self.territories)), cum_weights=self.place_weights)[0]

    def _actors(self) -> Iterator[tuple[Record, list[Link]]]:
        s, rng = self.size, self.rng
        for n in range(1, s.actors + 1):
            shared = n <= s.shared_actors
            if shared:
                kind = SHARED_ACTOR_KINDS[(n - 1) % len(SHARED_ACTOR_KINDS)]
            elif n - s.shared_actors <= len(LOCAL_ACTOR_KINDS):  # every kind at least once
                kind = tuple(LOCAL_ACTOR_KINDS)[n - s.shared_actors - 1]
            else:
                kind = _pick(rng, LOCAL_ACTOR_KINDS)
            label = _number(n, s.actors)
            ref = Ref(Kind.ACTOR, f"synthetic-actor-{label}")
            if shared:  # a national or global player, present on many places
                country = rng.choice(self.countries) if rng.random() < 0.6 else None
                pool = self.by_country[country] if country else range(len(self.territories))
                many = int(s.shared_presence * rng.paretovariate(1.5))
                places = rng.sample(pool, min(len(pool), max(3, many)))
            else:  # a local one, mostly where the use cases are
                home = self._place() if rng.random() < 0.5 else rng.randrange(len(self.territories))
                country = self.territories[home][1]
                places = [home]
                if rng.random() < 0.1:
                    places.append(rng.choice(self.by_country[country]))
            if shared:
                self.shared.append((ref, kind))
            raw: JSON = {"name": texts(f"Synthetic organisation {label}", f"Organisation synthétique {label}")}
            raw |= {"actor_kind": kind, "country": country}
            links = []
            for place in dict.fromkeys(places):
                role = (
                    "platform" if kind == "personal_cloud_operator" else rng.choice(("partner", "member", "operator"))
                )
                links.append(Link(ref, Rel.PRESENT_IN, self.territories[place][0], role))
                self.present.setdefault(place, []).append((ref, kind))
            yield self._record(Kind.ACTOR, ref.slug, raw), links

    def _local_actors(self, place: int, count: int) -> list[Ref]:
        present = self.present.get(place, [])
        if not present:
            return []
        return list(dict.fromkeys(self.rng.choice(present)[0] for _ in range(count)))

    def _workshops(self) -> Iterator[tuple[Record, list[Link]]]:
        s, rng = self.size, self.rng
        for n in range(1, s.workshops + 1):
            place = self._place()
            kind = "swot" if n == 1 or rng.random() < 0.4 else rng.choice(WORKSHOP_KINDS)
            label = _number(n, s.workshops)
            ref = Ref(Kind.WORKSHOP, f"synthetic-workshop-{label}")
            day = datetime(2019, 1, 1) + timedelta(days=rng.randrange(6 * 365))
            raw: JSON = {
                "title": texts(f"Synthetic workshop {label}", f"Atelier synthétique {label}"),
                "workshop_kind": kind,
            }
            raw |= {"date": day.date().isoformat(), "phase": rng.choice((1, 2)), "online": rng.random() < 0.3}
            raw |= {"participants_count": rng.randrange(5, 80)}
            territory = self.territories[place][0]
            links = [Link(ref, Rel.IN_TERRITORY, territory)]
            links += [Link(ref, Rel.PARTICIPANT, a) for a in self._local_actors(place, rng.randrange(0, 4))]
            if rng.random() < 0.5:
                links.append(Link(ref, Rel.PARTICIPANT, territory))
            self.workshops.setdefault(place, []).append(ref)
            if kind == "swot":
                self.swot_workshops.append((ref, place))
            yield self._record(Kind.WORKSHOP, ref.slug, raw), links

    def _domain_sample(self, most: int) -> list[str]:
        count = self.rng.randint(1, most)
        return list(dict.fromkeys(self.rng.choices(self.domains, cum_weights=self.domain_weights, k=count)))

    def _priorities(self) -> Iterator[tuple[Record, list[Link]]]:
        rng, n = self.rng, 0
        engaged = ("pilot_city", "roadmap_participant", "first_workshop_done")
        for place, status in enumerate(self.statuses):
            if status not in engaged or (status != "pilot_city" and rng.random() < 0.6):
                continue
            # sometimes a political priority first, which the territory's first Self Data one serves
            kinds = ["political"] if rng.random() < 0.25 else []
            political: Ref | None = None
            for rank, kind in enumerate([*kinds, *["self_data"] * rng.randint(1, 2)], start=1):
                n += 1
                label = _number(n, self.size.places)
                ref = Ref(Kind.PRIORITY, f"synthetic-priority-{label}")
                domains = self._domain_sample(2)
                title = texts(f"Synthetic priority {label} ({domains[0]})", f"Priorité synthétique {label}")
                raw: JSON = {
                    "title": title,
                    "priority_kind": kind,
                    "rank": rank,
                    "status": rng.choice(PRIORITY_STATUSES),
                }
                links = [Link(ref, Rel.IN_TERRITORY, self.territories[place][0])]
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
                yield self._record(Kind.PRIORITY, ref.slug, raw), links

    def _use_cases(self) -> Iterator[tuple[Record, list[Link]]]:
        s, rng = self.size, self.rng
        for n in range(1, s.use_cases + 1):
            label = _number(n, s.use_cases)
            ref = Ref(Kind.USE_CASE, f"synthetic-use-case-{label}")
            home = self._place()
            country = self.territories[home][1]
            places = [home]
            if rng.random() < 0.12:  # run on a few places of the same country
                places += rng.sample(self.by_country[country], min(2, len(self.by_country[country])))
            places = list(dict.fromkeys(places))
            territories = [self.territories[p][0] for p in places]
            if rng.random() < 0.08:  # a national use case
                territories.append(Ref(Kind.TERRITORY, f"synthetic-country-{country.lower()}"))
            domains = self._domain_sample(3)
            actors = self._case_actors(places)
            state = _review_state(n)
            start = rng.randrange(2012, 2026)
            title = texts(f"Synthetic use case {label} ({domains[0]})", f"Cas d'usage synthétique {label}")
            raw: JSON = {
                "title": title,
                "summary": texts("A synthetic use case made by registry generate.", "Un cas d'usage synthétique."),
                "status": _pick(rng, USE_CASE_STATUS_WEIGHTS),
                "governance": _pick(rng, GOVERNANCE_WEIGHTS),
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
            yield self._record(Kind.USE_CASE, ref.slug, raw, state), links

    def _case_actors(self, places: Sequence[int]) -> list[tuple[Ref, str]]:
        """A lead, then partners, data holders, platforms…: mostly organisations of its places."""
        rng = self.rng
        wanted = min(10, int(rng.paretovariate(1.3)) + rng.randint(0, 2))
        pool = [actor for place in places for actor in self.present.get(place, [])]
        chosen: dict[Ref, str] = {}
        for number in range(wanted):
            if pool and rng.random() < 0.85:
                actor, kind = rng.choice(pool)
            else:  # a shared player from anywhere
                actor, kind = rng.choice(self.shared)
            role = "lead" if number == 0 else _pick(rng, ACTOR_ROLES_IN_USE_CASES)
            if kind == "personal_cloud_operator":
                role = "platform"
            chosen.setdefault(actor, role)
        return list(chosen.items())

    def _experiments(self) -> Iterator[tuple[Record, list[Link]]]:
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
            label = _number(n, s.experiments)
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
                Link(ref, Rel.IN_TERRITORY, self.territories[place][0]),
                Link(ref, Rel.IN_DOMAIN, Ref(Kind.DOMAIN, domain)),
            ]
            links += [
                Link(ref, Rel.INVOLVES, a, rng.choice(("lead", "partner", "operator")))
                for a in self._local_actors(place, rng.randint(1, 4))
            ]
            yield self._record(Kind.EXPERIMENT, ref.slug, raw), links

    def _swot_items(self) -> Iterator[tuple[Record, list[Link]]]:
        rng, n = self.rng, 0
        for workshop, place in self.swot_workshops:
            for _ in range(rng.randint(1, 4)):
                n += 1
                label = _number(n, self.size.workshops * 2)
                ref = Ref(Kind.SWOT_ITEM, f"synthetic-swot-item-{label}")
                quadrant = rng.choice(SWOT_QUADRANTS)
                raw: JSON = {
                    "quadrant": quadrant,
                    "text": texts(f"Synthetic {quadrant} {label}", f"Élément SWOT synthétique {label}"),
                }
                links = [
                    Link(ref, Rel.FROM_WORKSHOP, workshop),
                    Link(ref, Rel.IN_TERRITORY, self.territories[place][0]),
                ]
                links += [
                    Link(ref, Rel.ABOUT_ACTOR, a) for a in self._local_actors(place, 1 if rng.random() < 0.4 else 0)
                ]
                if rng.random() < 0.5:
                    links.append(Link(ref, Rel.IN_DOMAIN, Ref(Kind.DOMAIN, rng.choice(self.domains))))
                yield self._record(Kind.SWOT_ITEM, ref.slug, raw), links

    def _roadmap_actions(self) -> Iterator[tuple[Record, list[Link]]]:
        rng = self.rng
        for n in range(1, self.size.roadmap_actions + 1):
            label = _number(n, self.size.roadmap_actions)
            ref = Ref(Kind.ROADMAP_ACTION, f"synthetic-roadmap-action-{label}")
            raw: JSON = {
                "title": texts(f"Synthetic roadmap action {label}", f"Action synthétique {label}"),
                "number": n,
            }
            links = [Link(ref, Rel.IN_DOMAIN, Ref(Kind.DOMAIN, rng.choice(self.domains)))] if rng.random() < 0.2 else []
            yield self._record(Kind.ROADMAP_ACTION, ref.slug, raw), links


def _review_state(n: int) -> ReviewState:
    """Most case studies published; one in ten is a hub's draft, submitted or rejected one."""
    return {3: ReviewState.DRAFT, 7: ReviewState.SUBMITTED, 11: ReviewState.REJECTED}.get(n % 30, ReviewState.PUBLISHED)
