"""Redis and HAProxy, started by the deployment tests on loopback ports, stopped after them.

HAProxy runs the repository's own deploy/haproxy.cfg, the one the README quotes, with the
addresses in its environment. It connects to the servers from BALANCER_SOURCE, a loopback
address of its own, which is the one address the servers trust X-Forwarded-For from: a client on
127.0.0.1 that sends the header itself is not the balancer.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import httpx
import redis

from tests import needs
from tests.foreground import ForegroundProcess
from tests.server_process import ROOT, free_port

CONFIG = ROOT / "deploy" / "haproxy.cfg"
BALANCER_SOURCE = "127.0.0.2"


def require_tools() -> None:
    needs.tools(needs.DEPLOY, "redis-server", "haproxy", why="the deployment on several servers")


class RedisServer(ForegroundProcess):
    """redis-server on loopback, nothing written to disk."""

    def __init__(self, log: Path) -> None:
        super().__init__(log)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> RedisServer:
        self.launch(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        )
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        self.wait(client.ping, "redis-server", (OSError, redis.RedisError))
        client.close()
        return self


class Balancer(ForegroundProcess):
    """HAProxy with deploy/haproxy.cfg in front of `servers` (host:port each, three of them)."""

    def __init__(self, servers: Sequence[str], log: Path) -> None:
        super().__init__(log)
        assert len(servers) == 3, "deploy/haproxy.cfg names three servers"
        self.servers = list(servers)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Balancer:
        env = {"REGISTRY_BALANCER": f"127.0.0.1:{self.port}", "REGISTRY_BALANCER_SOURCE": BALANCER_SOURCE}
        env.update({f"REGISTRY_SERVER_{n}": server for n, server in enumerate(self.servers, start=1)})
        self.launch(["haproxy", "-db", "-f", str(CONFIG)], env)
        self.wait(self._all_serving, "haproxy")
        return self

    def _all_serving(self) -> bool:
        """Until requests through it reach each of the three servers."""
        with httpx.Client(base_url=self.url, timeout=5) as client:
            served = {client.get("/ready").headers.get("x-served-by") for _ in range(6)}
        return served == {"one", "two", "three"}
