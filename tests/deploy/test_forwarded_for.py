"""Behind a balancer a rate limit is per real client: X-Forwarded-For is trusted from the
configured balancer addresses only (issue 15, item 3).

One `registry serve` trusts 127.0.0.2, as if the balancer were there; clients connect from
127.0.0.1 (anyone) or 127.0.0.2 (the balancer) by binding their end of the connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import MakeStore
from tests.deploy.services import BALANCER_SOURCE
from tests.server_process import ServerProcess, store_url

QUERY = {"query": "{ domains(first: 1) { totalCount } }"}


@pytest.fixture
def server(make_store: MakeStore, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    url = store_url("sqlite", make_store("sqlite"), request)
    options = ["--forwarded-allow-ips", BALANCER_SOURCE]
    with ServerProcess(
        url, tmp_path / "serve.log", options=options, env={"REGISTRY_RATE_LIMIT_ANONYMOUS": "3/minute"}
    ) as s:
        yield s


def _client(server: ServerProcess, local_address: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, transport=httpx.HTTPTransport(local_address=local_address), timeout=30)


def test_a_forwarded_for_header_from_anyone_but_the_balancer_is_ignored(server: ServerProcess) -> None:
    # given a client that is not the balancer, naming another address in each request
    with _client(server, "127.0.0.1") as client:
        statuses = [
            client.post("/graphql", json=QUERY, headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
            for n in range(1, 6)
        ]
    # then its own address is counted: the limit of 3 holds whatever it claims
    assert statuses == [200, 200, 200, 429, 429]


def test_the_balancer_names_the_client_that_is_counted(server: ServerProcess) -> None:
    # given the balancer forwarding two clients' requests
    with _client(server, BALANCER_SOURCE) as balancer:

        def ask(client: str) -> int:
            return balancer.post("/graphql", json=QUERY, headers={"X-Forwarded-For": client}).status_code

        # then each client has its own count, not the balancer's one address
        assert [ask("198.51.100.1") for _ in range(4)] == [200, 200, 200, 429]
        assert ask("198.51.100.2") == 200
        # and an address a client put before the balancer's own is not the one counted
        assert ask("198.51.100.9, 198.51.100.1") == 429
