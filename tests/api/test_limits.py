"""Bounded work per request, through real HTTP: the query cost limit, the time budget and the
rate limits (issue 6)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from graphql import parse

from registry.api.execution.cost import EXPENSIVE, Plan
from registry.api.execution.measured import MeasuredStore
from registry.api.execution.strawberry_adapter import graphql_schema
from registry.api.graphql.schema import schema
from registry.settings import Settings
from tests.api.conftest import Api, Server
from tests.api.test_observability import samples, value

ROOT = Path(__file__).resolve().parents[2]
# 1 + 10,202 per use case: each use case's 100 territories, and their 100 actors each.
NESTED = """query ($n: Int) { useCases(first: $n) { nodes {
  territories(first: 100) { nodes { actors(first: 100) { nodes { slug } } } } } } }"""


def _cost(document: str, variables: dict[str, object] | None = None) -> float:
    return Plan(graphql_schema(schema), parse(document)).cost(None, variables)


@pytest.fixture
def limited(server: Server, api: Api) -> Iterator[tuple[Server, Api]]:
    yield server, api
    server.app.state.settings = Settings(store_url="unused://")


def _configure(server: Server, **settings: Any) -> None:
    server.app.state.settings = replace(Settings(store_url="unused://"), **settings)


def test_the_cost_multiplies_page_sizes_through_nested_lists() -> None:
    assert _cost("{ useCases(first: 10) { nodes { territories(first: 5) { nodes { slug } } } } }") == 1 + 10 + 10 + 50
    assert _cost("{ useCases { totalCount } }") == 1  # the items are not asked for
    assert _cost("{ useCases { nodes { slug } } }") == 1 + 20  # the default page
    assert _cost('{ nodes(ids: ["a", "b", "c"]) { id } }') == 3
    assert _cost(NESTED, {"n": 1}) == 10_203
    assert _cost(NESTED, {"n": 5}) == 51_011
    assert _cost(NESTED, {}) == 1 + 10_202 * 20  # a null variable is the default page


def test_the_recommenders_path_and_search_are_expensive() -> None:
    assert _cost('{ partnerCities(territory: "lyon", first: 1) { score } }') == EXPENSIVE + 1
    assert _cost('{ candidateExperiments(priority: "p", first: 2) { score } }') == EXPENSIVE + 2
    assert _cost('{ path(from: "a", to: "b") { length } }') == EXPENSIVE + 1
    assert _cost('{ search(text: "x", first: 5) { totalCount } }') == EXPENSIVE + 1


def test_the_documented_queries_are_within_the_default_limit() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documents = re.findall(r"```graphql\n(.*?)```", readme, re.S)
    documents += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "bench" / "operations").glob("*.graphql"))]
    assert len(documents) >= 10
    for document in documents:
        assert 0 < _cost(document) <= Settings().max_query_cost, document


def test_a_query_over_the_limit_is_refused_before_any_store_read(limited: tuple[Server, Api]) -> None:
    server, api = limited
    measured = MeasuredStore(api.store)
    server.app.state.store = measured
    for executor in ("strawberry's", "the lean one"):  # the second time, the document is a validated one
        refused = api.post(NESTED, {"n": 5})
        assert refused.status_code == 400, executor
        [error] = refused.json()["errors"]
        assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        assert (error["extensions"]["cost"], error["extensions"]["limit"]) == (51_011, 50_000)
        assert "51,011" in error["message"] and "50,000" in error["message"]
        assert "data" not in refused.json()
        assert measured.round_trips == 0, executor
        assert api.post(NESTED, {"n": 4}).status_code == 200  # the same document, within the limit
        reads = measured.round_trips
        assert reads > 0
        measured.round_trips = 0


def test_the_limit_is_a_setting(limited: tuple[Server, Api]) -> None:
    server, api = limited
    _configure(server, max_query_cost=10)
    answer = api.post("{ useCases(first: 10) { nodes { slug } } }")
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["extensions"]["limit"] == 10
    assert api.data("{ useCases(first: 9) { nodes { slug } } }")["useCases"]["nodes"]


def test_a_request_over_its_time_budget_is_answered_timeout(limited: tuple[Server, Api]) -> None:
    server, api = limited
    query = '{ territory(slug: "lyon") { slug useCases { nodes { slug actors { nodes { slug } } } } } }'
    assert api.data(query)["territory"]["slug"] == "lyon"  # now a validated document: the lean path
    _configure(server, time_budget=1e-9)
    for caller in (None, "coordinator"):
        answer = api.post(query, as_=caller)
        assert answer.status_code == 504
        assert answer.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
        assert "data" not in answer.json()
    _configure(server, time_budget=10.0)  # the store serves the next request
    assert api.data(query, as_="coordinator")["territory"]["slug"] == "lyon"


def test_rate_limits_per_address_and_per_key(limited: tuple[Server, Api]) -> None:
    server, api = limited
    _configure(server, rate_limit_anonymous="3/minute", rate_limit_key="2/minute")
    query = "{ domains(first: 1) { totalCount } }"
    before = samples(api)
    for _ in range(3):
        assert api.post(query).status_code == 200
    refused = api.post(query)
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # a key has its own count, apart from its address's
    for _ in range(2):
        assert api.post(query, as_="coordinator").status_code == 200
    assert api.post(query, as_="coordinator").status_code == 429
    assert api.post(query, as_="admin").status_code == 200
    after = samples(api)  # each refusal is counted in /metrics, by what was limited
    for kind in ("address", "key"):
        counted = value(after, "registry_rate_limited_total", kind=kind) - value(
            before, "registry_rate_limited_total", kind=kind
        )
        assert counted == 1, kind
    _configure(server, rate_limit_anonymous="off")
    assert api.post(query).status_code == 200
