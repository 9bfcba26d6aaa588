"""The servers under test, each a real process on a free loopback port: `registry serve`
(uvicorn, one worker) and the peer (@neo4j/graphql on Apollo Server, one Node process).

Servers are started and stopped explicitly, so that the runner can restart one whose
requests timed out: it would otherwise go on working for the abandoned requests, under
the next cells."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.stores import registry_command
from graph.local_neo4j import free_port

PEER_DIR = Path(__file__).parent / "peer"
START_TIMEOUT = 120.0


class PeerUnavailable(Exception):
    """The peer cannot run here (no Node or npm); the message says why."""


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    path: str = "/graphql"

    @property
    def pid(self) -> int:
        return self.process.pid


def _ready(port: int, path: str) -> bool:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps({"query": "{ __typename }"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def start(name: str, command: list[str], log: Path, env: dict[str, str], cwd: Path | None = None) -> Server:
    """Start a server (`{port}` in its command is a free port) and wait until it answers GraphQL."""
    port = free_port()
    with open(log, "a", encoding="utf-8") as out:
        process = subprocess.Popen(
            [part.replace("{port}", str(port)) for part in command],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env, "PORT": str(port)},
            cwd=cwd,
        )
    server = Server(name, port, process)
    deadline = time.monotonic() + START_TIMEOUT
    while not _ready(port, server.path):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(server)
            raise RuntimeError(f"{name} did not start; its log:\n{log.read_text(encoding='utf-8')[-3000:]}")
        time.sleep(0.2)
    return server


def stop(server: Server) -> None:
    """SIGTERM, then SIGKILL if it has not stopped within 30 s."""
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def serve_options(extra: list[str]) -> list[str]:
    """The options `registry serve` gets besides store, host and port: one worker, then `extra`."""
    usage = subprocess.run(registry_command("serve", "--help"), capture_output=True, text=True, check=False).stdout
    # Where serve can fork workers, keep one: its CPU is then this process's.
    return (["--workers", "1"] if "--workers" in usage else []) + extra


def registry_starter(store_url: str, log: Path, options: list[str], name: str = "ours") -> Callable[[], Server]:
    """How to start `registry serve` on the store, as a subprocess."""
    command = registry_command("serve", "--store", store_url, "--host", "127.0.0.1", "--port", "{port}", *options)
    # The benchmark measures throughput from one address: the rate limits would cut it.
    unlimited = {"REGISTRY_RATE_LIMIT_ANONYMOUS": "off", "REGISTRY_RATE_LIMIT_KEY": "off"}
    return lambda: start(name, command, log, unlimited)


def install_peer() -> str:
    """`npm ci` in bench/peer when its node_modules is missing or older than the lock file."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise PeerUnavailable("peer skipped: node and npm are needed (Node 20 or later)")
    marker = PEER_DIR / "node_modules" / ".package-lock.json"
    if not marker.is_file() or marker.stat().st_mtime < (PEER_DIR / "package-lock.json").stat().st_mtime:
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=PEER_DIR, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise PeerUnavailable(f"peer skipped: npm ci failed:\n{done.stderr[-2000:]}")
    return node


def peer_starter(neo4j_uri: str, log: Path) -> Callable[[], Server]:
    """How to start the peer over the same Neo4j (installing it first if needed)."""
    node = install_peer()
    return lambda: start("peer", [node, "server.js"], log, {"NEO4J_URI": neo4j_uri}, cwd=PEER_DIR)
