"""Three `registry serve` processes behind HAProxy, sharing a store and a Redis (issue 15, item 3).

Started here: Redis and HAProxy (tests/deploy/services.py, the README's deploy/haproxy.cfg) and
three single-worker servers, on PostgreSQL and on Neo4j (through the routing scheme `neo4j://`).
Through the balancer: a client's rate limit holds across the three; a persisted-query hash
registered on one is found on the others; a subscription on one sees writes through another; and
32 writers lose nothing, each reading its write back through whichever server comes next.

Each test's anonymous client connects from its own loopback address, which the balancer names
in X-Forwarded-For: the tests' counts do not mix.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from registry.domain.records import Role
from registry.services.access import create_key
from registry.store.factory import open_store
from registry.store.port import Store
from tests.deploy.services import BALANCER_SOURCE, Balancer, RedisServer, require_tools
from tests.server_process import ServerProcess
from tests.write_load import CREATE, HANG_GUARD_SECONDS, WRITERS, Load, audit_holds, territory_input

LIMIT = 20  # anonymous requests a minute, per client
WRITES_EACH = 5
COUNT = "{ territories(first: 1) { totalCount } }"
READ_BACK = "query ($slug: String!) { territory(slug: $slug) { slug version } }"


@dataclass
class Deployment:
    store: Store
    token: str  # a coordinator's key
    servers: list[ServerProcess]
    balancer: Balancer

    def client(self, local_address: str, base: str | None = None) -> httpx.Client:
        """A client connecting from `local_address` (a client of its own, for the rate limits)."""
        transport = httpx.HTTPTransport(local_address=local_address)
        return httpx.Client(base_url=base or self.balancer.url, transport=transport, timeout=30)


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("neo4j", marks=pytest.mark.neo4j),
    ],
)
def deployment(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    require_tools()
    if request.param == "postgres":
        url = str(request.getfixturevalue("postgres_url"))
    else:  # the routing scheme, as a cluster is addressed (a single server answers its routing table too)
        url = "neo4j://" + str(request.getfixturevalue("neo4j_uri")).split("://", 1)[1]
    logs = tmp_path_factory.mktemp(f"deploy-{request.param}")
    store = open_store(url)
    store.clear()
    token = create_key(store, Role.COORDINATOR)[1]
    with ExitStack() as started:
        redis = started.enter_context(RedisServer(logs / "redis.log"))
        options = ["--forwarded-allow-ips", BALANCER_SOURCE, "--redis-url", redis.url]
        # A live feed's tick of a minute: a subscriber hears of a write through another server in
        # time only because that server announced it through Redis (api/http/change_signal.py).
        env = {"REGISTRY_RATE_LIMIT_ANONYMOUS": f"{LIMIT}/minute", "REGISTRY_LIVE_POLL_SECONDS": "60"}
        servers = [
            started.enter_context(ServerProcess(url, logs / f"serve-{n}.log", options=options, env=env))
            for n in (1, 2, 3)
        ]
        balancer = started.enter_context(Balancer([s.url.split("://")[1] for s in servers], logs / "haproxy.log"))
        yield Deployment(store, token, servers, balancer)
    store.close()


def test_a_clients_rate_limit_holds_across_the_three_servers(deployment: Deployment) -> None:
    # given a client sending more than its limit through the balancer
    with deployment.client("127.0.0.3") as client:
        answers = [client.post("/graphql", json={"query": COUNT}) for _ in range(LIMIT + 10)]
    # then its requests went to all three servers, and together they let through its limit, once
    assert {a.headers["x-served-by"] for a in answers} == {"one", "two", "three"}
    assert [a.status_code for a in answers] == [200] * LIMIT + [429] * 10
    # while another client, through the same balancer, has its own count
    with deployment.client("127.0.0.4") as other:
        assert other.post("/graphql", json={"query": COUNT}).status_code == 200
    # and a client that names other addresses itself is still counted by its own
    with deployment.client("127.0.0.5") as spoofing:
        statuses = [
            spoofing.post("/graphql", json={"query": COUNT}, headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
            for n in range(LIMIT + 1)
        ]
    assert statuses == [200] * LIMIT + [429]


def test_a_persisted_query_registered_on_one_server_is_found_on_the_others(deployment: Deployment) -> None:
    query = "query Shared { territories(first: 2) { totalCount nodes { slug } } }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    by_hash = {"extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}})}
    one, two, three = deployment.servers
    with deployment.client("127.0.0.6", one.url) as first, deployment.client("127.0.0.6", two.url) as second:
        # given a hash no server knows
        unknown = second.get("/graphql", params=by_hash)
        assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        # when a client registers it on the first server
        registered = first.post(
            "/graphql", json={"query": query, "extensions": json.loads(by_hash["extensions"])}
        ).json()
        assert "errors" not in registered
        # then the hash alone runs on the others, and through the balancer
        for base in (two.url, three.url, deployment.balancer.url):
            with deployment.client("127.0.0.6", base) as client:
                assert client.get("/graphql", params=by_hash).json() == registered, base


def _subscribe(opened: ExitStack, url: str, after: int) -> tuple[ClientConnection, str]:
    socket = opened.enter_context(connect(url, subprotocols=[Subprotocol("graphql-transport-ws")], open_timeout=30))
    socket.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert json.loads(socket.recv(timeout=30)) == {"type": "connection_ack"}
    query = "subscription ($after: ID) { recordChanged(kinds: [TERRITORY], after: $after) { change record { slug } } }"
    payload = {"query": query, "variables": {"after": str(after)}}
    socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    assert socket.response is not None
    return socket, str(socket.response.headers["x-served-by"])


def test_a_subscription_on_one_server_sees_writes_through_another(deployment: Deployment) -> None:
    # given subscribers through the balancer on each of the three servers, from the audit trail's head
    head = deployment.store.audit_head()
    ws = deployment.balancer.url.replace("http", "ws") + "/graphql"
    sockets: dict[str, ClientConnection] = {}
    with ExitStack() as opened:
        for _ in range(9):
            socket, server = _subscribe(opened, ws, head)
            sockets.setdefault(server, socket)
            if len(sockets) == 3:
                break
        assert sorted(sockets) == ["one", "three", "two"]
        # when a coordinator creates a territory through the balancer (so on one server of the three),
        # and, once every subscription is live (it heard of that one), a second
        for slug in ("live-across", "live-across-2"):
            with deployment.client("127.0.0.1") as client:
                created = client.post(
                    "/graphql",
                    json={"query": CREATE, "variables": {"input": territory_input(slug, "Live"), "key": None}},
                    headers={"Authorization": f"Bearer {deployment.token}"},
                )
            assert created.json()["data"]["createTerritory"]["errors"] == []
            # then every subscriber hears of it within 15 s (the servers' tick is a minute), whichever server it is on
            for server, socket in sockets.items():
                event = json.loads(socket.recv(timeout=15))
                assert event["type"] == "next", (server, event)
                assert event["payload"]["data"]["recordChanged"] == {"change": "CREATED", "record": {"slug": slug}}


def test_32_writers_through_the_balancer_lose_nothing(deployment: Deployment) -> None:
    count_before = _count(deployment)
    _, audited_before = deployment.store.audit_page(0, 0)
    limits = httpx.Limits(max_connections=WRITERS)

    async def go() -> tuple[Load, list[str]]:
        async with httpx.AsyncClient(
            base_url=deployment.balancer.url, timeout=HANG_GUARD_SECONDS, limits=limits
        ) as client:
            load = Load([client], deployment.token)

            async def writer(w: int) -> list[str]:
                missed = []
                for n in range(WRITES_EACH):
                    slug = f"writer-{w:02d}-{n}"
                    created = await load.send(CREATE, {"input": territory_input(slug, f"Writer {w} {n}"), "key": None})
                    # the next request may reach another server: it reads the write back all the same
                    read = await load.send(READ_BACK, {"slug": slug})
                    if (read.body.get("data") or {}).get("territory") != {"slug": slug, "version": 1}:
                        missed.append(
                            f"{slug}: created {created.status} {created.raw[:300]!r}, read {read.raw[:300]!r}"
                        )
                return missed

            results = await asyncio.gather(*(writer(w) for w in range(WRITERS)))
            return load, [miss for missed in results for miss in missed]

    # when 32 writers each create 5 territories through the balancer, reading each back at once
    load, not_read_back = asyncio.run(go())
    # then nothing failed, every write was read back, and the registry counts every one
    assert load.unexpected() == []
    assert not_read_back == []
    assert _count(deployment) == count_before + WRITERS * WRITES_EACH
    # with an audit entry each, numbered without a gap
    writes, problems = audit_holds(deployment.store)
    assert problems == []
    _, audited = deployment.store.audit_page(0, 0)
    assert audited - audited_before == WRITERS * WRITES_EACH
    assert writes >= WRITERS * WRITES_EACH


def _count(deployment: Deployment) -> int:
    with deployment.client("127.0.0.1") as client:
        answer: dict[str, Any] = client.post(
            "/graphql", json={"query": COUNT}, headers={"Authorization": f"Bearer {deployment.token}"}
        ).json()
    return int(answer["data"]["territories"]["totalCount"])
