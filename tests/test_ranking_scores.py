"""The recommenders score every candidate quickly and word only the ones returned: both must agree."""

from __future__ import annotations

import random

from registry.services.ranking.recommenders import (
    _candidate_reasons,
    _candidate_score,
    _partner_reasons,
    _partner_score,
)
from registry.store.port import TerritoryFacts, UseCaseFacts

DOMAINS = ["energy", "mobility", "health", "water"]
ACTORS = [("cozy", "personal_cloud_operator"), ("grid", "energy_grid_operator"), ("city", "local_authority")]
ACTORS += [("bank", "bank"), ("coop", "company")]
ROLES = ["platform", "operator", "partner", ""]
STATUSES = ["pilot_city", "in_discussion", "peer", "unknown"]
CASE_STATUSES = ["live", "pilot", "idea", "abandoned", "unknown", "something new"]
GOVERNANCE = ["personal_cloud", "data_cooperative", "unknown"]


def _some(rng: random.Random, items: list[str]) -> frozenset[str]:
    return frozenset(rng.sample(items, rng.randint(0, len(items))))


def _territory(rng: random.Random, slug: str) -> TerritoryFacts:
    actors = _some(rng, [a for a, _ in ACTORS])
    return TerritoryFacts(
        slug=slug,
        country=rng.choice(["FR", "BE", ""]),
        languages=_some(rng, ["fr", "nl", "en"]),
        status=rng.choice(STATUSES),
        priority_domains=_some(rng, DOMAINS),
        use_case_domains=_some(rng, DOMAINS),
        actors=actors,
        platforms=_some(rng, sorted(actors)),
        actor_kinds=_some(rng, [k for _, k in ACTORS]),
        territory_kind="city",
    )


def _use_case(rng: random.Random, slug: str) -> UseCaseFacts:
    actors = [(a, k, rng.choice(ROLES)) for a, k in rng.sample(ACTORS, rng.randint(0, len(ACTORS)))]
    places = rng.sample([("lyon", "FR"), ("brussels", "BE"), ("nowhere", "")], rng.randint(0, 3))
    return UseCaseFacts(
        slug=slug,
        status=rng.choice(CASE_STATUSES),
        governance=rng.choice(GOVERNANCE),
        domains=_some(rng, DOMAINS),
        territories=tuple(sorted(places)),
        actors=tuple(sorted(actors)),
    )


def test_a_partners_score_is_the_sum_of_its_reasons_weights() -> None:
    rng = random.Random(7)
    for n in range(2000):
        mine, other = _territory(rng, "lyon"), _territory(rng, f"other-{n}")
        assert _partner_score(mine, other) == sum(r.weight for r in _partner_reasons(mine, other)), (mine, other)


def test_a_candidates_score_is_the_sum_of_its_reasons_weights() -> None:
    rng = random.Random(11)
    for n in range(2000):
        domains, case = _some(rng, DOMAINS), _use_case(rng, f"case-{n}")
        home = rng.choice([None, _territory(rng, "lyon"), _territory(rng, "brussels")])
        expected = sum(r.weight for r in _candidate_reasons(domains, home, case))
        assert _candidate_score(domains, home, case) == expected, (domains, home, case)
