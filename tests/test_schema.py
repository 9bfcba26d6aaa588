"""schema.graphql is the exported SDL: front-end teams read it, so it must match the code."""

from __future__ import annotations

from pathlib import Path

from registry.api.graphql.schema import sdl

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_the_committed_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == sdl(), "run `registry export-schema` and commit schema.graphql"


def test_the_names_clients_rely_on_are_in_the_schema() -> None:
    text = sdl()
    for needle in (
        "interface Node",
        "node(id: ID!): Node",
        "nodes(ids: [ID!]!): [Node]!",
        "partnerCities(territory: ID!, first: Int = null, lang: Language! = EN): [PartnerMatch!]!",
        "candidateExperiments(priority: ID!, first: Int = null, lang: Language! = EN): [ExperimentCandidate!]!",
        "type PartnerMatch {\n  territory: Territory!\n  score: Float!\n  reasons: [Reason!]!",
        "type ExperimentCandidate {\n  useCase: UseCase!\n  score: Float!\n  reasons: [Reason!]!",
        "search(text: String!",
        "path(from: ID!, to: ID!",
    ):
        assert needle in text, needle
