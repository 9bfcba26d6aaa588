"""The places and organisations of the synthetic network: domains, territories, actors.

`Places` also holds what the rest of the network is drawn from: the random stream, which
organisations are present on each territory, and the Zipf-like weights that make a few
territories draw most of the use cases.
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import replace
from itertools import accumulate

from registry.domain.records import JSON, Kind, Link, Record, Ref, Rel, ReviewState
from registry.services.seeding import DEFAULT_SEEDS, method_records
from registry.services.validation import check_fields, check_sources
from registry.synthetic.shape import (
    COUNTRY_CODES,
    LANGUAGES,
    LOCAL_ACTOR_KINDS,
    SHARED_ACTOR_KINDS,
    STATUS_WEIGHTS,
    TERRITORY_KIND_WEIGHTS,
    epoch,
    hub_slugs,
    number,
    pick,
    sizes,
    source,
    texts,
)

Made = Iterator[tuple[Record, list[Link]]]  # records, each with the links leaving it


class Places:
    """Generates domains, territories and actors, and keeps the indexes links are drawn from."""

    def __init__(self, scale: int, seed: int) -> None:
        self.size = sizes(scale)
        self.rng = random.Random(seed)
        self.seed = seed
        # Coordinates come from their own stream, so the rest of the network is drawn as before.
        self.points = random.Random(f"{seed}-coordinates")
        self.actor_slugs: list[str] = []
        self.sources = (source(scale, seed),)
        self.at = epoch(seed)
        self.hubs = hub_slugs(scale)
        self.countries = COUNTRY_CODES[: self.size.countries]
        self.languages = {c: LANGUAGES[n % len(LANGUAGES)] for n, c in enumerate(self.countries)}
        self.domains: list[str] = []
        self.territories: list[tuple[Ref, str]] = []  # (ref, country) of the places (not countries)
        self.by_country: dict[str, list[int]] = {c: [] for c in self.countries}
        self.statuses: list[str] = []
        self.present: dict[int, list[tuple[Ref, str]]] = {}  # territory -> (actor, actor kind)
        self.shared: list[tuple[Ref, str]] = []  # the national and global players, with their kind
        self.domain_weights: list[float] = []  # cumulative, for rng.choices
        self.place_weights: list[float] = []

    def record(self, kind: Kind, slug: str, raw: JSON, state: ReviewState = ReviewState.PUBLISHED) -> Record:
        hub = None if state is ReviewState.PUBLISHED else self.rng.choice(self.hubs)
        return Record(kind, slug, check_fields(kind, raw), self.sources, 1, self.at, self.at, state, hub)

    def makers(self) -> tuple[Callable[[], Made], ...]:
        """What it makes, in order: links reach only records made before them."""
        return (self.make_domains, self.make_method, self.make_territories, self.make_actors)

    def make_domains(self) -> Made:
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

    def make_method(self) -> Made:
        # the real roadmap method, as seeded: the API answers `method` from the store
        for record in method_records(DEFAULT_SEEDS):
            yield replace(record, created_at=self.at, updated_at=self.at), []

    def make_territories(self) -> Made:
        s, rng = self.size, self.rng
        for code in self.countries:
            raw: JSON = {
                "name": texts(f"Synthetic country {code}", f"Pays synthétique {code}"),
                "territory_kind": "country",
            }
            raw |= {"country": code, "languages": [self.languages[code]], "programme_status": "peer"}
            yield self.record(Kind.TERRITORY, f"synthetic-country-{code.lower()}", raw), []
        # the first countries hold most places, as France does in the seeds
        country_weights = list(accumulate(1 / (n + 1) for n in range(len(self.countries))))
        for n in range(1, s.places + 1):
            kind = pick(rng, TERRITORY_KIND_WEIGHTS)
            country = rng.choices(self.countries, cum_weights=country_weights)[0]
            status = "pilot_city" if n == 1 else pick(rng, STATUS_WEIGHTS)  # at least one has priorities
            label = number(n, s.places)
            raw = {
                "name": texts(f"Synthetic {kind} {label}", f"Territoire synthétique {label}"),
                "summary": texts("A synthetic place made by registry generate.", "Un lieu synthétique."),
                "territory_kind": kind,
                "country": country,
                "languages": [self.languages[country], *(["en"] if rng.random() < 0.2 else [])],
                "programme_status": status,
                "population": rng.randrange(5_000, 2_000_000) if rng.random() < 0.5 else None,
                "priorities_defined": status == "pilot_city" or None,
                "coordinates": {  # somewhere in Europe, labelled synthetic with the record
                    "latitude": round(self.points.uniform(36.0, 64.0), 4),
                    "longitude": round(self.points.uniform(-9.0, 28.0), 4),
                },
            }
            ref = Ref(Kind.TERRITORY, f"synthetic-{kind}-{label}")
            self.by_country[country].append(len(self.territories))
            self.territories.append((ref, country))
            self.statuses.append(status)
            yield self.record(Kind.TERRITORY, ref.slug, raw), []
        # Zipf-like weights over places in a random order: a few draw many use cases
        order = list(range(len(self.territories)))
        rng.shuffle(order)
        weights = [0.0] * len(order)
        for rank, place in enumerate(order):
            weights[place] = 1 / (rank + 1) ** 1.1
        self.place_weights = list(accumulate(weights))

    def place(self) -> int:
        return self.rng.choices(range(len(self.territories)), cum_weights=self.place_weights)[0]

    def make_actors(self) -> Made:
        s, rng = self.size, self.rng
        for n in range(1, s.actors + 1):
            shared = n <= s.shared_actors
            if shared:
                kind = SHARED_ACTOR_KINDS[(n - 1) % len(SHARED_ACTOR_KINDS)]
            elif n - s.shared_actors <= len(LOCAL_ACTOR_KINDS):  # every kind at least once
                kind = tuple(LOCAL_ACTOR_KINDS)[n - s.shared_actors - 1]
            else:
                kind = pick(rng, LOCAL_ACTOR_KINDS)
            label = number(n, s.actors)
            ref = Ref(Kind.ACTOR, f"synthetic-actor-{label}")
            self.actor_slugs.append(ref.slug)
            if shared:  # a national or global player, present on many places
                country = rng.choice(self.countries) if rng.random() < 0.6 else None
                pool = self.by_country[country] if country else range(len(self.territories))
                many = int(s.shared_presence * rng.paretovariate(1.5))
                places = rng.sample(pool, min(len(pool), max(3, many)))
            else:  # a local one, mostly where the use cases are
                home = self.place() if rng.random() < 0.5 else rng.randrange(len(self.territories))
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
            yield self.record(Kind.ACTOR, ref.slug, raw), links

    def local_actors(self, place: int, count: int) -> list[Ref]:
        present = self.present.get(place, [])
        if not present:
            return []
        return list(dict.fromkeys(self.rng.choice(present)[0] for _ in range(count)))

    def domain_sample(self, most: int) -> list[str]:
        count = self.rng.randint(1, most)
        return list(dict.fromkeys(self.rng.choices(self.domains, cum_weights=self.domain_weights, k=count)))
