"""/metrics follows live subscriptions, through a real `registry serve` and a real WebSocket client
(the `websockets` library speaking graphql-transport-ws): open connections, active subscriptions
by operation, events by field, ends by reason, and the audit feed's reads.

Run with one worker, and with prometheus-client's multiprocess mode (as `--workers N` runs), where
the gauges are summed over the living workers.  Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from registry.api.execution.context import Loaders
from registry.api.graphql.schema import schema
from registry.api.graphql.subscriptions import LiveContext
from registry.api.http.websocket import _SubscriptionsOnly
from registry.domain.records import ANONYMOUS, AuditEntry, Role
from registry.services.access import create_key, visibility
from registry.services.audit_feed import MAX_PENDING, AuditFeed
from registry.services.editing import Editing
from registry.services.seeding import seed
from registry.store.sql.store import SqlStore
from tests.conftest import MakeStore
from tests.server_process import ServerProcess, store_url

WAIT = 20.0  # seconds: the longest wait for one message or figure, far above the feed's 0.25 s poll

LIVE_ACTORS = """subscription LiveActors($after: ID) {
  recordChanged(kinds: [ACTOR], after: $after) { id record { slug } }
}"""
CREATE_ACTOR = """mutation ($slug: String!) {
  createActor(input: {slug: $slug, name: {en: $slug}, kind: LOCAL_AUTHORITY}) { errors { code field message } }
}"""


def _figures(server: ServerProcess) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = httpx.get(f"{server.url}/metrics", timeout=30).text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _figure(server: ServerProcess, name: str, **labels: str) -> float:
    return _figures(server).get((name, tuple(sorted(labels.items()))), 0.0)


def _until(read: Callable[[], float], expected: Callable[[float], bool]) -> float:
    """Read a figure until it is as expected (the server counts as it goes: a moment after a message)."""
    deadline = time.monotonic() + WAIT
    while True:
        value = read()
        if expected(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def _message(socket: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(socket.recv(timeout=WAIT))
    return message


@contextmanager
def _open(server: ServerProcess, key: str) -> Iterator[ClientConnection]:
    """A connection with a key: a keyed caller's operation names are labels (anonymous ones: `other`)."""
    url = server.url.replace("http", "ws") + "/graphql"
    with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as socket:
        socket.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}))
        assert _message(socket) == {"type": "connection_ack"}
        yield socket


@pytest.fixture(params=["one_process", "multiprocess"])
def server(
    request: pytest.FixtureRequest, make_store: MakeStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[ServerProcess, str, str]]:
    """A served seeded SQLite store, the store's last audit number, and a coordinator's key."""
    if request.param == "multiprocess":  # what `--workers N` sets up; the server inherits it
        (tmp_path / "metrics").mkdir()
        monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    store = make_store("sqlite")
    seed(store)
    key = create_key(store, Role.COORDINATOR)[1]
    with ServerProcess(store_url("sqlite", store, request), tmp_path / "serve.log") as served:
        yield served, str(store.audit_head()), key


def test_metrics_follow_a_client_that_subscribes_receives_an_event_and_disconnects(
    server: tuple[ServerProcess, str, str],
) -> None:
    served, head, key = server
    ended = "registry_live_subscriptions_ended_total"
    assert _figure(served, "registry_live_connections") == 0
    # when a client connects and subscribes
    with _open(served, key) as socket:
        assert _until(lambda: _figure(served, "registry_live_connections"), lambda v: v == 1) == 1
        socket.send(
            json.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": LIVE_ACTORS, "variables": {"after": head}}}
            )
        )
        active = _until(
            lambda: _figure(served, "registry_live_subscriptions", operation="LiveActors"), lambda v: v == 1
        )
        assert active == 1
        # and an actor is created over HTTP
        created = httpx.post(
            f"{served.url}/graphql",
            json={"query": CREATE_ACTOR, "variables": {"slug": "metrics-actor"}},
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        ).json()
        assert created["data"]["createActor"]["errors"] == []
        event = _message(socket)
        assert (event["type"], event["payload"]["data"]["recordChanged"]["record"]["slug"]) == ("next", "metrics-actor")
        # then the event is counted under its field, and the feed's reads that found it too
        assert (
            _until(lambda: _figure(served, "registry_live_events_total", field="recordChanged"), lambda v: v == 1) == 1
        )
        assert _figure(served, "registry_live_audit_reads_total", reader="catch_up") >= 1
        assert _figure(served, "registry_live_audit_reads_total", reader="poll") >= 1
        assert _figure(served, "registry_live_audit_entries_total", reader="poller") >= 1
        # when a query is sent over the socket, it is refused, and counted so
        socket.send(json.dumps({"id": "2", "type": "subscribe", "payload": {"query": "query Refused { __typename }"}}))
        assert _message(socket)["type"] == "error"
        assert _until(lambda: _figure(served, ended, reason="refused"), lambda v: v == 1) == 1
        assert _figure(served, "registry_live_subscriptions", operation="Refused") == 0
        # when the client completes its subscription, then goes away
        socket.send(json.dumps({"id": "1", "type": "complete"}))
        assert _until(lambda: _figure(served, ended, reason="client_closed"), lambda v: v == 1) == 1
        assert _figure(served, "registry_live_subscriptions", operation="LiveActors") == 0
    # then nothing is counted as open any more
    assert _until(lambda: _figure(served, "registry_live_connections"), lambda v: v == 0) == 0


def test_a_client_that_drops_its_connection_ends_its_subscriptions(server: tuple[ServerProcess, str, str]) -> None:
    served, head, key = server
    read = lambda: _figure(served, "registry_live_subscriptions", operation="LiveActors")  # noqa: E731
    with _open(served, key) as socket:
        for n in ("1", "2"):
            payload = {"query": LIVE_ACTORS, "variables": {"after": head}}
            socket.send(json.dumps({"id": n, "type": "subscribe", "payload": payload}))
        assert _until(read, lambda v: v == 2) == 2
    # the socket is closed without completing either
    assert _until(read, lambda v: v == 0) == 0
    assert _figure(served, "registry_live_subscriptions_ended_total", reason="client_closed") == 2
    assert _figure(served, "registry_live_connections") == 0


def test_a_subscriber_too_far_behind_is_counted_as_lagging(tmp_path: Path) -> None:
    # given a subscription run by the WebSocket endpoint's schema on a real store and audit feed
    store = SqlStore(f"sqlite:///{tmp_path / 'registry.db'}")
    feed = AuditFeed(store, poll_seconds=0.02)
    context = LiveContext(
        store=store,
        principal=ANONYMOUS,
        visibility=visibility(ANONYMOUS),
        request_id="lagging",
        editing=Editing(store),
        loaders=Loaders(store, visibility(ANONYMOUS), cache=False),
        feed=feed,
    )
    ended = {"reason": "lagging"}
    before = REGISTRY.get_sample_value("registry_live_subscriptions_ended_total", ended) or 0.0

    async def scenario() -> list[Any]:
        stream = await _SubscriptionsOnly(schema).stream(LIVE_ACTORS, context_value=context)
        first = asyncio.ensure_future(stream.__anext__())
        for _ in range(500):  # until the subscription has joined the feed (bounded)
            if feed._subscribers:
                break
            await asyncio.sleep(0.01)
        [subscriber] = feed._subscribers
        # when more entries come than a subscriber may hold
        at = datetime(2026, 1, 1, tzinfo=UTC)
        subscriber.offer([AuditEntry(n, at, "admin:a", "create", "Actor:a", None, 1) for n in range(MAX_PENDING + 1)])
        results = [await asyncio.wait_for(first, WAIT)]
        results += [result async for result in stream]
        return results

    results = asyncio.run(scenario())
    store.close()
    # then the subscription ends with CONFLICT, counted as lagging
    assert [e.extensions["code"] for r in results for e in r.errors or []] == ["CONFLICT"]
    assert REGISTRY.get_sample_value("registry_live_subscriptions_ended_total", ended) == before + 1
