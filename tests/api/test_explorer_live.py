"""The explorer joined with live subscriptions, trusted documents and metrics (issue 8).

Real Chromium pages against real servers: the in-process uvicorn of tests/api/conftest.py, and
`registry serve` processes (tests/live/test_subscriptions.py's `Served`). A list that changes
"live" must change because a graphql-transport-ws `next` frame arrived on the page's socket,
not because the page polled: each page's POSTs and socket frames are recorded in order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from registry.services.seeding import seed
from tests.api.conftest import Api, Server, serve
from tests.api.test_explorer_browser import Explorer, browser, gid, pick
from tests.conftest import MakeStore
from tests.live.test_subscriptions import Registry, _case, _url

__all__ = ["browser"]  # the module's Chromium, shared with the explorer's other tests

MANIFEST = Path(__file__).resolve().parents[2] / "clients" / "typescript" / "persisted-documents.json"
POLL_PERIOD_MS = 3500  # a little longer than live.js's polling period: a polling page would have asked by then
PUBLISH = """mutation ($id: ID!, $version: Int!) {
  publishCaseStudy(id: $id, version: $version) { errors { code message } } }"""
SUBMIT = """mutation ($input: CaseStudyInput!) { submitCaseStudy(input: $input) {
  useCase { id version } errors { code field message } } }"""


class Traffic:
    """A page's GraphQL POSTs (by operation name) and received socket frames (by type), in order."""

    def __init__(self, page: Any) -> None:
        self.events: list[tuple[str, str]] = []
        page.on("request", self._request)
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _request(self, request: Any) -> None:
        if request.method == "POST" and request.url.endswith("/graphql"):
            self.events.append(("post", str((request.post_data_json or {}).get("operationName"))))

    def _frame(self, payload: str | bytes) -> None:
        self.events.append(("frame", str(json.loads(payload).get("type"))))

    def mark(self) -> int:
        return len(self.events)

    def posts(self, since: int, operation: str = "CaseStudies") -> int:
        return self.events[since:].count(("post", operation))

    def refreshed_by_an_event(self, since: int) -> bool:
        """Whether the first reload of the case studies since `since` followed a subscription event."""
        later = self.events[since:]
        first = later.index(("post", "CaseStudies"))
        return ("frame", "next") in later[:first]


def _live(tab: Explorer, key: str) -> Traffic:
    """The hubs view with `key`, its first list loaded and its socket subscribed; then a polling period passes."""
    traffic = Traffic(tab.page)
    page = tab.open("hubs")
    with page.expect_response(lambda r: (r.request.post_data_json or {}).get("operationName") == "CaseStudies"):
        tab.use_key(key)
    page.wait_for_selector("#live-state[data-mode=socket]")
    page.wait_for_function("document.querySelector('#review-list li') !== null")
    since = traffic.mark()
    page.wait_for_timeout(POLL_PERIOD_MS)
    assert traffic.posts(since) == 0  # with a socket, the page does not poll
    return traffic


def _state(page: Any, slug: str, state: str) -> None:
    page.wait_for_function(
        '([slug, state]) => document.querySelector(`#mine-list li[data-slug="${slug}"] .state`)?.textContent === state',
        arg=[slug, state],
    )


def _review_then_publish(coordinator: Explorer, hub: Explorer, keys: dict[str, str], submit: Any) -> None:
    """A hub's submission reaches the coordinator's open list live; its publication reaches the hub's page live."""
    slug = "helsinki-live-review"
    seen_by_coordinator = _live(coordinator, keys["coordinator"])
    seen_by_hub = _live(hub, keys["hub"])
    # when the hub submits a case study (through the API, not a page)
    before = seen_by_coordinator.mark()
    submit(SUBMIT, {"input": _case(slug)}, keys["hub"])
    # then the coordinator's list shows it without a reload, after an event on its socket
    card = coordinator.page.locator(f'#review-list li[data-slug="{slug}"]')
    card.wait_for()
    assert seen_by_coordinator.refreshed_by_an_event(before)
    _state(hub.page, slug, "submitted")  # the hub's own list followed too
    # when the coordinator publishes it from its page, the hub's page follows its review state live
    hub_before = seen_by_hub.mark()
    card.locator("button.publish").click()
    card.wait_for(state="detached")
    _state(hub.page, slug, "published")
    assert seen_by_hub.refreshed_by_an_event(hub_before)
    assert coordinator.page.evaluate("location.hash") == "#hubs"  # neither page was reloaded or left


@pytest.fixture(params=["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def live_api(request: pytest.FixtureRequest, server: Server, make_store: MakeStore) -> Iterator[Api]:
    if request.param == "sqlite":
        yield request.getfixturevalue("api")
        return
    store = make_store("neo4j")
    seed(store)
    yield from serve(server, store)


def test_reviews_reach_open_pages_over_the_socket(browser: Any, server: Server, live_api: Api) -> None:
    def submit(query: str, variables: dict[str, Any], key: str) -> None:
        body = live_api.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {key}"}
        ).json()
        assert body["data"]["submitCaseStudy"]["errors"] == [], body

    coordinator, hub = Explorer(browser, server), Explorer(browser, server)
    try:
        _review_then_publish(coordinator, hub, live_api.keys, submit)
    finally:
        coordinator.close()
        hub.close()


@pytest.fixture
def registry_file(make_store: MakeStore, request: pytest.FixtureRequest) -> Iterator[Registry]:
    """A seeded SQLite file, for `registry serve` processes (no Node client needed here)."""
    store = make_store("sqlite")
    opened = Registry(store, _url("sqlite", store, request), Path("unused"))
    try:
        yield opened
    finally:
        opened.close()


def test_reviews_reach_pages_open_on_another_server_process(browser: Any, registry_file: Registry) -> None:
    # given two `registry serve` processes on one SQLite file: the coordinator's page on one, the hub's
    # write and page on the other (each side's change reaches the other process's page)
    pages, writer = registry_file.serve(), registry_file.serve()
    coordinator, hub = Explorer(browser, pages), Explorer(browser, writer)
    try:
        _review_then_publish(coordinator, hub, registry_file.keys, writer.data)
    finally:
        coordinator.close()
        hub.close()


def test_every_anonymous_view_runs_on_trusted_documents_only(browser: Any, registry_file: Registry) -> None:
    served = registry_file.serve("--trusted-documents", str(MANIFEST))
    tab = Explorer(browser, served)
    answered: list[tuple[str, int]] = []
    tab.page.on(
        "response",
        lambda r: (
            answered.append((r.request.post_data_json.get("operationName"), r.status))
            if r.request.method == "POST" and r.url.endswith("/graphql")
            else None
        ),
    )
    try:
        # the network, with a record opened from a node
        page = tab.open("network")
        page.wait_for_selector("svg .node.UseCase")
        page.locator(f'svg .node[data-id="{gid("Territory", "la-rochelle")}"]').click()
        page.wait_for_function("document.querySelector('#panel .record-label')?.textContent === 'La Rochelle'")
        # the partner finder, its reasons as the API gives them
        page.click("nav button[data-view=partners]")
        pick(page, "#partners-territory", "Lyon", "lyon")
        page.wait_for_selector('#partners-table tr[data-slug="la-rochelle"] .reasons li')
        # the experiment finder, and a candidate's record
        page.click("nav button[data-view=experiments]")
        pick(page, "#experiments-priority", "mobility", "la-rochelle-sustainable-mobility")
        page.wait_for_selector("#experiments-list > li button.open-record")
        page.locator("#experiments-list > li button.open-record").first.click()
        page.wait_for_selector("#panel .record-label")
        # the path between two records
        page.click("nav button[data-view=path]")
        pick(page, "#path-from", "La Rochelle", gid("Territory", "la-rochelle"))
        pick(page, "#path-to", "Lyon", gid("Territory", "lyon"))
        page.click("#path-form button[type=submit]")
        page.wait_for_selector("#path-result ol li")
        assert page.locator("#error").is_hidden()  # the page reported no failed call
    finally:
        tab.close()
    # every operation the page sent was accepted
    operations = {name for name, _ in answered}
    assert {
        "Catalogue",
        "NetworkUseCases",
        "Record",
        "TerritoryChoices",
        "PartnerCities",
        "PriorityChoices",
        "CandidateExperiments",
        "RecordChoices",
        "PathBetween",
    } <= operations
    assert [a for a in answered if a[1] != 200] == []
    # while an anonymous document outside the manifest is refused with the documented error
    refused = served.http.post("/graphql", json={"query": "{ territories(first: 1) { nodes { slug } } }"})
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
    # and /metrics counts the page's operations by their names
    metrics = httpx.get(f"{served.url}/metrics", timeout=30).text
    assert any(
        line.startswith("registry_graphql_requests_total{") and 'operation="PartnerCities"' in line
        for line in metrics.splitlines()
    ), metrics


class Socket:
    """One graphql-transport-ws connection (the `websockets` client), acknowledged; every wait bounded."""

    def __init__(self, opened: ExitStack, url: str, key: str | None) -> None:
        ws_url = url.replace("http://", "ws://") + "/graphql"
        self.ws = opened.enter_context(
            connect(ws_url, subprotocols=[Subprotocol("graphql-transport-ws")], open_timeout=30)
        )
        self.ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"} if key else {}})
        )
        assert self.receive()["type"] == "connection_ack"

    def subscribe(self, query: str) -> None:
        self.ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))

    def receive(self) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(self.ws.recv(timeout=30))
        return message


def test_anonymous_subscriptions_are_held_to_the_trusted_documents_too(registry_file: Registry) -> None:
    served = registry_file.serve("--trusted-documents", str(MANIFEST))
    listed = next(d for d in json.loads(MANIFEST.read_text()).values() if d.startswith("subscription"))
    other = "subscription { caseStudyChanged { id change caseStudy { slug title summary } } }"
    with ExitStack() as opened:
        anonymous, refused = Socket(opened, served.url, None), Socket(opened, served.url, None)
        keyed = Socket(opened, served.url, registry_file.keys["coordinator"])
        # given a subscription document outside the manifest, sent without a key: refused, as over HTTP
        refused.subscribe(other)
        answer = refused.receive()
        assert answer["type"] == "error"
        assert [e["extensions"]["code"] for e in answer["payload"]] == ["PERSISTED_QUERY_NOT_IN_LIST"]
        # while the manifest's subscription runs without a key, and any runs with one
        anonymous.subscribe(listed)
        keyed.subscribe(other)
        slug = "helsinki-trusted-watch"
        case = served.data(SUBMIT, {"input": _case(slug)}, registry_file.keys["hub"])["useCase"]
        assert keyed.receive()["payload"]["data"]["caseStudyChanged"]["caseStudy"]["slug"] == slug
        served.data(PUBLISH, {"id": case["id"], "version": case["version"]}, registry_file.keys["coordinator"])
        assert anonymous.receive()["payload"]["data"]["caseStudyChanged"]["change"] == "PUBLISHED"
