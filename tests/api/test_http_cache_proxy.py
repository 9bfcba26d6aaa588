"""Through a real caching proxy (nginx's proxy_cache), configured to trust the registry's headers:
a second anonymous GET is served by the proxy, a keyed caller never is, and a write anonymous
callers can see shows through the proxy once max-age has passed."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from registry.domain.records import Hub, Role
from registry.services.access import create_key
from registry.store.sql.store import SqlStore
from tests import needs
from tests.api.test_case_studies import PUBLISH, SUBMIT
from tests.caching_proxy import CachingProxy
from tests.server_process import ServerProcess

MAX_AGE = 2  # seconds: short, so the test waits little for the proxy's copy to expire
EXPIRED = MAX_AGE + 1.5  # nginx counts whole seconds: a copy lives from max-age to max-age + 1 s
LYON = 'query LyonCount { useCases(first: 1, filter: {territories: ["lyon"]}) { totalCount } }'
DIGEST = hashlib.sha256(LYON.encode("utf-8")).hexdigest()
BY_HASH = {"extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": DIGEST}})}
CASE = {
    "slug": "proxied-case",
    "title": {"en": "A case study the proxy shows once its copy expires"},
    "status": "PILOT",
    "domains": ["energy"],
    "territories": ["lyon"],
    "sources": [{"url": "https://example.org/proxied", "title": "A write-up"}],
}


@dataclass
class Deployment:
    proxy: httpx.Client
    coordinator: str
    hub: str

    def anonymous(self) -> httpx.Response:
        return self.proxy.get("/graphql", params=BY_HASH)

    def write(self, query: str, variables: dict[str, object], key: str) -> dict[str, object]:
        sent = self.proxy.post(
            "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {key}"}
        )
        assert sent.status_code == 200 and "errors" not in sent.json(), sent.text
        data: dict[str, object] = sent.json()["data"]
        return data


@pytest.fixture
def deployment(seeded_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployment]:
    """`registry serve` (a real process) on a copy of the seeded registry, behind nginx."""
    executable = needs.nginx()
    copy = tmp_path / "registry.db"
    shutil.copy(seeded_file, copy)
    store = SqlStore(f"sqlite:///{copy}")
    store.put_hub(Hub("proxy-hub", "proxy-hub", None))
    coordinator = create_key(store, Role.COORDINATOR)[1]
    hub = create_key(store, Role.HUB, "proxy-hub")[1]
    store.close()
    monkeypatch.setenv("REGISTRY_HTTP_CACHE_MAX_AGE", str(MAX_AGE))
    with (
        ServerProcess(f"sqlite:///{copy}", tmp_path / "serve.log") as server,
        CachingProxy(executable, server.port, tmp_path / "nginx") as proxy,
        httpx.Client(base_url=proxy.url, timeout=30) as client,
    ):
        # the Apollo flow registers the document (a POST: passed through, never kept)
        registered = client.post("/graphql", json={"query": LYON, "extensions": json.loads(BY_HASH["extensions"])})
        assert registered.status_code == 200 and not registered.headers.get("x-cache-status"), registered.text
        yield Deployment(client, coordinator, hub)


def count(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    total: int = response.json()["data"]["useCases"]["totalCount"]
    return total


def test_a_second_anonymous_get_is_served_by_the_proxy(deployment: Deployment) -> None:
    # Given an anonymous GET by hash that reached the registry
    first = deployment.anonymous()
    assert first.headers["x-cache-status"] == "MISS"
    # When the same GET comes again within max-age
    second = deployment.anonymous()
    # Then the proxy answers it from its copy, the same answer
    assert second.headers["x-cache-status"] == "HIT"
    assert second.content == first.content and second.headers["etag"] == first.headers["etag"]


def test_a_keyed_caller_is_never_served_from_the_proxy(deployment: Deployment) -> None:
    # Given the proxy holding the anonymous answer
    deployment.anonymous()
    assert deployment.anonymous().headers["x-cache-status"] == "HIT"
    # When a coordinator sends the same GET, twice, and a hub once
    keyed = [
        deployment.proxy.get("/graphql", params=BY_HASH, headers={"Authorization": f"Bearer {key}"})
        for key in (deployment.coordinator, deployment.coordinator, deployment.hub)
    ]
    # Then each reached the registry (never a HIT), which said no cache may keep it
    for response in keyed:
        assert response.status_code == 200
        assert response.headers["x-cache-status"] != "HIT"
        assert response.headers["cache-control"] == "private, no-store"
    # And the anonymous copy is still there for anonymous callers
    assert deployment.anonymous().headers["x-cache-status"] == "HIT"


def test_a_published_write_shows_through_the_proxy_after_max_age(deployment: Deployment) -> None:
    # Given the proxy holding Lyon's count
    before = count(deployment.anonymous())
    # When max-age passes with no write, the proxy asks again with If-None-Match: the registry says 304
    time.sleep(EXPIRED)
    kept_at = time.monotonic()  # the proxy's copy is renewed after this instant
    revalidated = deployment.anonymous()
    assert revalidated.headers["x-cache-status"] == "REVALIDATED" and count(revalidated) == before
    # When a hub's case study on Lyon is submitted (a draft no anonymous caller sees) and published
    case = deployment.write(SUBMIT, {"input": CASE}, deployment.hub)["submitCaseStudy"]
    assert isinstance(case, dict)
    use_case = case["useCase"]
    deployment.write(PUBLISH, {"id": use_case["id"], "version": use_case["version"]}, deployment.coordinator)
    within = deployment.anonymous()
    if time.monotonic() - kept_at < MAX_AGE:  # the copy is younger than max-age: still the proxy's
        assert within.headers["x-cache-status"] == "HIT" and count(within) == before
    # Then once max-age has passed since the proxy kept its copy, anonymous callers see the new count
    time.sleep(max(0.0, kept_at + EXPIRED - time.monotonic()))
    after = deployment.anonymous()
    assert after.headers["x-cache-status"] == "EXPIRED"
    assert count(after) == before + 1
    assert deployment.anonymous().headers["x-cache-status"] == "HIT"
