"""Anonymous answers shared by the server processes through Redis (issue 15, the balancer's target).

Two `registry serve` processes on one SQLite store and one real `redis-server`. What one process
computed for an anonymous caller is served by the other from Redis (its /metrics count the
request under `path="shared_cache"`, not as a read), a hub's draft leaves the kept answers alone,
and after a publication through either process the next anonymous read of both is fresh. The two
agree on the public version, so an ETag one gave is answered 304 by the other.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.domain.records import Hub, Role
from registry.services.access import create_key
from registry.services.seeding import seed
from tests import needs
from tests.api.test_case_studies import PUBLISH, SUBMIT
from tests.conftest import MakeStore
from tests.deploy.services import RedisServer
from tests.server_process import ServerProcess, store_url

HUB = "hub-shared-cache"
LYON_CASES = '{ useCases(first: 100, filter: {territories: ["lyon"]}) { totalCount nodes { slug } } }'
CASE = {
    "slug": "shared-cached-case",
    "title": {"en": "A case study no process may hide"},
    "status": "PILOT",
    "domains": ["energy"],
    "territories": ["lyon"],
    "sources": [{"url": "https://example.org/shared", "title": "A write-up"}],
}


@dataclass
class Pair:
    one: httpx.Client
    two: httpx.Client
    hub: str  # a hub's key
    coordinator: str


@pytest.fixture
def pair(make_store: MakeStore, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    needs.tools(needs.DEPLOY, "redis-server", why="answers shared through Redis")
    store = make_store("sqlite")
    seed(store)
    store.put_hub(Hub(HUB, "A hub", None))
    hub, coordinator = create_key(store, Role.HUB, HUB)[1], create_key(store, Role.COORDINATOR)[1]
    url = store_url("sqlite", store, request)
    with RedisServer(tmp_path / "redis.log") as redis:
        options = ["--redis-url", redis.url]
        with (
            ServerProcess(url, tmp_path / "one.log", options=options, response_cache=True) as one,
            ServerProcess(url, tmp_path / "two.log", options=options, response_cache=True) as two,
            httpx.Client(base_url=one.url, timeout=30) as first,
            httpx.Client(base_url=two.url, timeout=30) as second,
        ):
            yield Pair(first, second, hub, coordinator)


def ask(client: httpx.Client, query: str, variables: dict[str, Any] | None = None, key: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.text
    return response


def paths(client: httpx.Client) -> dict[str, float]:
    """How many GraphQL requests this process answered by each path (its /metrics)."""
    counted: dict[str, float] = {}
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("registry_graphql_requests_total{"):
            path = line.split('path="', 1)[1].split('"', 1)[0]
            counted[path] = counted.get(path, 0.0) + float(line.rsplit(" ", 1)[1])
    return counted


def slugs(response: httpx.Response) -> list[str]:
    return [node["slug"] for node in response.json()["data"]["useCases"]["nodes"]]


def test_an_answer_one_process_computed_is_served_by_the_other(pair: Pair) -> None:
    # Given process one has answered an anonymous query (validated, then read and kept)
    ask(pair.one, LYON_CASES)
    computed = ask(pair.one, LYON_CASES).content
    # And process two has validated the same document (its first run, on the full executor)
    ask(pair.two, LYON_CASES)
    before = paths(pair.two)
    # When process two is asked again
    served = ask(pair.two, LYON_CASES).content
    # Then it answers with process one's bytes, from Redis, without reading the answer from the store
    after = paths(pair.two)
    assert served == computed
    assert after.get("shared_cache", 0) == before.get("shared_cache", 0) + 1
    assert after.get("lean", 0) == before.get("lean", 0)
    # And the next time from its own memory
    assert ask(pair.two, LYON_CASES).content == computed
    assert paths(pair.two).get("cache", 0) == before.get("cache", 0) + 1


def test_after_a_publication_through_either_process_the_next_read_of_both_is_fresh(pair: Pair) -> None:
    # Given both processes keep the anonymous answer
    for client in (pair.one, pair.two, pair.one, pair.two):
        ask(client, LYON_CASES)
    kept = ask(pair.one, LYON_CASES).content
    # When a hub saves a draft and submits a case study on Lyon through process one
    ask(pair.one, SUBMIT, {"input": {**CASE, "slug": "drafted-case"}, "draft": True}, key=pair.hub)
    case = ask(pair.one, SUBMIT, {"input": CASE}, key=pair.hub).json()["data"]["submitCaseStudy"]["useCase"]
    # Then neither process reads the answer again: an anonymous caller cannot see either
    reads = [paths(client).get("lean", 0) for client in (pair.one, pair.two)]
    assert [ask(client, LYON_CASES).content for client in (pair.one, pair.two)] == [kept, kept]
    assert [paths(client).get("lean", 0) for client in (pair.one, pair.two)] == reads
    # When a coordinator publishes it through process two
    published = ask(pair.two, PUBLISH, {"id": case["id"], "version": case["version"]}, key=pair.coordinator)
    assert published.json()["data"]["publishCaseStudy"]["useCase"]["reviewState"] == "PUBLISHED"
    # Then the next anonymous read of each process shows it, whichever computes it first
    for client in (pair.one, pair.two, pair.one, pair.two):
        fresh = ask(client, LYON_CASES)
        assert "shared-cached-case" in slugs(fresh) and "drafted-case" not in slugs(fresh)
        assert fresh.json()["data"]["useCases"]["totalCount"] == len(slugs(fresh))


def test_a_tag_one_process_gave_is_answered_304_by_the_other_after_a_draft(pair: Pair) -> None:
    # Given an anonymous GET by hash answered by process one, which is the first to read the registry
    document = "query Territories { territories(first: 3) { totalCount nodes { slug } } }"
    digest = hashlib.sha256(document.encode("utf-8")).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    registered = pair.one.post("/graphql", json={"query": document, "extensions": extensions})
    assert registered.status_code == 200, registered.text
    params = {"extensions": json.dumps(extensions)}
    tag = pair.one.get("/graphql", params=params).headers["etag"]
    # When a hub saves a draft, and process two reads the registry for the first time after it
    ask(pair.one, SUBMIT, {"input": {**CASE, "slug": "drafted-before-two"}, "draft": True}, key=pair.hub)
    revalidated = pair.two.get("/graphql", params=params, headers={"If-None-Match": tag})
    # Then process two names the same version: the proxy's copy is current
    assert revalidated.status_code == 304, revalidated.text
    assert revalidated.headers["etag"] == tag
