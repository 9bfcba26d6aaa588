"""HTTP caching of public reads: an anonymous GET of a persisted document carries an ETag,
`Cache-Control: public` and `Vary`, and If-None-Match gets a 304; nothing else is for sharing."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.observability.metrics import REQUESTS, STORE_ROUND_TRIPS
from tests.api.conftest import Api, Server
from tests.api.test_case_studies import PUBLISH, SUBMIT

CASE = {
    "slug": "etag-case",
    "title": {"en": "A case study a stale ETag must not hide"},
    "status": "PILOT",
    "domains": ["energy"],
    "territories": ["lyon"],
    "sources": [{"url": "https://example.org/etag", "title": "A write-up"}],
}


def lyon_cases() -> str:
    """A document no earlier test has registered (the hashes live as long as the server process)."""
    return f'query LyonCases {{ useCases(first: 100, filter: {{territories: ["lyon"]}}) {{ totalCount }} }} # {uuid.uuid4().hex}'


def by_hash(document: str) -> dict[str, str]:
    digest = hashlib.sha256(document.encode("utf-8")).hexdigest()
    return {"extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}})}


def registered(api: Api, document: str) -> dict[str, str]:
    """The GET parameters of `document` by its hash, once the Apollo flow has registered it (by POST)."""
    params = by_hash(document)
    sent = api.client.post("/graphql", json={"query": document, "extensions": json.loads(params["extensions"])})
    assert sent.status_code == 200, sent.text
    return params


def not_modified_count() -> float:
    return sum(
        sample.value
        for metric in REQUESTS.collect()
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.labels.get("path") == "not_modified"
    )


def get(api: Api, params: dict[str, str], **headers: str) -> httpx.Response:
    return api.client.get("/graphql", params=params, headers=headers)


def test_an_anonymous_get_by_hash_is_public_with_an_etag_and_vary(api: Api) -> None:
    # Given a document registered by the automatic-persisted-query flow
    params = registered(api, lyon_cases())
    # When an anonymous caller GETs it by its hash
    response = get(api, params)
    # Then the answer may be kept by any cache for the configured few seconds, per Accept and Authorization
    assert response.status_code == 200 and "errors" not in response.json()
    assert response.headers["cache-control"] == "public, max-age=5"
    assert response.headers["etag"].startswith('W/"')
    assert {v.strip() for v in response.headers["vary"].split(",")} >= {"Accept", "Authorization"}
    # And the same request gets the same tag while nothing is written
    assert get(api, params).headers["etag"] == response.headers["etag"]


def test_if_none_match_with_the_current_tag_is_a_304_that_runs_nothing(api: Api) -> None:
    # Given an anonymous answer and its tag
    params = registered(api, lyon_cases())
    first = get(api, params)
    tag = first.headers["etag"]
    before = not_modified_count()
    # When the caller asks again with If-None-Match (alone, or among other tags)
    again = get(api, params, **{"If-None-Match": tag})
    listed = get(api, params, **{"If-None-Match": f'W/"0-0000000000000000", {tag}'})
    # Then it is told its copy is current, with no body, and the query did not run
    for response in (again, listed):
        assert response.status_code == 304
        assert response.content == b""
        assert response.headers["etag"] == tag
        assert response.headers["cache-control"] == "public, max-age=5"
    assert not_modified_count() == before + 2
    # And a tag that is not the current one gets the whole answer
    other = get(api, params, **{"If-None-Match": 'W/"0-0000000000000000"'})
    assert other.status_code == 200 and other.json() == first.json()


def test_a_write_anonymous_callers_see_changes_the_tag(api: Api) -> None:
    # Given an anonymous caller holding Lyon's count and its tag
    params = registered(api, lyon_cases())
    first = get(api, params)
    count = first.json()["data"]["useCases"]["totalCount"]
    # When a hub's case study on Lyon is published
    case = api.data(SUBMIT, {"input": CASE}, as_="hub")["submitCaseStudy"]["useCase"]
    api.data(PUBLISH, {"id": case["id"], "version": case["version"]}, as_="coordinator")
    # Then its old tag no longer matches: it gets the new count, under a new tag
    after = get(api, params, **{"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200
    assert after.json()["data"]["useCases"]["totalCount"] == count + 1
    assert after.headers["etag"] != first.headers["etag"]


def test_a_caller_with_a_key_is_never_cached_publicly_nor_answered_304(api: Api) -> None:
    # Given the anonymous answer's tag
    params = registered(api, lyon_cases())
    tag = get(api, params).headers["etag"]
    # When a coordinator sends the same GET, with that tag; and a caller sends a wrong or empty key
    keyed = get(api, params, **{"Authorization": f"Bearer {api.keys['coordinator']}", "If-None-Match": tag})
    wrong = get(api, params, Authorization="Bearer registry_nope_nope")
    empty = get(api, params, Authorization="")
    # Then the coordinator gets the whole answer, which no cache may keep, and carries no tag
    assert keyed.status_code == 200 and keyed.json()["data"]["useCases"]["totalCount"] > 0
    for response in (keyed, wrong, empty):
        assert response.headers["cache-control"] == "private, no-store"
        assert "etag" not in response.headers
    assert wrong.status_code == 401


def test_posts_errors_and_documents_sent_as_text_are_not_for_sharing(api: Api) -> None:
    document = lyon_cases()
    params = registered(api, document)
    # A POST by hash
    post = api.client.post("/graphql", json={"extensions": json.loads(params["extensions"])})
    # An unknown hash, and a registered document that fails validation
    unknown = get(api, by_hash(lyon_cases()))
    invalid = "query Bad { useCases(first: 1) { noSuchField } } # " + uuid.uuid4().hex
    registered_invalid = by_hash(invalid)
    api.client.post("/graphql", json={"query": invalid, "extensions": json.loads(registered_invalid["extensions"])})
    failing = get(api, registered_invalid)
    # An answer with an error in it (a territory that does not exist is an error of the field)
    partial_doc = 'query P { partnerCities(territory: "atlantis", first: 1) { score } } # ' + uuid.uuid4().hex
    partial = get(api, _register_any(api, partial_doc))
    # A GET with the document as text (no hash, no trusted documents: its URL is not a stable key)
    text = api.client.get("/graphql", params={"query": document})
    assert post.status_code == 200 and text.status_code == 200
    assert unknown.status_code == 404 and failing.status_code == 400
    assert "errors" in partial.json()
    for response in (post, unknown, failing, partial, text):
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers


def _register_any(api: Api, document: str) -> dict[str, str]:
    """Register a document whose answer may hold errors (registering only needs the hash to match)."""
    params = by_hash(document)
    api.client.post("/graphql", json={"query": document, "extensions": json.loads(params["extensions"])})
    return params


def test_the_tag_follows_the_media_type(api: Api) -> None:
    params = registered(api, lyon_cases())
    as_json = get(api, params, Accept="application/json")
    as_graphql = get(api, params, Accept="application/graphql-response+json")
    assert as_json.headers["content-type"].startswith("application/json")
    assert as_graphql.headers["content-type"].startswith("application/graphql-response+json")
    assert as_json.headers["etag"] != as_graphql.headers["etag"]
    assert (
        get(api, params, Accept="application/json", **{"If-None-Match": as_graphql.headers["etag"]}).status_code == 200
    )


def test_trusted_documents_are_public_by_their_text_too(api: Api, server: Server, tmp_path: Path) -> None:
    # Given trusted-documents mode, where an anonymous caller runs only the listed documents
    allowed = "query Allowed { territories(first: 1) { totalCount } }"
    manifest = tmp_path / "persisted-documents.json"
    manifest.write_text(json.dumps({hashlib.sha256(allowed.encode()).hexdigest(): allowed}), encoding="utf-8")
    server.app.state.settings = replace(server.app.state.settings, trusted_documents=str(manifest))
    # When an anonymous caller GETs the listed document by its text
    response = api.client.get("/graphql", params={"query": allowed})
    # Then the answer is public, and its tag answers 304
    assert response.status_code == 200 and response.headers["cache-control"] == "public, max-age=5"
    again = api.client.get("/graphql", params={"query": allowed}, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("max_age", [0, 60])
def test_max_age_is_a_setting_and_zero_turns_public_caching_off(api: Api, server: Server, max_age: int) -> None:
    server.app.state.settings = replace(server.app.state.settings, http_cache_max_age=max_age)
    response = get(api, registered(api, lyon_cases()))
    if max_age == 0:
        assert response.headers["cache-control"] == "no-store" and "etag" not in response.headers
    else:
        assert response.headers["cache-control"] == f"public, max-age={max_age}"


def test_stats_make_answers_private_to_their_request(api: Api, server: Server) -> None:
    server.app.state.settings = replace(server.app.state.settings, stats=True)
    response: Any = get(api, registered(api, lyon_cases()))
    assert "stats" in response.json()["extensions"]
    assert response.headers["cache-control"] == "no-store"


def store_round_trips() -> tuple[float, float]:
    """The store calls counted over all GraphQL requests so far, and the requests counted."""
    total, requests = 0.0, 0.0
    for metric in STORE_ROUND_TRIPS.collect():
        for sample in metric.samples:
            if sample.name.endswith("_sum"):
                total += sample.value
            elif sample.name.endswith("_count"):
                requests += sample.value
    return total, requests


def test_a_hubs_draft_keeps_the_tag_and_a_publication_changes_it(api: Api) -> None:
    # Given an anonymous caller holding Lyon's count and its tag
    params = registered(api, lyon_cases())
    first = get(api, params)
    tag = first.headers["etag"]
    # When a hub saves a case study on Lyon as a draft, and submits another (nothing an anonymous caller sees)
    api.data(SUBMIT, {"input": {**CASE, "slug": "drafted-etag-case"}, "draft": True}, as_="hub")
    case = api.data(SUBMIT, {"input": CASE}, as_="hub")["submitCaseStudy"]["useCase"]
    # Then its tag still answers 304: a proxy revalidating its copy need not fetch it again
    kept = get(api, params, **{"If-None-Match": tag})
    assert kept.status_code == 304 and kept.headers["etag"] == tag
    # And once a coordinator publishes the case study, the same tag gets the whole new answer
    api.data(PUBLISH, {"id": case["id"], "version": case["version"]}, as_="coordinator")
    fresh = get(api, params, **{"If-None-Match": tag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != tag
    assert fresh.json()["data"]["useCases"]["totalCount"] == first.json()["data"]["useCases"]["totalCount"] + 1


def test_a_kept_public_answer_and_a_304_read_the_store_once(api: Api) -> None:
    # Given a public read answered twice (validated, then read and kept by the response cache)
    params = registered(api, lyon_cases())
    tag = get(api, params).headers["etag"]
    get(api, params)
    # When it is asked again, and revalidated with its tag
    before = store_round_trips()
    assert get(api, params).status_code == 200
    middle = store_round_trips()
    assert get(api, params, **{"If-None-Match": tag}).status_code == 304
    after = store_round_trips()
    # Then each request made one store call: the change mark, which gives the tag and the cache's version
    assert (middle[0] - before[0], middle[1] - before[1]) == (1, 1)
    assert (after[0] - middle[0], after[1] - middle[1]) == (1, 1)
