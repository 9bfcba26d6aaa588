"""Anonymous answers are kept while the store's change counter stays the same, and never served stale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from registry.store.sql.store import SqlStore
from tests.api.conftest import Api, Server, serve
from tests.api.test_case_studies import PUBLISH, SUBMIT

LYON_CASES = '{ useCases(first: 100, filter: {territories: ["lyon"]}) { totalCount nodes { slug } } }'
CASE = {
    "slug": "cached-case",
    "title": {"en": "A case study the cache must not hide"},
    "status": "PILOT",
    "domains": ["energy"],
    "territories": ["lyon"],
    "sources": [{"url": "https://example.org/cached", "title": "A write-up"}],
}


def slugs(answer: Any) -> list[str]:
    return [node["slug"] for node in answer["useCases"]["nodes"]]


def test_a_kept_answer_is_the_same_bytes_until_a_write_changes_it(api: Api) -> None:
    # Given an anonymous query answered three times (validated, then read, then kept)
    answers = [api.post(LYON_CASES).content for _ in range(3)]
    assert answers[0] == answers[1] == answers[2]
    # When a hub submits a case study on Lyon, then the hub sees it, anonymous callers still do not
    submitted = api.data(SUBMIT, {"input": CASE}, as_="hub")["submitCaseStudy"]["useCase"]
    assert "cached-case" in slugs(api.data(LYON_CASES, as_="hub"))
    assert "cached-case" not in slugs(api.data(LYON_CASES))
    # And when a coordinator publishes it, the next anonymous answer shows it
    api.data(PUBLISH, {"id": submitted["id"], "version": submitted["version"]}, as_="coordinator")
    after = api.data(LYON_CASES)
    assert "cached-case" in slugs(after)
    assert after["useCases"]["totalCount"] == len(slugs(after))


def test_a_write_through_another_server_process_is_seen(api: Api) -> None:
    # Given a second server with its own store object (as another process would have) on the same file
    path = Path(str(api.store.engine.url.database))  # type: ignore[attr-defined]
    with Server() as other:
        other_store = SqlStore(f"sqlite:///{path}")
        for other_api in serve(other, other_store):
            # When each server has kept the anonymous answer, and a case study is published through the other
            before = api.data(LYON_CASES)
            assert other_api.data(LYON_CASES) == before
            api.data(LYON_CASES)
            case = other_api.data(SUBMIT, {"input": CASE}, as_="hub")["submitCaseStudy"]["useCase"]
            other_api.data(PUBLISH, {"id": case["id"], "version": case["version"]}, as_="coordinator")
            # Then the first server answers with it too
            assert "cached-case" in slugs(api.data(LYON_CASES))
        other_store.close()


def _served_from_cache(api: Api) -> float:
    """How many GraphQL requests the server answered from its kept answers (its /metrics)."""
    total = 0.0
    for line in api.client.get("/metrics").text.splitlines():
        if line.startswith("registry_graphql_requests_total{") and 'path="cache"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_a_hubs_drafts_leave_the_kept_answers_alone_and_a_publication_does_not(api: Api) -> None:
    # Given an anonymous answer kept by the server
    answers = [api.post(LYON_CASES).content for _ in range(3)]
    # When a hub saves a case study on Lyon as a draft, and submits another
    draft = {**CASE, "slug": "drafted-case"}
    assert api.data(SUBMIT, {"input": draft, "draft": True}, as_="hub")["submitCaseStudy"]["useCase"]["slug"]
    case = api.data(SUBMIT, {"input": CASE}, as_="hub")["submitCaseStudy"]["useCase"]
    before = _served_from_cache(api)
    # Then the next anonymous answers still come from the cache, unchanged
    assert [api.post(LYON_CASES).content for _ in range(2)] == answers[:2]
    assert _served_from_cache(api) == before + 2
    # And once a coordinator publishes the submitted one, the next anonymous answer is read afresh and shows it
    api.data(PUBLISH, {"id": case["id"], "version": case["version"]}, as_="coordinator")
    after = api.data(LYON_CASES)
    assert "cached-case" in slugs(after)
    assert _served_from_cache(api) == before + 2
