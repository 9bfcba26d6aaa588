"""The soak test's load: the benchmark's mixed workload, the abuse corpus, a trickle of new operation
names, persisted-query registrations and subscriptions opened and dropped, each in its own thread
against one `registry serve`, until told to stop.  Every answer is checked for 5xx and INTERNAL, and
every acknowledged write is kept, to compare with the audit trail at the end.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from bench.workload import MIXED, Request, requests
from tests.api.abuse_corpus import CASES, raw_body

SUBSCRIPTION = "subscription SoakLive { recordChanged(kinds: [USE_CASE]) { id } }"


@dataclass
class Tally:
    """What the load saw: requests sent, problems (5xx, INTERNAL, transport errors), acknowledged writes."""

    sent: int = 0
    problems: list[str] = field(default_factory=list)
    written: set[str] = field(default_factory=set)  # slugs of the case studies the server acknowledged
    subscriptions: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, what: str, response: httpx.Response) -> None:
        with self.lock:
            self.sent += 1
            if response.status_code >= 500 or b'"INTERNAL"' in response.content:
                self.problems.append(f"{what}: {response.status_code} {response.text[:300]}")


class Load:
    """The load's threads, on the server at `base`, with the keys of each role."""

    def __init__(self, base: str, keys: dict[str, str], mixed: list[Request]) -> None:
        self.base = base
        self.keys = keys
        self.mixed = mixed
        self.tally = Tally()
        self.stop = threading.Event()
        self.abuse_passes: list[float] = []  # when each full pass over the abuse corpus ended (monotonic)
        self.threads = [
            threading.Thread(target=self._guarded(run), name=run.__name__, daemon=True)
            for run in (self._mixed, self._abuse, self._names, self._persisted, self._subscriptions)
        ]

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def _guarded(self, run: Callable[[httpx.Client], None]) -> Callable[[], None]:
        def guarded() -> None:
            with httpx.Client(base_url=self.base, timeout=60) as client:
                while not self.stop.is_set():
                    try:
                        run(client)
                    except httpx.TransportError as error:  # a dropped connection is a failure too
                        with self.tally.lock:
                            self.tally.problems.append(f"{run.__name__}: {error!r}")

        return guarded

    def _post(self, client: httpx.Client, what: str, body: Any, key: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        response = client.post("/graphql", json=body, headers=headers)
        self.tally.check(what, response)
        return response

    def _mixed(self, client: httpx.Client) -> None:
        """The benchmark's mix (reads, recommenders, 5 % writes by the hub), in its seeded order."""
        for request in self.mixed:
            if self.stop.is_set():
                return
            body = json.loads(request.body)
            response = self._post(client, request.op, body, self.keys["hub"] if request.as_hub else None)
            if request.as_hub and response.status_code == 200:
                payload = (response.json().get("data") or {}).get("submitCaseStudy") or {}
                if payload.get("useCase") and not payload.get("errors"):
                    with self.tally.lock:
                        self.tally.written.add(body["variables"]["input"]["slug"])

    def _abuse(self, client: httpx.Client) -> None:
        """Every case of the abuse corpus, again and again (their typed answers are checked elsewhere)."""
        for case in CASES:
            if self.stop.is_set():
                return
            headers = dict(case.headers)
            if case.as_ is not None:
                headers["authorization"] = f"Bearer {self.keys[case.as_]}"
            if case.method == "GET":
                response = client.get("/graphql", params=case.params, headers={"accept": "*/*", **headers})
            else:
                headers.setdefault("content-type", "application/json")
                response = client.post("/graphql", content=raw_body(case), headers=headers)
            self.tally.check(f"abuse: {case.name}", response)
            time.sleep(0.02)
        self.abuse_passes.append(time.monotonic())

    def _names(self, client: httpx.Client) -> None:
        """A steady trickle of operation names never seen before, from anonymous callers."""
        for n in itertools.count():
            if self.stop.is_set():
                return
            self._post(client, "names", {"query": f"query Soak{time.monotonic_ns()}x{n} {{ __typename }}"})
            time.sleep(0.05)

    def _persisted(self, client: httpx.Client) -> None:
        """Automatic persisted queries: each a new document, registered by its hash, then used by it."""
        for n in itertools.count():
            if self.stop.is_set():
                return
            document = f"{{ territories(first: 1) {{ totalCount }} }} # soak {time.monotonic_ns()} {n}"
            digest = hashlib.sha256(document.encode()).hexdigest()
            persisted = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
            self._post(client, "persisted: register", {"query": document, "extensions": persisted})
            self._post(client, "persisted: by hash", {"extensions": persisted})
            time.sleep(0.2)

    def _subscriptions(self, client: httpx.Client) -> None:
        """Subscriptions opened, held a moment, and dropped: half completed, half cut with the socket."""
        url = self.base.replace("http", "ws") + "/graphql"
        for n in itertools.count():
            if self.stop.is_set():
                return
            try:
                with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")], open_timeout=30) as socket:
                    socket.send(json.dumps({"type": "connection_init", "payload": {}}))
                    if json.loads(socket.recv(timeout=30)) != {"type": "connection_ack"}:
                        raise WebSocketException("no connection_ack")
                    for sub in range(3):
                        payload = {"query": SUBSCRIPTION}
                        socket.send(json.dumps({"id": str(sub), "type": "subscribe", "payload": payload}))
                    time.sleep(0.5)
                    if n % 2:
                        socket.send(json.dumps({"id": "0", "type": "complete"}))
                with self.tally.lock:
                    self.tally.subscriptions += 3
            except (WebSocketException, OSError, TimeoutError) as error:
                with self.tally.lock:
                    self.tally.problems.append(f"subscriptions: {error!r}")
            time.sleep(0.2)


def mixed_requests(pools: Any, count: int) -> list[Request]:
    return requests(MIXED, pools, count, "soak")
