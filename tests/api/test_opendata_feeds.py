"""Atom feeds of published case studies, overall and per territory, domain and hub (issue 17, item 4)."""

from __future__ import annotations

from typing import Any

import feedparser

from tests.api.conftest import HUB, Api
from tests.api.test_case_studies import CASE, PUBLISH, SUBMIT


def read(api: Api, path: str, **headers: str) -> tuple[Any, Any]:
    answer = api.client.get(path, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(answer.content)
    assert not parsed.bozo, parsed.get("bozo_exception")  # well-formed Atom, as a feed reader reads it
    return answer, parsed


def publish_case(api: Api, **changes: Any) -> str:
    """A hub's case study (CASE, with `changes`), submitted and published."""
    case = api.post(SUBMIT, {"input": {**CASE, **changes}}, as_="hub").json()["data"]["submitCaseStudy"]["useCase"]
    published = api.post(PUBLISH, {"id": case["id"], "version": case["version"]}, as_="coordinator").json()
    assert published["data"]["publishCaseStudy"]["errors"] == []
    return str(case["slug"])


def test_the_feed_grows_after_a_publication_and_each_entry_links_its_permalink_and_sources(api: Api) -> None:
    # given the feed of Helsinki's case studies before a hub's case study is published there
    _, before = read(api, "/feeds/territory/helsinki.atom")
    # when a coordinator publishes it
    slug = publish_case(api)
    # then it is the feed's newest entry, linking to its permalink and citing its source
    _, after = read(api, "/feeds/territory/helsinki.atom")
    assert len(after.entries) == len(before.entries) + 1
    entry = after.entries[0]
    assert entry.link.endswith(f"/explore/use-case/{slug}")
    assert "https://example.org/case" in [link.href for link in entry.links if link.rel == "related"]
    assert "https://example.org/case" in entry.content[0].value
    # and it is in the overall feed, its domain's and its hub's
    for path in ("/feeds/use-cases.atom", "/feeds/domain/waste.atom", f"/feeds/hub/{HUB}.atom"):
        assert slug in [e.link.rsplit("/", 1)[-1] for e in read(api, path)[1].entries], path


def test_a_submission_not_yet_published_is_in_no_feed(api: Api) -> None:
    case = api.post(SUBMIT, {"input": CASE}, as_="hub").json()["data"]["submitCaseStudy"]["useCase"]
    _, parsed = read(api, f"/feeds/hub/{HUB}.atom")
    assert case["slug"] not in [e.link.rsplit("/", 1)[-1] for e in parsed.entries]


def test_a_reader_that_has_the_feed_gets_304_until_it_changes(api: Api) -> None:
    # given a reader holding the feed, with its Last-Modified
    first, _ = read(api, "/feeds/use-cases.atom")
    since = first.headers["last-modified"]
    # then asking again with If-Modified-Since gets 304 and no body
    again = api.client.get("/feeds/use-cases.atom", headers={"If-Modified-Since": since})
    assert again.status_code == 304 and again.content == b""
    # and after a publication the same request gets the new feed
    publish_case(api)
    changed = api.client.get("/feeds/use-cases.atom", headers={"If-Modified-Since": since})
    assert changed.status_code == 200


def test_a_feed_of_an_unknown_territory_is_not_found(api: Api) -> None:
    assert api.client.get("/feeds/territory/atlantis.atom").status_code == 404
    assert api.client.get("/feeds/hub/nobody.atom").status_code == 404
