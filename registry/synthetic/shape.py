"""The shape of the synthetic network: how many records of each kind per scale, and how
often each value of the vocabulary appears, taken from the proportions of the seeds.

Scale 1 is about the seeded programme's size (17 territories, 54 organisations, 26 use
cases); scale N has N times as many records of each kind (roadmap actions stop at 1,000,
the largest number an action may have).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from math import sqrt

from registry.domain.records import JSON, Source

SOURCE_URL = "urn:synthetic:registry-generate"
# ISO 3166-1 codes reserved for private use: no real country has them.
COUNTRY_CODES = tuple(f"X{c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ") + tuple(f"Q{c}" for c in "MNOPQRSTUVWXYZ")
LANGUAGES = ("en", "fr", "de", "es", "nl", "fi", "it", "pt")


@dataclass(frozen=True)
class Sizes:
    countries: int
    places: int  # territories that are not countries
    actors: int
    shared_actors: int  # national or global players, present on many places
    shared_presence: float  # how many places a shared player is on, before its Pareto spread
    workshops: int
    use_cases: int
    experiments: int
    roadmap_actions: int
    hubs: int


def sizes(scale: int) -> Sizes:
    """The number of records of each kind at `scale`."""
    countries = min(40, 2 + scale)
    shared = max(4, round(2 * sqrt(scale)))
    return Sizes(
        countries=countries,
        places=17 * scale - countries,
        actors=54 * scale,
        shared_actors=shared,
        shared_presence=4 * scale / shared,
        workshops=5 * scale,
        use_cases=26 * scale,
        experiments=2 * scale,
        roadmap_actions=min(8 * scale, 1000),
        hubs=min(20, 1 + scale // 10),
    )


def texts(en: str, fr: str) -> JSON:
    """A French/English text pair."""
    return {"en": en, "fr": fr}


def source(scale: int, seed: int) -> Source:
    """The one source of every synthetic record: it says how to make it again."""
    return Source(SOURCE_URL, f"Synthetic data from registry generate --scale {scale} --seed {seed}")


def epoch(seed: int) -> datetime:
    """A fixed moment derived from the seed: the time of every synthetic write."""
    return datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=random.Random(seed).randrange(365 * 86400))


def hub_slugs(scale: int) -> list[str]:
    return [f"synthetic-hub-{n:02d}" for n in range(1, sizes(scale).hubs + 1)]


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    """One value, drawn with its weight."""
    return rng.choices(tuple(weights), tuple(weights.values()))[0]


def number(n: int, count: int) -> str:
    """n padded to the width of count (at least 4 digits): labels sort as numbers."""
    return f"{n:0{max(4, len(str(count)))}d}"


TERRITORY_KIND_WEIGHTS = {"city": 60.0, "metropolis": 22.0, "agglomeration": 8.0, "region": 10.0}
STATUS_WEIGHTS = {
    "peer": 7.0,
    "in_discussion": 4.0,
    "pilot_city": 3.0,
    "first_workshop_done": 2.0,
    "roadmap_participant": 1.0,
    "unknown": 1.0,
}
# The kinds of the national and global players, in the order they are made.
SHARED_ACTOR_KINDS = (
    "energy_grid_operator",
    "personal_cloud_operator",
    "telecom_operator",
    "national_body",
    "network_or_hub",
    "energy_supplier",
    "bank",
    "insurer",
)
# Every other kind (and some of the same) for the local organisations.
LOCAL_ACTOR_KINDS = {
    "local_authority": 9.0,
    "company": 11.0,
    "research": 6.0,
    "cooperative": 3.0,
    "network_or_hub": 2.0,
    "insurer": 1.0,
    "bank": 1.0,
    "developer": 2.0,
    "think_tank": 1.0,
    "ngo": 1.0,
    "funder": 1.0,
    "retailer": 1.0,
    "mobility_operator": 1.0,
    "water_utility": 1.0,
    "waste_service": 1.0,
    "energy_supplier": 0.5,
}
ACTOR_ROLES_IN_USE_CASES = {
    "partner": 53.0,
    "data_holder": 23.0,
    "platform": 10.0,
    "research": 4.0,
    "commons_steward": 3.0,
    "developer": 3.0,
    "funder": 2.0,
    "sponsor": 2.0,
    "operator": 2.0,
    "member": 1.0,
    "signatory": 1.0,
    "unknown": 1.0,
}
USE_CASE_STATUS_WEIGHTS = {
    "unknown": 9.0,
    "completed": 8.0,
    "live": 3.0,
    "pilot": 2.0,
    "designed": 2.0,
    "adopted": 2.0,
    "study": 1.0,
    "prototype": 1.0,
    "idea": 1.0,
    "abandoned": 1.0,
}
GOVERNANCE_WEIGHTS = {
    "unknown": 16.0,
    "personal_cloud": 7.0,
    "data_cooperative": 3.0,
    "trusted_third_party": 2.0,
    "direct_transfer": 2.0,
    "civic_data_trust": 1.0,
}


def planned_records(scale: int) -> int:
    """About how many records `scale` makes (priorities and SWOT items are drawn at random)."""
    s = sizes(scale)
    fixed = 20 + s.countries + s.places + s.actors + s.workshops + s.use_cases + s.experiments + s.roadmap_actions
    return fixed + 7 * scale + 5 * scale
