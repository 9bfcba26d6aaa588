"""A real `registry serve` process on a store, for the tests that run several or kill them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

import httpx
import pytest

from registry.store.port import Store
from registry.store.sql.store import SqlStore

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def store_url(kind: str, store: Store, request: pytest.FixtureRequest) -> str:
    """The URL another process opens `store`'s database with."""
    if kind == "sqlite":
        assert isinstance(store, SqlStore)
        return store.engine.url.render_as_string(hide_password=False)
    if kind == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return str(request.getfixturevalue("neo4j_uri"))


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


class ServerProcess:
    """`registry serve` (one process unless told; no response cache: every read goes to the store)."""

    def __init__(
        self,
        store_url: str,
        log: Path,
        workers: int = 1,
        options: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        response_cache: bool = False,
    ) -> None:
        """`options` and `env` are more of `registry serve`'s options and environment."""
        self.store_url = store_url
        self.options = list(options)
        self.env = dict(env or {})
        self.response_cache = response_cache
        self.port = free_port()
        self.log = log
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        command = [sys.executable, "-m", "registry.cli", "serve", "--store", self.store_url]
        command += ["--port", str(self.port), "--workers", str(self.workers), *self.options]
        command += [] if self.response_cache else ["--no-response-cache"]
        env = {**os.environ, "PYTHONPATH": str(ROOT), **self.env}
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.wait_healthy()
        return self

    def wait_healthy(self) -> None:
        """Until /health says the process serves and its store answers."""
        assert self.process is not None
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                if httpx.get(f"{self.url}/health", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"registry serve is not serving: {self.log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.1)

    def worker_pids(self) -> list[int]:
        """The pids of the processes that serve: the workers, or the one process."""
        assert self.process is not None
        if self.workers == 1:
            return [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children if b"resource_tracker" not in _cmdline(int(pid))]

    def kill(self) -> None:
        """kill -9: no shutdown, no flush, no rollback by the process itself."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
