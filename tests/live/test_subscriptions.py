"""Live subscriptions, through a real graphql-transport-ws client (`graphql-ws` from npm, in Node)
against real `registry serve` processes: writes made through one server reach subscribers of
another on the same store, each caller sees what it may read, and a client that reconnects
with the last event id gets what it missed, then live events.

Every wait is bounded (WAIT seconds per expected message).  The Node client's packages are
installed from the committed package-lock.json (`npm ci`) on first use.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.domain.records import Hub, Role
from registry.services.access import create_key
from registry.services.seeding import seed
from registry.store.port import Store
from registry.store.sql.store import SqlStore
from tests import needs
from tests.conftest import MakeStore

HERE = Path(__file__).parent
WAIT = 20.0  # seconds: the longest wait for one message, far above the feed's 0.25 s poll
HUB, OTHER_HUB = "hub-mydata-france", "other-hub"

CASE_STUDIES = """
subscription ($after: ID) {
  caseStudyChanged(after: $after) { id change version reason caseStudy { slug reviewState hub } }
}"""
RECORDS = """
subscription ($kinds: [RecordKind!]!, $after: ID) {
  recordChanged(kinds: $kinds, after: $after) { id change kind version record { slug label } rel other { slug } }
}"""
SUBMIT = """
mutation ($input: CaseStudyInput!) {
  submitCaseStudy(input: $input) { useCase { id version } errors { code field message } }
}"""
PUBLISH = """
mutation ($id: ID!, $version: Int!) { publishCaseStudy(id: $id, version: $version) { errors { code message } } }"""
REJECT = """
mutation ($id: ID!, $version: Int!, $reason: String!) {
  rejectCaseStudy(id: $id, version: $version, reason: $reason) { errors { code message } }
}"""
CREATE_ACTOR = """
mutation ($slug: String!) {
  createActor(input: {slug: $slug, name: {en: $slug}, kind: LOCAL_AUTHORITY}) { errors { code field message } }
}"""
LINK = """
mutation ($source: ID!, $target: ID!) {
  linkRecords(input: {source: $source, relation: PRESENT_IN, target: $target}) { errors { code field message } }
}"""


def _case(slug: str) -> dict[str, Any]:
    return {
        "slug": slug,
        "title": {"en": f"Case study {slug}"},
        "status": "PILOT",
        "governance": "TRUSTED_THIRD_PARTY",
        "domains": ["energy"],
        "territories": ["lyon"],
        "sources": [{"url": "https://example.org/case", "title": "A hub's write-up"}],
    }


# -- the Node client --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def node_client() -> Path:
    """The client script, its npm packages installed from the lock file."""
    needs.node_and_npm("the live subscription tests")
    if not (HERE / "node_modules" / "graphql-ws").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=300)
    return HERE / "subscribe.mjs"


class Subscriber:
    """One Node graphql-ws client running one subscription; its messages are read line by line."""

    def __init__(self, script: Path, url: str, query: str, variables: dict[str, Any], key: str | None, count: int):
        options = {"url": url, "query": query, "variables": variables, "key": key, "count": count}
        options["timeoutMs"] = int(WAIT * 1000 * (count + 1))
        self.process = subprocess.Popen(
            ["node", str(script), json.dumps(options)],
            cwd=HERE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(json.loads(line))

    def message(self) -> dict[str, Any]:
        try:
            return self.lines.get(timeout=WAIT)
        except queue.Empty:
            raise AssertionError("the subscriber received nothing in time") from None

    def connected(self) -> None:
        assert self.message() == {"connected": True}

    def events(self, count: int, field: str) -> list[dict[str, Any]]:
        """The next `count` results' data (a result with errors fails the test)."""
        found = []
        for _ in range(count):
            message = self.message()
            assert "next" in message and "errors" not in message["next"], message
            found.append(message["next"]["data"][field])
        return found

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self.reader.join(timeout=10)
        assert self.process.stdout is not None
        self.process.stdout.close()


# -- real servers on one store ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Served:
    """A `registry serve` process (one worker) on a store URL, with any more `registry serve` options."""

    def __init__(self, store_url: str, *options: str, env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        command = [str(Path(sys.executable).parent / "registry"), "serve", "--store", store_url]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port), "--workers", "1", *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
        )
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=30)
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.http.get("/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError("registry serve did not start")
            time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def data(self, query: str, variables: dict[str, Any], key: str) -> Any:
        response = self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {key}"}
        )
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        payload = next(iter(body["data"].values()))
        assert not payload.get("errors"), payload
        return payload

    def close(self) -> None:
        self.http.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


class Registry:
    """A seeded store, its URL, a key per role, and the servers and subscribers started on it."""

    def __init__(self, store: Store, url: str, script: Path) -> None:
        self.store, self.url, self.script = store, url, script
        seed(store)
        known = {hub.slug for hub in store.hubs()}
        for slug in (HUB, OTHER_HUB):  # a hub key needs its hub to exist
            if slug not in known:
                store.put_hub(Hub(slug, slug, None))
        self.keys = {
            "coordinator": create_key(store, Role.COORDINATOR)[1],
            "hub": create_key(store, Role.HUB, HUB)[1],
            "other_hub": create_key(store, Role.HUB, OTHER_HUB)[1],
        }
        self.started: list[Served | Subscriber] = []

    def serve(self, *options: str, env: dict[str, str] | None = None) -> Served:
        served = Served(self.url, *options, env=env)
        self.started.append(served)
        return served

    def subscribe(
        self, served: Served, query: str, variables: dict[str, Any], as_: str | None, count: int
    ) -> Subscriber:
        key = None if as_ is None else self.keys[as_]
        subscriber = Subscriber(self.script, served.ws, query, variables, key, count)
        self.started.append(subscriber)
        return subscriber

    def head(self) -> str:
        """The cursor of the last write so far (read from the store, as any process can)."""
        return str(self.store.audit_head())

    def close(self) -> None:
        for started in reversed(self.started):
            started.close()


def _url(kind: str, store: Store, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        assert isinstance(store, SqlStore)
        return store.engine.url.render_as_string(hide_password=False)
    if kind == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        return url
    neo4j: str = request.getfixturevalue("neo4j_uri")
    return neo4j


@pytest.fixture
def registry(
    store_kind: str, make_store: MakeStore, request: pytest.FixtureRequest, node_client: Path
) -> Iterator[Registry]:
    store = make_store(store_kind)
    opened = Registry(store, _url(store_kind, store, request), node_client)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def sqlite_registry(make_store: MakeStore, request: pytest.FixtureRequest, node_client: Path) -> Iterator[Registry]:
    store = make_store("sqlite")
    opened = Registry(store, _url("sqlite", store, request), node_client)
    try:
        yield opened
    finally:
        opened.close()


# -- the tests ------------------------------------------------------------------------------------


def test_a_review_made_through_one_server_reaches_each_callers_subscription_on_another(registry: Registry) -> None:
    # given two server processes on one store, and on the second a subscriber per kind of caller
    writer, reader = registry.serve(), registry.serve()
    after = {"after": registry.head()}
    coordinator = registry.subscribe(reader, CASE_STUDIES, after, "coordinator", 4)
    hub = registry.subscribe(reader, CASE_STUDIES, after, "hub", 2)
    anonymous = registry.subscribe(reader, CASE_STUDIES, after, None, 1)
    for subscriber in (coordinator, hub, anonymous):
        subscriber.connected()
    # when, through the first server, each hub submits a case study and a coordinator reviews both
    ours = writer.data(SUBMIT, {"input": _case("hub-live-case")}, registry.keys["hub"])["useCase"]
    theirs = writer.data(SUBMIT, {"input": _case("other-live-case")}, registry.keys["other_hub"])["useCase"]
    writer.data(PUBLISH, {"id": ours["id"], "version": 1}, registry.keys["coordinator"])
    writer.data(REJECT, {"id": theirs["id"], "version": 1, "reason": "No source."}, registry.keys["coordinator"])
    # then the coordinator sees every step, in order, each with its cursor
    seen = coordinator.events(4, "caseStudyChanged")
    assert [(e["change"], e["caseStudy"]["slug"], e["version"], e["reason"]) for e in seen] == [
        ("SUBMITTED", "hub-live-case", 1, None),
        ("SUBMITTED", "other-live-case", 1, None),
        ("PUBLISHED", "hub-live-case", 2, None),
        ("REJECTED", "other-live-case", 2, "No source."),
    ]
    assert [int(e["id"]) for e in seen] == sorted(int(e["id"]) for e in seen) and int(seen[0]["id"]) > int(
        after["after"]
    )
    # the hub sees its own case study's steps only (the other hub's would have come second)
    assert [(e["change"], e["caseStudy"]["slug"]) for e in hub.events(2, "caseStudyChanged")] == [
        ("SUBMITTED", "hub-live-case"),
        ("PUBLISHED", "hub-live-case"),
    ]
    # and an anonymous caller sees the publication only (a submission would have come first)
    published = anonymous.events(1, "caseStudyChanged")[0]
    assert (published["change"], published["caseStudy"]) == (
        "PUBLISHED",
        {"slug": "hub-live-case", "reviewState": "PUBLISHED", "hub": HUB},
    )
    assert published["id"] == seen[2]["id"]


def test_a_client_that_reconnects_with_the_last_id_gets_what_it_missed_then_live_events(registry: Registry) -> None:
    server = registry.serve()
    coordinator = registry.keys["coordinator"]
    # given a client that received one event and went away
    first = registry.subscribe(server, RECORDS, {"kinds": ["ACTOR"], "after": registry.head()}, None, 1)
    first.connected()
    server.data(CREATE_ACTOR, {"slug": "live-one"}, coordinator)
    [last] = first.events(1, "recordChanged")
    assert (last["change"], last["kind"], last["record"]["slug"]) == ("CREATED", "ACTOR", "live-one")
    first.close()
    # when two actors are created while it is away
    server.data(CREATE_ACTOR, {"slug": "live-two"}, coordinator)
    server.data(CREATE_ACTOR, {"slug": "live-three"}, coordinator)
    # and it comes back with the last id it saw
    again = registry.subscribe(server, RECORDS, {"kinds": ["ACTOR"], "after": last["id"]}, None, 3)
    again.connected()
    missed = again.events(2, "recordChanged")
    # then it first gets what it missed, in order, then what happens next
    server.data(CREATE_ACTOR, {"slug": "live-four"}, coordinator)
    live = again.events(1, "recordChanged")
    assert [e["record"]["slug"] for e in [*missed, *live]] == ["live-two", "live-three", "live-four"]
    assert [e["change"] for e in [*missed, *live]] == ["CREATED"] * 3


def test_a_subscription_without_a_cursor_starts_now_and_misses_nothing_after(sqlite_registry: Registry) -> None:
    registry = sqlite_registry
    server = registry.serve()
    coordinator = registry.keys["coordinator"]
    subscriber = registry.subscribe(server, RECORDS, {"kinds": ["ACTOR"]}, None, 100)
    subscriber.connected()
    # when actors are created until the first one arrives (the subscription starts once the
    # server has it, a moment after the connection), then three more
    written: list[str] = []
    first: dict[str, Any] | None = None
    for n in range(40):
        written.append(f"early-{n}")
        server.data(CREATE_ACTOR, {"slug": written[-1]}, coordinator)
        try:
            first = subscriber.lines.get(timeout=0.5)
            break
        except queue.Empty:
            continue
    assert first is not None, "no event arrived"
    slug = first["next"]["data"]["recordChanged"]["record"]["slug"]
    for later in ("later-a", "later-b", "later-c"):
        written.append(later)
        server.data(CREATE_ACTOR, {"slug": later}, coordinator)
    # then no seeded actor came first, and every later write follows in order, none missed
    assert slug in written
    rest = written[written.index(slug) + 1 :]
    assert [e["record"]["slug"] for e in subscriber.events(len(rest), "recordChanged")] == rest


def test_a_link_is_reported_with_both_ends(sqlite_registry: Registry) -> None:
    registry = sqlite_registry
    server = registry.serve()
    coordinator = registry.keys["coordinator"]
    server.data(CREATE_ACTOR, {"slug": "live-linked"}, coordinator)
    subscriber = registry.subscribe(server, RECORDS, {"kinds": ["ACTOR"], "after": registry.head()}, None, 1)
    subscriber.connected()
    # when a coordinator links the actor to a territory
    source, target = (base64.b64encode(ref.encode()).decode() for ref in ("Actor:live-linked", "Territory:lyon"))
    server.data(LINK, {"source": source, "target": target}, coordinator)
    # then the actor's subscribers hear of it, with the other end
    [event] = subscriber.events(1, "recordChanged")
    assert (event["change"], event["record"]["slug"], event["rel"], event["other"]) == (
        "LINKED",
        "live-linked",
        "PRESENT_IN",
        {"slug": "lyon"},
    )


def test_a_write_wakes_the_feed_of_its_server_before_the_poll_tick(sqlite_registry: Registry) -> None:
    # Given a server whose live feed reads the store only once a minute unless a write wakes it,
    # and a subscriber on it that has heard of a first actor (so its subscription is live)
    registry = sqlite_registry
    server = registry.serve(env={"REGISTRY_LIVE_POLL_SECONDS": "60"})
    coordinator = registry.keys["coordinator"]
    subscriber = registry.subscribe(server, RECORDS, {"kinds": ["ACTOR"], "after": registry.head()}, None, 2)
    subscriber.connected()
    server.data(CREATE_ACTOR, {"slug": "woken-one"}, coordinator)
    assert [e["record"]["slug"] for e in subscriber.events(1, "recordChanged")] == ["woken-one"]
    # When a second actor is created through the same server
    server.data(CREATE_ACTOR, {"slug": "woken-two"}, coordinator)
    # Then the subscriber hears of it within WAIT (20 s), long before the minute's tick
    assert [e["record"]["slug"] for e in subscriber.events(1, "recordChanged")] == ["woken-two"]


def test_an_unknown_key_closes_the_connection_with_4403(sqlite_registry: Registry) -> None:
    registry = sqlite_registry
    server = registry.serve()
    refused = Subscriber(registry.script, server.ws, CASE_STUDIES, {}, "sdr_000000000000_wrong", 1)
    registry.started.append(refused)
    assert refused.message() == {"closed": 4403, "reason": "Forbidden"}


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    [
        (
            "query { domains { totalCount } }",
            {},
            "Only subscriptions are served over WebSocket",
        ),  # queries go over HTTP
        (CASE_STUDIES, {"after": "not-an-id"}, "`after` is the `id` of an event received earlier."),
    ],
)
def test_a_refused_operation_gets_an_error_and_the_connection_stays_usable(
    sqlite_registry: Registry, query: str, variables: dict[str, Any], message: str
) -> None:
    registry = sqlite_registry
    server = registry.serve()
    subscriber = Subscriber(registry.script, server.ws, query, variables, None, 1)
    registry.started.append(subscriber)
    subscriber.connected()
    answer = subscriber.message()
    errors = answer.get("error") or answer.get("next", {}).get("errors")
    assert errors and message in json.dumps(errors), answer


UPDATE = """
mutation ($id: ID!, $version: Int!, $input: CaseStudyInput!, $submit: Boolean!) {
  updateCaseStudy(id: $id, version: $version, input: $input, submit: $submit) { useCase { version } errors { code message } }
}"""
DRAFT = """
mutation ($input: CaseStudyInput!) {
  submitCaseStudy(input: $input, draft: true) { useCase { id version } errors { code field message } }
}"""


def test_a_hub_follows_its_draft_to_publication_while_others_see_only_the_published_case(
    sqlite_registry: Registry,
) -> None:
    registry = sqlite_registry
    server = registry.serve()
    after = {"after": registry.head()}
    hub = registry.subscribe(server, CASE_STUDIES, after, "hub", 4)
    other_hub = registry.subscribe(server, CASE_STUDIES, after, "other_hub", 2)
    for subscriber in (hub, other_hub):
        subscriber.connected()
    # when a hub saves a draft, submits it, a coordinator publishes it and then edits it
    keys = registry.keys
    case = server.data(DRAFT, {"input": _case("drafted-case")}, keys["hub"])["useCase"]
    server.data(UPDATE, {"id": case["id"], "version": 1, "input": {}, "submit": True}, keys["hub"])
    server.data(PUBLISH, {"id": case["id"], "version": 2}, keys["coordinator"])
    edit = {"id": case["id"], "version": 3, "input": {"summary": {"en": "Edited."}}, "submit": False}
    server.data(UPDATE, edit, keys["coordinator"])
    # then the hub follows every step of its own case study
    steps = [(e["change"], e["version"]) for e in hub.events(4, "caseStudyChanged")]
    assert steps == [("DRAFTED", 1), ("SUBMITTED", 2), ("PUBLISHED", 3), ("UPDATED", 4)]
    # and another hub sees it from its publication on
    seen = [(e["change"], e["version"], e["caseStudy"]["reviewState"]) for e in other_hub.events(2, "caseStudyChanged")]
    assert seen == [("PUBLISHED", 3, "PUBLISHED"), ("UPDATED", 4, "PUBLISHED")]
