"""The WebSocket endpoint's limits, each met by a real client (the `websockets` library speaking
graphql-transport-ws) against a real `registry serve`: connections per address and subscriptions per
connection close with 4429, a message over the size limit with 4400, a silent client with 4408, and a
subscriber that stops reading is dropped (lagging) instead of being buffered without end.

The limits are set low through the environment, as an operator would set them.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from registry.domain.records import Role
from registry.services.access import create_key
from registry.services.audit_feed import MAX_PENDING
from registry.services.seeding import seed
from registry.store.port import AuditDraft, WriteBatch
from registry.store.sql.store import SqlStore
from tests.server_process import ServerProcess

WAIT = 20.0
PROTOCOL = [Subprotocol("graphql-transport-ws")]
LIVE_ACTORS = "subscription LiveActors { recordChanged(kinds: [ACTOR]) { id record { slug } } }"
# The same, each event some 4 KB (29 long aliases repeat a field; 30 is the most a document may have):
# MAX_PENDING of them outgrow every buffer between the server and a client that stops reading
# (asyncio's 64 KiB, the kernel's socket buffers).
BULKY = "subscription Bulky {{ recordChanged(kinds: [ACTOR]) {{ {} }} }}".format(
    " ".join(f"{'a' * 100}{n}: id" for n in range(29))
)
CREATE_ACTOR = """mutation ($slug: String!) {
  createActor(input: {slug: $slug, name: {en: $slug}, kind: LOCAL_AUTHORITY}) { errors { code } }
}"""
LIMITS = {
    "REGISTRY_WS_CONNECTIONS_PER_ADDRESS": "3",
    "REGISTRY_WS_SUBSCRIPTIONS_PER_CONNECTION": "2",
    "REGISTRY_WS_MAX_MESSAGE_BYTES": "10000",
    "REGISTRY_WS_INIT_TIMEOUT": "1",
    "REGISTRY_RATE_LIMIT_KEY": "",  # the slow-subscriber test writes fast
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    """A served seeded SQLite store with low limits, and a coordinator's key."""
    folder = tmp_path_factory.mktemp("ws")
    store = SqlStore(f"sqlite:///{folder / 'registry.db'}")
    seed(store)
    key = create_key(store, Role.COORDINATOR)[1]
    url = store.engine.url.render_as_string(hide_password=False)
    store.close()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in LIMITS.items():
            patch.setenv(name, value)
        with ServerProcess(url, folder / "serve.log") as server:
            yield server, key


def _url(server: ServerProcess) -> str:
    return server.url.replace("http", "ws") + "/graphql"


@contextmanager
def _acknowledged(server: ServerProcess, sock: socket.socket | None = None) -> Iterator[ClientConnection]:
    with connect(_url(server), subprotocols=PROTOCOL, sock=sock, max_queue=1, ping_interval=None) as client:
        client.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(client.recv(timeout=WAIT)) == {"type": "connection_ack"}
        yield client


def _closed(client: ClientConnection) -> tuple[int | None, str]:
    """Read until the server closes; its close code and reason."""
    with pytest.raises(ConnectionClosed) as closed:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            client.recv(timeout=WAIT)
    frame = closed.value.rcvd
    return (frame.code, frame.reason) if frame is not None else (None, "")


def _subscribe(client: ClientConnection, n: int, query: str = LIVE_ACTORS) -> None:
    client.send(json.dumps({"id": str(n), "type": "subscribe", "payload": {"query": query}}))


def _figure(server: ServerProcess, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(httpx.get(f"{server.url}/metrics", timeout=30).text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


def test_connections_over_the_limit_per_address_close_with_4429(served: tuple[ServerProcess, str]) -> None:
    server, _ = served
    with ExitStack() as stack:
        # given as many open connections from this address as the limit allows
        for _ in range(3):
            stack.enter_context(_acknowledged(server))
        # when one more connects, it is closed with 4429 and the reason
        with connect(_url(server), subprotocols=PROTOCOL) as extra:
            assert _closed(extra) == (4429, "Over 3 connections from one address")
    # then once the others are closed, a new connection is served
    with _acknowledged(server):
        pass


def test_subscriptions_over_the_limit_per_connection_close_with_4429(served: tuple[ServerProcess, str]) -> None:
    server, _ = served
    with _acknowledged(server) as client:
        _subscribe(client, 1)
        _subscribe(client, 2)
        _subscribe(client, 3)
        assert _closed(client) == (4429, "Over 2 subscriptions on one connection")


def test_a_message_over_the_size_limit_closes_with_4400(served: tuple[ServerProcess, str]) -> None:
    server, _ = served
    # a connection_init whose payload is over the limit (the server keeps the connection while it
    # waits for the init, so this is where a large payload costs it most)
    with connect(_url(server), subprotocols=PROTOCOL) as client:
        client.send(json.dumps({"type": "connection_init", "payload": {"padding": "x" * 10_000}}))
        assert _closed(client) == (4400, "Message over 10000 bytes")
    # and a message just under it is read as usual
    with connect(_url(server), subprotocols=PROTOCOL) as client:
        client.send(json.dumps({"type": "connection_init", "payload": {"padding": "x" * 9_000}}))
        assert json.loads(client.recv(timeout=WAIT)) == {"type": "connection_ack"}


def test_a_client_that_never_sends_connection_init_is_closed_with_4408(served: tuple[ServerProcess, str]) -> None:
    server, _ = served
    with connect(_url(server), subprotocols=PROTOCOL) as client:
        started = time.monotonic()
        assert _closed(client) == (4408, "Connection initialisation timeout")
        assert 0.9 <= time.monotonic() - started < 5  # the configured 1 s, not the 10 s default


def _create(http: httpx.Client, key: str, slug: str) -> Any:
    body = http.post(
        "/graphql",
        json={"query": CREATE_ACTOR, "variables": {"slug": slug}},
        headers={"Authorization": f"Bearer {key}"},
    ).json()
    assert body["data"]["createActor"]["errors"] == [], body
    return body


def test_a_subscriber_that_stops_reading_is_dropped_not_buffered(served: tuple[ServerProcess, str]) -> None:
    server, key = served
    lagging = "registry_live_subscriptions_ended_total"
    before = _figure(server, lagging, reason="lagging")
    # given a subscriber whose socket takes little before it pushes back (a small receive buffer)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: it sets the window
    sock.connect(("127.0.0.1", server.port))
    with _acknowledged(server, sock) as client, httpx.Client(base_url=server.url, timeout=30) as http:
        _subscribe(client, 1, BULKY)
        _create(http, key, "slow-first")
        first = json.loads(client.recv(timeout=WAIT))
        assert first["type"] == "next", first
        # when it stops reading while more changes are committed than the feed holds for a subscriber
        # (in one batch of audit entries naming that actor, as a burst of edits would leave them)
        store = SqlStore(server.store_url)
        drafts = [AuditDraft("admin:soak", "update", "Actor:slow-first", 1, 1) for _ in range(MAX_PENDING + 200)]
        store.write(WriteBatch(audit=drafts, at=datetime.now(UTC)))
        store.close()
        # then the server ends the subscription as lagging (its queue dropped, not grown)
        deadline = time.monotonic() + WAIT
        while _figure(server, lagging, reason="lagging") == before and time.monotonic() < deadline:
            # reading lets the server flush what its socket held, then the CONFLICT error
            with suppress(TimeoutError):
                client.recv(timeout=0.05)
        assert _figure(server, lagging, reason="lagging") == before + 1
        codes: list[str] = []
        while not codes:
            message = json.loads(client.recv(timeout=WAIT))
            if message["type"] == "error" or (message["type"] == "next" and message["payload"].get("errors")):
                codes = [e["extensions"]["code"] for e in message["payload"].get("errors", message["payload"])]
        assert codes == ["CONFLICT"]


def test_the_limits_hold_with_their_documented_defaults() -> None:
    from registry.settings import Settings

    defaults = Settings()
    assert (defaults.ws_connections_per_address, defaults.ws_subscriptions_per_connection) == (50, 20)
    assert (defaults.ws_max_message_bytes, defaults.ws_init_timeout, defaults.metrics_keyed_operations) == (
        200_000,
        10.0,
        200,
    )
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for name in LIMITS:
        if name.startswith("REGISTRY_WS"):
            assert name in readme, name
