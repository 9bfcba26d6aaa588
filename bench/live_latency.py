"""How long a write takes to reach a live subscriber, by the way its server learns of it.

    python -m bench.live_latency [--rounds 40]

On a fresh SQLite store with the programme's seeds, three `registry serve` processes (one worker
each): A and B share a `redis-server`, C has none.  One graphql-transport-ws subscriber listens on A
for new actors; a coordinator creates actors in turn through A, B and C, one at a time, and the
time from the mutation's answer to the subscriber's event is taken:
- through A: A's own write nudges its live feed at once (api/http/change_signal.py);
- through B: B announces it on Redis, and A's listener nudges A's feed;
- through C: nothing tells A; its feed finds the write at its next tick (0.25 s), as every write
  was found before the nudge, so this row is the before of the other two, in the same run.
Each write waits a random 0-300 ms first, so that it falls anywhere in the tick.
It prints p50, p95 and the slowest in milliseconds, and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from bench.balancer import redis_server
from bench.servers import Server, registry_starter, stop
from bench.stores import fill, fresh_store
from registry.domain.records import Role
from registry.services.access import create_key
from registry.store.factory import open_store

SUBSCRIBE = "subscription { recordChanged(kinds: [ACTOR]) { record { slug } } }"
CREATE = """mutation ($slug: String!) {
  createActor(input: {slug: $slug, name: {en: $slug}, kind: LOCAL_AUTHORITY}) { errors { code message } } }"""
WAIT_SECONDS = 10.0
SEED = 15


def _subscribe(socket: ClientConnection) -> None:
    socket.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert json.loads(socket.recv(timeout=30)) == {"type": "connection_ack"}
    socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))


def _create(client: httpx.Client, server: Server, slug: str, key: str) -> None:
    answer = client.post(
        f"http://127.0.0.1:{server.port}/graphql",
        json={"query": CREATE, "variables": {"slug": slug}},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.status_code == 200 and answer.json()["data"]["createActor"]["errors"] == [], answer.text


def _heard(socket: ClientConnection, slug: str) -> None:
    event = json.loads(socket.recv(timeout=WAIT_SECONDS))
    assert event["type"] == "next" and event["payload"]["data"]["recordChanged"]["record"]["slug"] == slug, event


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40, help="writes through each server")
    args = parser.parse_args()
    took: dict[str, list[float]] = {"A (its own write)": [], "B (through Redis)": [], "C (the tick alone)": []}
    with tempfile.TemporaryDirectory() as folder, fresh_store("sqlite", Path(folder) / "store") as store:
        fill(store, 1)
        opened = open_store(store.url)  # our own fresh store: a key for the writes
        key = create_key(opened, Role.COORDINATOR)[1]
        opened.close()
        logs = Path(folder)
        with redis_server(logs / "redis.log") as (redis_url, _):
            shared = ["--workers", "1", "--redis-url", redis_url]
            servers = [
                registry_starter(store.url, logs / f"{name}.log", options)()
                for name, options in (("a", shared), ("b", shared), ("c", ["--workers", "1"]))
            ]
            url = f"ws://127.0.0.1:{servers[0].port}/graphql"
            pauses = random.Random(SEED)
            try:
                with (
                    connect(url, subprotocols=[Subprotocol("graphql-transport-ws")], open_timeout=30) as socket,
                    httpx.Client(timeout=30) as client,
                ):
                    _subscribe(socket)
                    _create(client, servers[0], "warm-up", key)  # the subscription is live once it hears this
                    _heard(socket, "warm-up")
                    for n in range(args.rounds):
                        for times, server in zip(took.values(), servers, strict=True):
                            # At a random moment of the feed's tick, as writes come (the same pauses each run).
                            time.sleep(pauses.uniform(0, 0.3))
                            slug = f"live-{n}-{server.port}"
                            _create(client, server, slug, key)
                            answered = time.perf_counter()
                            _heard(socket, slug)
                            times.append((time.perf_counter() - answered) * 1000)
            finally:
                for server in servers:
                    stop(server)
    print(f"{args.rounds} writes through each server, one at a time, load average {os.getloadavg()[0]:.1f}:")
    print("| write through | p50 ms | p95 ms | slowest ms |\n|---|---|---|---|")
    for row, times in took.items():
        ordered = sorted(times)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        print(f"| {row} | {statistics.median(ordered):.1f} | {p95:.1f} | {ordered[-1]:.1f} |")


if __name__ == "__main__":
    main()
