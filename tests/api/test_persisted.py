"""Persisted operations: Apollo's automatic persisted queries and the trusted-documents mode."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from registry.api.http.persisted import canonical, load_manifest
from tests.api.conftest import Api, Server


def sha(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def unique(name: str = "Territories") -> str:
    """A document no earlier test has registered (the registry of hashes lives as long as the process)."""
    return f"query {name} {{ territories(first: 2) {{ totalCount }} }} # {uuid.uuid4().hex}"


def persisted(digest: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def test_an_unknown_hash_alone_gets_the_error_apollo_clients_retry_on(api: Api) -> None:
    document = unique()
    response = api.client.post("/graphql", json={"extensions": persisted(sha(document))})
    assert response.status_code == 404
    [error] = response.json()["errors"]
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


def test_the_apollo_flow_registers_then_runs_by_hash_over_post_and_get(api: Api) -> None:
    # Given a client that first sends only the hash, then the hash with the document (Apollo's retry)
    document = unique()
    digest = sha(document)
    assert api.client.post("/graphql", json={"extensions": persisted(digest)}).status_code == 404
    registered = api.client.post("/graphql", json={"query": document, "extensions": persisted(digest)})
    assert registered.status_code == 200
    total = registered.json()["data"]["territories"]["totalCount"]
    assert total > 0
    # When it later sends the hash alone, by POST and by GET (the CDN-friendly form)
    by_post = api.client.post("/graphql", json={"extensions": persisted(digest), "operationName": "Territories"})
    by_get = api.client.get(
        "/graphql", params={"extensions": json.dumps(persisted(digest)), "operationName": "Territories"}
    )
    # Then both run the registered document
    assert by_post.status_code == 200 and by_post.json() == {"data": {"territories": {"totalCount": total}}}
    assert by_get.status_code == 200 and by_get.json() == {"data": {"territories": {"totalCount": total}}}


def test_a_hash_that_is_not_the_documents_is_a_typed_400_and_registers_nothing(api: Api) -> None:
    document = unique()
    wrong = sha(document + " ")
    response = api.client.post("/graphql", json={"query": document, "extensions": persisted(wrong)})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "INVALID"
    assert error["extensions"]["field"] == "extensions.persistedQuery.sha256Hash"
    assert api.client.post("/graphql", json={"extensions": persisted(wrong)}).status_code == 404


def test_an_unsupported_version_or_a_malformed_hash_is_refused(api: Api) -> None:
    bad_version = {"persistedQuery": {"version": 2, "sha256Hash": sha("{ stats { useCasesByDomain { key } } }")}}
    response = api.client.post("/graphql", json={"extensions": bad_version})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED"
    short = api.client.post("/graphql", json={"extensions": persisted("abc")})
    assert short.status_code == 400 and short.json()["errors"][0]["extensions"]["code"] == "INVALID"


def test_a_mutation_registered_by_hash_still_needs_post(api: Api) -> None:
    mutation = f'mutation M {{ publishCaseStudy(id: "x", version: 1) {{ errors {{ code }} }} }} # {uuid.uuid4().hex}'
    digest = sha(mutation)
    first = api.client.post("/graphql", json={"query": mutation, "extensions": persisted(digest)})
    assert first.status_code == 200  # anonymous: the payload says FORBIDDEN or UNAUTHENTICATED, typed
    by_get = api.client.get("/graphql", params={"extensions": json.dumps(persisted(digest))})
    assert by_get.status_code == 405


@pytest.fixture
def trusted(api: Api, server: Server, tmp_path: Path) -> tuple[Api, str, str]:
    """The server in trusted-documents mode, with one trusted and one other document."""
    allowed = "query Allowed { territories(first: 1) { totalCount } }"
    other = "query Other { territories(first: 3) { totalCount } }"
    manifest = tmp_path / "persisted-documents.json"
    manifest.write_text(json.dumps({sha(allowed): allowed}), encoding="utf-8")
    # the next test's `api` fixture puts the settings back
    server.app.state.settings = replace(server.app.state.settings, trusted_documents=str(manifest))
    return api, allowed, other


def test_trusted_mode_runs_only_listed_documents_for_callers_without_a_key(trusted: tuple[Api, str, str]) -> None:
    api, allowed, other = trusted
    # A listed document runs, by its text or by its hash alone (never registered by anyone)
    assert api.post(allowed).status_code == 200
    by_hash = api.client.post("/graphql", json={"extensions": persisted(sha(allowed))})
    assert by_hash.status_code == 200 and by_hash.json()["data"]["territories"]["totalCount"] > 0
    # Another document is refused, typed, by its text and through the automatic-persisted-query flow
    refused = api.post(other)
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
    registering = api.client.post("/graphql", json={"query": other, "extensions": persisted(sha(other))})
    assert registering.status_code == 403
    # The same document written otherwise (order, spacing, comments) is the same trusted document
    assert (
        api.post(
            "# the explorer's text\nquery Allowed {\n  territories(first: 1) {\n    totalCount\n  }\n}"
        ).status_code
        == 200
    )
    # An empty or wrong Authorization header is no key
    assert api.post(other, Authorization="").status_code == 403
    assert api.post(other, Authorization="Bearer sdr_nope_nope").status_code == 401
    # A caller with a key may send any document
    keyed = api.post(other, as_="coordinator")
    assert keyed.status_code == 200 and keyed.json()["data"]["territories"]["totalCount"] > 0


def test_a_manifest_whose_hash_does_not_match_its_document_is_rejected(tmp_path: Path) -> None:
    manifest = tmp_path / "persisted-documents.json"
    manifest.write_text(json.dumps({sha("{ a }"): "{ b }"}), encoding="utf-8")
    with pytest.raises(ValueError, match="do not match"):
        load_manifest(str(manifest))


def test_canonical_forms_ignore_order_and_layout_but_not_content() -> None:
    source = """
      query Partners($lang: Language! = EN, $territory: ID!) {
        partnerCities(first: 5, territory: $territory) { territory { slug label(lang: $lang) } score }
      }"""
    printed = (
        "query Partners($territory: ID!, $lang: Language! = EN) "
        "{ partnerCities(territory: $territory, first: 5) { score territory { label(lang: $lang) slug } } }"
    )
    assert canonical(source) == canonical(printed)
    assert canonical(source) != canonical(printed.replace("first: 5", "first: 6"))
    assert canonical(source) != canonical(printed.replace("slug", "country"))
    assert canonical("{ not closed") is None


def test_the_app_does_not_start_with_a_wrong_manifest(tmp_path: Path) -> None:
    from registry.app import create_app
    from registry.settings import Settings

    manifest = tmp_path / "persisted-documents.json"
    manifest.write_text('["not", "a", "map"]', encoding="utf-8")
    with pytest.raises(ValueError, match="expected a JSON object"):
        create_app(Settings(store_url="unused://", trusted_documents=str(manifest)))
    with pytest.raises(ValueError, match="cannot read"):
        create_app(Settings(store_url="unused://", trusted_documents=str(tmp_path / "missing.json")))
