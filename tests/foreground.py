"""A helper program (nginx, redis-server, HAProxy…) run by a test in the foreground, its output in a
log file, waited for until it answers and stopped on exit."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

import httpx

START_SECONDS = 30.0


class ForegroundProcess:
    def __init__(self, log: Path) -> None:
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def launch(self, command: Sequence[str], env: dict[str, str] | None = None) -> None:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                list(command), env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT
            )

    def wait(
        self,
        ready: Callable[[], object],
        what: str,
        errors: tuple[type[Exception], ...] = (OSError, httpx.TransportError),
    ) -> None:
        """Until `ready()` is true; `errors` mean "not yet". Fails with the log's tail if it exits first."""
        assert self.process is not None
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                if ready():
                    return
            except errors:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start: {self.log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
