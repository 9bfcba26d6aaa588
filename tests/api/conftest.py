"""Given a seeded registry served through its ASGI app, over real HTTP requests."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from registry.api.http.response_cache import ResponseCache
from registry.app import create_app
from registry.domain.records import Hub, Role
from registry.services.access import create_key
from registry.services.ranking.facts import FactsCache
from registry.services.seeding import seed
from registry.settings import Settings
from registry.store.port import Store
from registry.store.sql.store import SqlStore

HUB = "hub-mydata-france"
OTHER_HUB = "other-hub"


@dataclass
class Api:
    """A client of the GraphQL endpoint, holding one key per role."""

    client: httpx.Client
    store: Store
    keys: dict[str, str]

    def post(self, query: str, variables: dict[str, Any] | None = None, as_: str | None = None, **headers: str) -> Any:
        if as_ is not None:
            headers["Authorization"] = f"Bearer {self.keys[as_]}"
        return self.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)

    def data(self, query: str, variables: dict[str, Any] | None = None, as_: str | None = None) -> Any:
        response = self.post(query, variables, as_)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body["errors"]
        return body["data"]


@pytest.fixture(scope="session")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seeded") / "registry.db"
    store = SqlStore(f"sqlite:///{path}")
    seed(store)
    store.close()
    return path


class Server:
    """A real uvicorn serving the app on a loopback port, for the whole session."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.app: Starlette = create_app(Settings(store_url="unused://"), store=None)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    with Server() as running:
        yield running


def serve(
    server: Server, store: Store, stats: bool = False, max_query_cost: int | None = None
) -> Generator[Api, None, None]:
    """Point the running server at `store` and hand out a client with a key per role."""
    known = {hub.slug for hub in store.hubs()}
    for slug in (HUB, OTHER_HUB):  # a hub key needs its hub to exist
        if slug not in known:
            store.put_hub(Hub(slug, slug, None))
    keys = {
        "coordinator": create_key(store, Role.COORDINATOR)[1],
        "admin": create_key(store, Role.ADMIN)[1],
        "hub": create_key(store, Role.HUB, HUB)[1],
        "other_hub": create_key(store, Role.HUB, OTHER_HUB)[1],
    }
    server.app.state.store = store
    server.app.state.ranking_facts = FactsCache()  # a cache holds one store's facts
    server.app.state.response_cache = ResponseCache()  # and one store's answers
    server.app.state.settings = Settings(store_url="unused://", stats=stats, lean_strict=True)  # a lean bug fails
    if max_query_cost is not None:
        server.app.state.settings = replace(server.app.state.settings, max_query_cost=max_query_cost)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield Api(client, store, keys)


@pytest.fixture
def api(server: Server, seeded_file: Path, tmp_path: Path) -> Iterator[Api]:
    """A fresh copy of the seeded registry for each test, so writes never leak."""
    copy = tmp_path / "registry.db"
    shutil.copy(seeded_file, copy)
    store = SqlStore(f"sqlite:///{copy}")
    yield from serve(server, store)
    store.close()
