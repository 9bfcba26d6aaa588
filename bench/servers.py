"""The servers under test, each a real process on a free loopback port: `registry serve`
(uvicorn, one worker) and the peer (@neo4j/graphql on Apollo Server, one Node process)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
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
    pid: int
    path: str = "/graphql"


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


@contextmanager
def _process(
    name: str, command: list[str], log: Path, env: dict[str, str], cwd: Path | None = None
) -> Iterator[Server]:
    port = free_port()
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [part.replace("{port}", str(port)) for part in command],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env, "PORT": str(port)},
            cwd=cwd,
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not _ready(port, "/graphql"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start; its log:\n{log.read_text(encoding='utf-8')[-3000:]}")
                time.sleep(0.2)
            yield Server(name, port, process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def registry_server(store_url: str, log: Path) -> Iterator[Server]:
    """`registry serve` on the store, as a subprocess."""
    command = registry_command("serve", "--store", store_url, "--host", "127.0.0.1", "--port", "{port}")
    with _process("ours", command, log, {}) as server:
        yield server


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


@contextmanager
def peer_server(neo4j_uri: str, log: Path) -> Iterator[Server]:
    """The peer over the same Neo4j."""
    node = install_peer()
    with _process("peer", [node, "server.js"], log, {"NEO4J_URI": neo4j_uri}, cwd=PEER_DIR) as server:
        yield server
