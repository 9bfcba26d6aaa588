"""The GraphQL answers are the same on every store: records, order, scores, reasons, errors."""

from __future__ import annotations

from typing import Any

import pytest

from registry.services.seeding import seed
from tests.api.conftest import Api, Server, serve
from tests.conftest import MakeStore

READS = [
    """{ territories(first: 100) { totalCount edges { cursor node { id slug name country programmeStatus languages
         priorities { totalCount nodes { slug } } actors(first: 100) { totalCount edges { role node { slug kind } } }
         useCases(first: 100) { totalCount nodes { slug } } } } } }""",
    """{ a: useCases(first: 7, sort: {by: YEAR, descending: true}) { totalCount pageInfo { hasNextPage endCursor } nodes { slug yearStart } }
         b: useCases(first: 7, after: "b2Zmc2V0OjY=", sort: {by: NAME}) { nodes { slug } }
         c: useCases(filter: {domains: ["energy"], countries: ["FR"], yearFrom: 2016}) { totalCount nodes { slug } }
         d: useCases(filter: {actorKinds: [INSURER, TELECOM_OPERATOR], statuses: [COMPLETED]}) { totalCount nodes { slug } }
         e: useCases(filter: {governance: [PERSONAL_CLOUD], territories: ["lyon"], text: "énergie"}) { totalCount nodes { slug } }
         f: useCases(filter: {yearTo: 2016}, sort: {by: UPDATED}) { totalCount nodes { slug } } }""",
    """{ actors(first: 100, sort: {by: NAME, descending: true}) { totalCount nodes { slug kind territories { edges { role node { slug } } }
         useCases { edges { role node { slug } } } } } }""",
    """{ domains(first: 100) { nodes { slug useCases { totalCount } priorities { totalCount } } }
         priorities { nodes { id slug title kind status territory { slug } domains { nodes { slug } } experiments { nodes { slug } } } }
         experiments { nodes { slug status territory { slug } useCase { slug } actors { edges { role node { slug } } } } }
         workshops(first: 50) { nodes { slug kind date online phase territory { slug } participatingActors { nodes { slug } } } }
         roadmapActions(sort: {by: NAME}) { nodes { number slug } } }""",
    """{ s1: search(text: "energie") { totalCount nodes { id } }
         s2: search(text: "Cozy cloud", first: 50) { totalCount nodes { id } }
         s3: search(text: "mobilité durable") { totalCount nodes { id } } }""",
    """{ stats { useCasesByDomain { key count } useCasesByStatus { key count } useCasesByTerritory { key count }
         useCasesByGovernance { key count } territoriesByStatus { key count } actorsByKind { key count }
         experimentsByStatus { key count } prioritiesByDomain { key count } } }""",
    """{ p1: partnerCities(territory: "lyon", first: 20) { score territory { slug } reasons { kind label weight domains actors territories values } }
         p2: partnerCities(territory: "helsinki", first: 20) { score territory { slug } reasons { kind label weight } }
         p3: partnerCities(territory: "nantes", first: 20) { score territory { slug } reasons { kind label weight } } }""",
    """{ c1: candidateExperiments(priority: "lyon-social-welfare", first: 30) { score useCase { slug } reasons { kind label weight domains actors territories values } }
         c2: candidateExperiments(priority: "nantes-energy-transition", first: 30) { score useCase { slug } reasons { kind label weight } }
         c3: candidateExperiments(priority: "la-rochelle-sustainable-mobility", first: 30) { score useCase { slug } reasons { kind label weight } } }""",
    """{ a: path(from: "VGVycml0b3J5OmxhLXJvY2hlbGxl", to: "VGVycml0b3J5Omx5b24=") { length nodes { id } }
         b: path(from: "VGVycml0b3J5OmFtc3RlcmRhbQ==", to: "VGVycml0b3J5Om5hbnRlcw==") { length nodes { id } }
         c: path(from: "QWN0b3I6bWFpZg==", to: "VGVycml0b3J5OmhlbHNpbmtp", maxHops: 8) { length nodes { id } } }""",
    """{ a: dataServices(first: 50, filter: {dataCategories: [ENERGY_CONSUMPTION, BANKING], countries: ["FR", "GB"]}) {
           totalCount nodes { slug provider { slug } territories { nodes { slug } } useCases { nodes { slug } } } }
         b: useCases(filter: {dataServices: ["enedis-data-connect", "sgfindex"]}) { totalCount nodes { slug } }
         c: useCases(filter: {dataCategories: [HEALTH]}, first: 50) { totalCount nodes { slug dataCategories } }
         d: territories(filter: {within: {south: 42, west: -5, north: 52, east: 8}}, first: 50, sort: {by: NAME}) {
           totalCount nodes { slug coordinates { latitude longitude } } }
         e: useCases(filter: {within: {south: 45, west: 4, north: 46, east: 5}}, first: 50) { totalCount nodes { slug } } }""",
    '{ partnerCities(territory: "atlantis") { score } }',
    "{ territories(first: 101) { totalCount } }",
]

CASE = """mutation ($slug: String!) { submitCaseStudy(input: {slug: $slug, title: {en: "Parity case"}, status: IDEA,
  domains: ["mobility"], territories: ["lyon"], sources: [{url: "https://example.org/p", title: "P"}]}) {
  useCase { id slug version reviewState hub } errors { code field message } } }"""
STALE = """mutation ($id: ID!) { updateCaseStudy(id: $id, version: 7, input: {summary: {en: "x"}}) {
  useCase { slug } errors { code field message } } }"""
MISSING = """mutation { createPriority(input: {slug: "p-x", title: {en: "X"}, kind: SELF_DATA, status: PROPOSED,
  domains: ["no-such-domain"]}) { priority { slug } errors { code field message } } }"""


def answers_on(server: Server, store: Any) -> list[Any]:
    for api in serve(server, store):
        return answers(api)
    raise AssertionError("serve yielded no client")


def answers(api: Api) -> list[Any]:
    out: list[Any] = [api.post(document).json() for document in READS]
    out.append(api.post(CASE, {"slug": "parity-case"}, as_="hub").json())
    out.append(api.post(CASE, {"slug": "parity-case"}, as_="hub").json())  # DUPLICATE
    out.append(api.post(STALE, {"id": out[-2]["data"]["submitCaseStudy"]["useCase"]["id"]}, as_="hub").json())
    out.append(api.post(MISSING, as_="coordinator").json())
    out.append(api.post('{ useCase(slug: "parity-case") { slug } }').json())  # hidden from anonymous readers
    return out


@pytest.mark.parametrize(
    "kind", [pytest.param("postgres", marks=pytest.mark.postgres), pytest.param("neo4j", marks=pytest.mark.neo4j)]
)
def test_every_store_answers_the_seeded_programme_like_sqlite(server: Server, make_store: MakeStore, kind: str) -> None:
    # given the same seeds in SQLite and in another store
    baseline_store = make_store("sqlite")
    seed(baseline_store)
    expected = answers_on(server, baseline_store)
    other_store = make_store(kind)
    seed(other_store)
    # when the same queries and mutations are sent, then the answers are identical
    actual = answers_on(server, other_store)
    for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
        assert got == want, f"answer {index} differs on {kind}"
    submitted, duplicate, stale, missing, hidden = expected[-5:]
    assert submitted["data"]["submitCaseStudy"]["errors"] == []
    assert duplicate["data"]["submitCaseStudy"]["errors"][0]["code"] == "DUPLICATE"
    assert stale["data"]["updateCaseStudy"]["errors"][0]["code"] == "CONFLICT"
    assert missing["data"]["createPriority"]["errors"][0]["code"] == "NOT_FOUND"
    assert hidden["data"] == {"useCase": None}
