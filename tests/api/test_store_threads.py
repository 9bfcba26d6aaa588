"""A worker runs its blocking store calls on a bounded number of threads (REGISTRY_STORE_THREADS):
past a few, threads only take turns on the interpreter lock away from the event loop."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.app import create_app
from registry.settings import Settings
from registry.store.sql.store import SqlStore

QUERY = {"query": "{ territories(first: 1) { totalCount nodes { slug } } }"}


class Slow:
    """A store whose every call takes 50 ms longer, noting how many run at once."""

    def __init__(self, inner: SqlStore) -> None:
        self.inner = inner
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if not callable(attribute) or name == "close":
            return attribute

        def slow(*args: Any, **kwargs: Any) -> Any:
            with self.lock:
                self.running += 1
                self.most = max(self.most, self.running)
            try:
                time.sleep(0.05)
                return attribute(*args, **kwargs)
            finally:
                with self.lock:
                    self.running -= 1

        return slow


async def _at_once(store: Slow, threads: int, requests: int) -> list[int]:
    settings = Settings(store_url="unused://", store_threads=threads, response_cache=False)
    app = create_app(settings, store=store)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
            answers = await asyncio.gather(*(client.post("/graphql", json=QUERY) for _ in range(requests)))
    return [answer.status_code for answer in answers]


@pytest.mark.parametrize("threads", [2, 3])
def test_store_calls_run_on_at_most_the_threads_set(tmp_path: Path, threads: int) -> None:
    store = Slow(SqlStore(f"sqlite:///{tmp_path / 'registry.db'}"))
    try:
        # when 12 requests arrive at once, then each is answered, with at most `threads` store calls at a time
        assert asyncio.run(_at_once(store, threads, 12)) == [200] * 12
        assert store.most == threads
        # and with more threads, more of them run at once: the setting is what held them
        store.most = 0
        assert asyncio.run(_at_once(store, 12, 12)) == [200] * 12
        assert store.most > threads
    finally:
        store.inner.close()


def test_the_setting_reaches_every_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGISTRY_STORE_THREADS", "5")
    assert Settings.from_env().store_threads == 5
    # `registry serve --workers N` hands its settings to each worker through the environment
    assert Settings.from_env(store_threads=7).to_env()["REGISTRY_STORE_THREADS"] == "7"


def test_no_threads_is_refused_at_start(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'registry.db'}")
    app = create_app(Settings(store_url="unused://", store_threads=0), store=store)

    async def start() -> None:
        async with app.router.lifespan_context(app):
            pass

    try:
        with pytest.raises(ValueError, match="REGISTRY_STORE_THREADS must be 1 or more, not 0"):
            asyncio.run(start())
    finally:
        store.close()
