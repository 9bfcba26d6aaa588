"""Operations visibility: /metrics, JSON log lines with request ids, /health and /ready."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest
from prometheus_client.parser import text_string_to_metric_families

from registry.observability import metrics
from registry.observability.logging_json import JsonLines
from tests.api.conftest import Api, Server

QUERY = "query Territories { territories(first: 2) { totalCount nodes { slug } } }"


def samples(api: Api) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = api.client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    found: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def test_requests_are_counted_by_operation_outcome_and_path(api: Api) -> None:
    query = f"{QUERY} # {uuid.uuid4().hex}"  # a document this process has not validated yet
    before = samples(api)
    # Given a query sent once with a key (strawberry's executor validates it; a keyed caller's
    # operation name becomes a label), then three times anonymously: the lean executor answers it
    # and the response cache keeps the answer, then the cache answers it twice
    assert api.post(query, as_="coordinator").status_code == 200
    for _ in range(3):
        assert api.post(query).status_code == 200
    # and an anonymous document named by nobody trusted, which does not validate
    assert api.post(f"query Broken{uuid.uuid4().hex} {{ territories {{ nope }} }}").status_code == 400
    after = samples(api)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    total = "registry_graphql_requests_total"
    assert grew(total, operation="Territories", outcome="ok", path="full") == 1
    assert grew(total, operation="Territories", outcome="ok", path="lean") == 1
    assert grew(total, operation="Territories", outcome="ok", path="cache") == 2
    assert grew(total, operation="other", outcome="refused", path="full") == 1
    assert grew("registry_graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED") == 1
    # latency: every request of the operation is in the histogram, per path
    assert grew("registry_graphql_request_seconds_count", operation="Territories", path="cache") == 2
    # store round trips: the full read made some; a cached answer makes one (the change counter)
    assert grew("registry_store_round_trips_count", operation="Territories") == 4
    assert grew("registry_store_round_trips_sum", operation="Territories") >= 2


def test_errors_are_counted_by_code(api: Api) -> None:
    before = samples(api)
    unknown = api.client.post(
        "/graphql", json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}}
    )
    assert unknown.status_code == 404
    after = samples(api)
    name = "registry_graphql_errors_total"
    assert (
        value(after, name, code="PERSISTED_QUERY_NOT_FOUND") - value(before, name, code="PERSISTED_QUERY_NOT_FOUND")
        == 1
    )


def test_operation_names_from_the_document_and_bounded_labels() -> None:
    # an explorer operation is known to every server (create_app reads operations.js)
    assert metrics.operation_label((None, "query Catalogue($lang: Language!) { x }")) == "Catalogue"
    assert metrics.operation_label(("Explicit", "query Other { x }"), keyed=True) == "Explicit"
    assert metrics.operation_label(("Explicit", None)) == "Explicit"  # seen from a keyed caller before
    assert metrics.operation_label((None, "query NeverSeen { x }")) == "other"  # anonymous, unknown
    assert metrics.operation_label((None, "{ territories { totalCount } }")) == "anonymous"
    assert metrics.operation_label(("no spaces allowed", None), keyed=True) == "other"


def test_keyed_callers_add_names_up_to_the_cap_then_other() -> None:
    names = metrics.OperationNames(frozenset({"Trusted"}), keyed_cap=2)
    assert [names.label(n, keyed=True) for n in ("A", "B", "C", "A")] == ["A", "B", "other", "A"]
    assert names.label("Trusted", keyed=False) == "Trusted" and names.label("D", keyed=False) == "other"


def test_rate_limit_refusals_are_counted_by_kind(api: Api, server: Server) -> None:
    # Given limits of two requests a minute per address and per key
    server.app.state.settings = replace(
        server.app.state.settings, rate_limit_anonymous="2/minute", rate_limit_key="2/minute"
    )
    before = samples(api)
    # when an anonymous caller and a keyed one each send three
    anonymous = [api.post(QUERY).status_code for _ in range(3)]
    keyed = [api.post(QUERY, as_="coordinator").status_code for _ in range(3)]
    after = samples(api)
    # then each third is refused, and counted under the kind the server names
    assert anonymous == [200, 200, 429] and keyed == [200, 200, 429]
    name = "registry_rate_limited_total"
    assert value(after, name, kind="address") - value(before, name, kind="address") == 1
    assert value(after, name, kind="key") - value(before, name, kind="key") == 1


@pytest.fixture
def access_lines() -> Iterator[io.StringIO]:
    """The registry's per-request log lines, formatted as `registry serve` formats them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines())
    logger = logging.getLogger("registry.access")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_each_request_logs_one_json_line_with_its_request_id(api: Api, access_lines: io.StringIO) -> None:
    first = api.post(QUERY)
    second = api.post("query Broken { territories { nope } }")
    lines = [json.loads(line) for line in access_lines.getvalue().splitlines()]
    assert [line["request_id"] for line in lines] == [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert lines[0]["operation"] == "Territories" and lines[0]["status"] == 200 and lines[0]["outcome"] == "ok"
    assert lines[1]["outcome"] == "refused" and lines[1]["level"] == "INFO" and lines[1]["logger"] == "registry.access"


def test_health_answers_without_the_store_and_ready_pings_it(api: Api) -> None:
    assert api.client.get("/health").json() == {"status": "ok"}
    assert api.client.get("/ready").json() == {"status": "ok"}


def test_the_graphiql_page_is_not_counted_as_a_graphql_request(api: Api) -> None:
    before = samples(api)
    assert api.client.get("/graphql", headers={"Accept": "text/html"}).status_code == 200
    after = samples(api)
    name = "registry_graphql_requests_total"
    assert {k: v for k, v in after.items() if k[0] == name} == {k: v for k, v in before.items() if k[0] == name}
