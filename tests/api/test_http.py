"""GraphQL over HTTP: media types, status codes, keys, guards, masking, stats."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from registry.app import create_app
from registry.domain.records import Role
from registry.services.access import create_key
from registry.settings import Settings
from registry.store.codec import now
from registry.store.sql.store import SqlStore
from tests.api.conftest import Api, Server, serve

QUERY = "{ territories(first: 1) { totalCount } }"


def test_post_answers_graphql_response_json_to_clients_that_ask_for_it(api: Api) -> None:
    response = api.post(QUERY, Accept="application/graphql-response+json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    assert response.headers["x-request-id"]


@pytest.mark.parametrize("accept", ["*/*", ""])
def test_clients_that_name_no_media_type_get_application_json(api: Api, accept: str) -> None:
    # Given a client sending Accept: */* or no Accept header (the GraphQL-over-HTTP audit's 47DE and 80D8)
    response = api.post(QUERY, Accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")


def test_get_runs_queries_but_not_mutations(api: Api) -> None:
    ok = api.client.get("/graphql", params={"query": QUERY})
    assert ok.status_code == 200 and ok.json()["data"]["territories"]["totalCount"] > 0
    mutation = 'mutation { publishCaseStudy(id: "x", version: 1) { errors { code } } }'
    refused = api.client.get("/graphql", params={"query": mutation})
    assert refused.status_code == 405 and refused.headers["allow"] == "POST"


def test_a_subscription_over_http_is_refused_for_what_it_is(api: Api) -> None:
    # Given a subscription sent as a POST, when it is answered, then the error names subscriptions
    refused = api.client.post("/graphql", json={"query": "subscription { territories { totalCount } }"})
    assert refused.status_code == 400
    [error] = refused.json()["errors"]
    assert error["message"] == "Subscriptions are not served over HTTP." and error["extensions"]["code"] == "INVALID"


def test_graphiql_is_served_to_browsers(api: Api) -> None:
    page = api.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


def test_a_document_that_does_not_validate_is_a_400_with_graphql_response_json(api: Api) -> None:
    response = api.post("{ territories { nope } }", Accept="application/graphql-response+json")
    assert response.status_code == 400
    assert "data" not in response.json() and response.json()["errors"]


def test_legacy_json_clients_get_200_for_request_errors(api: Api) -> None:
    response = api.post("{ territories { nope } }", Accept="application/json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")


def test_unacceptable_media_type_is_406(api: Api) -> None:
    assert api.post(QUERY, Accept="text/csv").status_code == 406


def test_batching_is_refused(api: Api) -> None:
    response = api.client.post("/graphql", json=[{"query": QUERY}, {"query": QUERY}])
    assert response.status_code == 400 and "Batching" in response.json()["errors"][0]["message"]


def test_bodies_that_are_not_json_are_refused(api: Api) -> None:
    assert (
        api.client.post("/graphql", content=b"{nope", headers={"content-type": "application/json"}).status_code == 400
    )
    assert api.client.post("/graphql", content=QUERY, headers={"content-type": "text/plain"}).status_code == 415


def test_unknown_and_revoked_keys_are_401(api: Api) -> None:
    assert api.post(QUERY, Authorization="Bearer sdr_000000000000_nope").status_code == 401
    assert api.post(QUERY, Authorization="Basic abc").status_code == 401
    key, token = create_key(api.store, Role.COORDINATOR)
    assert api.post(QUERY, Authorization=f"Bearer {token}").status_code == 200
    api.store.revoke_api_key(key.key_id, now())
    response = api.post(QUERY, Authorization=f"Bearer {token}")
    assert response.status_code == 401 and response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_keys_are_stored_hashed(api: Api) -> None:
    key, token = create_key(api.store, Role.ADMIN)
    secret = token.split("_", 2)[2]
    assert secret not in json.dumps(key.__dict__, default=str)
    assert api.store.api_key(key.key_id) == key


def test_deep_queries_are_refused(api: Api) -> None:
    deep = "slug"
    for field in ["useCases", "territories"] * 4:
        deep = f"{field} {{ nodes {{ {deep} }} }}"
    deep = "{ " + deep + " }"  # 16 levels; the limit is 12
    response = api.post(deep)
    assert response.status_code == 400 and "depth" in response.json()["errors"][0]["message"]


def test_too_many_aliases_are_refused(api: Api) -> None:
    many = "{ " + " ".join(f"a{i}: territories {{ totalCount }}" for i in range(40)) + " }"
    assert api.post(many).status_code == 400


def test_too_many_tokens_are_refused(api: Api) -> None:
    huge = "{ " + " ".join("__typename" for _ in range(4000)) + " }"
    assert api.post(huge).status_code == 400


class BrokenStore(SqlStore):
    def query(self, query: Any) -> Any:
        raise RuntimeError("secret detail of a bug")


@pytest.fixture
def broken(server: Server, tmp_path: Path) -> Iterator[Api]:
    store = BrokenStore(f"sqlite:///{tmp_path / 'broken.db'}")
    yield from serve(server, store)
    store.close()


def test_internal_errors_are_masked_with_a_request_id(broken: Api, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="registry.api"):
        response = broken.post(QUERY)
    error = response.json()["errors"][0]
    assert "secret detail" not in response.text
    assert error["extensions"]["code"] == "INTERNAL"
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    assert any("secret detail" in str(record.exc_info) for record in caplog.records)  # the detail is in the log


@pytest.fixture
def with_stats(server: Server, seeded_file: Path) -> Iterator[Api]:
    store = SqlStore(f"sqlite:///{seeded_file}")
    yield from serve(server, store, stats=True)
    store.close()


def test_stats_count_store_round_trips_independently_of_page_size(with_stats: Api) -> None:
    query = "query ($n: Int) { useCases(first: $n) { nodes { slug domains { nodes { slug } } territories { nodes { slug } } actors { nodes { slug } } } } }"
    small = with_stats.post(query, {"n": 2}).json()["extensions"]["stats"]
    large = with_stats.post(query, {"n": 25}).json()["extensions"]["stats"]
    assert set(small) == {"storeRoundTrips", "storeMs", "totalMs"}
    # one page query, then one links and one records round trip per related list, whatever the page size
    assert small["storeRoundTrips"] <= 7 and large["storeRoundTrips"] <= 7
    assert large["totalMs"] > 0 and large["storeMs"] > 0  # store time may exceed wall time: loaders run in parallel


def test_front_ends_on_allowed_origins_may_call_from_a_browser(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'cors.db'}")
    app = create_app(Settings(store_url="unused://", cors_origins=("https://front.example.org",)), store=store)
    transport = httpx.ASGITransport(app=app)

    async def preflight(origin: str) -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
            headers = {
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization",
            }
            return await client.options("/graphql", headers=headers)

    allowed = anyio.run(preflight, "https://front.example.org")
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == "https://front.example.org"
    refused = anyio.run(preflight, "https://elsewhere.example.com")
    assert "access-control-allow-origin" not in refused.headers
    store.close()


def test_the_favicon_is_served_to_every_page(api: Api) -> None:
    # Given a browser opening the explorer or GraphiQL, which asks for /favicon.ico
    answer = api.client.get("/favicon.ico")
    # Then it gets the registry's icon, not a 404 in the console
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert answer.text.startswith("<svg") and "Self Data Territorial" in answer.text
    # And both pages point at it
    assert 'rel="icon" href="/favicon.ico"' in api.client.get("/explore/").text
    assert 'rel="icon" href="/favicon.ico"' in api.client.get("/graphql", headers={"Accept": "text/html"}).text
