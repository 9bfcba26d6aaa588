"""Cost-aware admission over real HTTP: while the dear requests' turns are all taken and more wait,
a cheap request is answered at once; the waiting line is bounded, with a typed 503; the turns pass in
order, and a wait is cut by the request's time budget like any work."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.api.graphql.ids import global_id
from registry.api.http.admission import Admission
from registry.domain.records import Kind, Ref
from registry.settings import Settings
from registry.store.port import Store
from registry.store.sql.store import SqlStore
from tests.api.conftest import Api, Server, serve

PATH = "query ($from: ID!, $to: ID!) { path(from: $from, to: $to) { length } }"  # dear: `path`
CHEAP = '{ territory(slug: "lyon") { slug name } }'
ENDS = {"from": global_id(Ref(Kind.TERRITORY, "la-rochelle")), "to": global_id(Ref(Kind.TERRITORY, "lyon"))}


class _Held:
    """The real store, whose path searches wait until the test lets them go, telling when each starts."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.go = threading.Event()
        self.started = threading.Semaphore(0)
        self.count = 0

    def shortest_path(self, *args: Any, **kwargs: Any) -> Any:
        self.count += 1
        self.started.release()
        assert self.go.wait(30)
        return self._store.shortest_path(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@pytest.fixture
def held(server: Server, seeded_file: Path, tmp_path: Path) -> Iterator[tuple[Api, _Held]]:
    """The server with one turn for dear requests and a line of one, on a store whose paths wait."""
    copy = tmp_path / "registry.db"
    copy.write_bytes(seeded_file.read_bytes())
    store = SqlStore(f"sqlite:///{copy}")
    served = serve(server, store)
    api = next(served)
    kept = server.app.state.admission
    wrapped = _Held(store)
    server.app.state.store = wrapped
    server.app.state.admission = Admission(slots=1, queue=1)
    try:
        yield api, wrapped
    finally:
        wrapped.go.set()
        server.app.state.admission = kept
        served.close()
        store.close()


def _post(server: Server, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        return client.post("/graphql", json={"query": query, "variables": variables or {}})


def _waiting(server: Server, count: int) -> None:
    admission: Admission = server.app.state.admission
    deadline = time.monotonic() + 10
    while admission.waiting < count:
        assert time.monotonic() < deadline, "the dear request never queued"
        time.sleep(0.01)


def test_a_cheap_request_passes_dear_ones_that_wait_and_the_line_is_bounded(
    server: Server, held: tuple[Api, _Held]
) -> None:
    api, store = held
    with ThreadPoolExecutor(4) as pool:
        # given one dear request running (its path search held in the store) and one waiting its turn
        first: Future[httpx.Response] = pool.submit(_post, server, PATH, ENDS)
        assert store.started.acquire(timeout=10)
        second: Future[httpx.Response] = pool.submit(_post, server, PATH, ENDS)
        _waiting(server, 1)

        # when a cheap request comes, then it is answered while both dear ones are still pending
        cheap = api.post(CHEAP)
        assert cheap.status_code == 200 and cheap.json()["data"]["territory"]["slug"] == "lyon"
        assert not first.done() and not second.done()
        assert store.count == 1  # the second has not started its work

        # when one more dear request comes with the line full, then it is refused at once, typed
        refused = _post(server, PATH, ENDS)
        assert refused.status_code == 503, refused.text
        error = refused.json()["errors"][0]
        assert error["extensions"]["code"] == "OVERLOADED"
        assert refused.headers["Retry-After"] == "1"
        assert store.count == 1

        # when the held work goes on, then both dear requests are answered, the waiting one after
        store.go.set()
        for future in (first, second):
            answer = future.result(timeout=30)
            assert answer.status_code == 200, answer.text
            assert answer.json()["data"]["path"]["length"] >= 1
    assert store.count == 2
    assert server.app.state.admission.running == 0 and server.app.state.admission.waiting == 0
    metrics = api.client.get("/metrics").text
    assert "registry_admission_refused_total" in metrics
    assert "registry_admission_wait_seconds_count" in metrics


def test_a_wait_for_a_turn_ends_with_the_time_budget(server: Server, held: tuple[Api, _Held]) -> None:
    _, store = held
    with ThreadPoolExecutor(2) as pool:
        # given the one turn taken by a request (with the default budget of 10 s) held in the store
        first = pool.submit(_post, server, PATH, ENDS)
        assert store.started.acquire(timeout=10)
        # when another dear request, with a budget of 1 s, waits for its turn past it, then it gets TIMEOUT
        server.app.state.settings = replace(Settings(store_url="unused://"), time_budget=1.0)
        late = _post(server, PATH, ENDS)
        server.app.state.settings = Settings(store_url="unused://")
        assert late.status_code == 504, late.text
        assert late.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
        assert server.app.state.admission.waiting == 0  # it left the line
        assert store.count == 1  # and never ran
        # then the held request, let go, is answered, and gives its turn back
        store.go.set()
        assert first.result(timeout=30).status_code == 200
    again = _post(server, PATH, ENDS)
    assert again.status_code == 200, again.text
    assert server.app.state.admission.running == 0
