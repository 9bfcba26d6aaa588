"""A 304's latency next to a full answer's: anonymous GETs of persisted documents by their hash.

    python -m bench.not_modified [--store sqlite|neo4j] [--scale 1] [--requests 400]

On a fresh store it fills itself, `registry serve` (one worker) answers, one client after the other
over one keep-alive connection, each operation:
- `full`: the whole answer, read from the store (a server without the response cache);
- `kept`: the whole answer from the in-process response cache (the default server);
- `304`: If-None-Match with the answer's ETag, which costs one read of the change counter.
It prints p50, p95 and mean in milliseconds, and the bytes each answer carried.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.servers import Server, registry_starter, stop
from bench.stores import fill, fresh_store

OPERATIONS = Path(__file__).parent / "operations"
CASES: dict[str, dict[str, Any]] = {  # operation -> variables (the programme's own records at ×1)
    "list_page": {},
    "territory_page": {"slug": "lyon"},
    "partner_cities": {"t": "lyon"},
}


def _params(document: str, variables: dict[str, Any]) -> dict[str, str]:
    digest = hashlib.sha256(document.encode("utf-8")).hexdigest()
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    return {"extensions": json.dumps(persisted), "variables": json.dumps(variables)}


def _timed(send: Callable[[], httpx.Response], count: int, status: int) -> tuple[list[float], int]:
    for _ in range(20):  # warm-up: validated documents, loaders, connections
        send()
    took: list[float] = []
    size = 0
    for _ in range(count):
        started = time.perf_counter()
        response = send()
        took.append((time.perf_counter() - started) * 1000)
        assert response.status_code == status, response.text
        size = len(response.content)
    return sorted(took), size


def _row(operation: str, kind: str, took: list[float], size: int) -> str:
    p50 = statistics.median(took)
    p95 = took[int(len(took) * 0.95) - 1]
    return f"| {operation} | {kind} | {p50:.2f} | {p95:.2f} | {statistics.fmean(took):.2f} | {size} |"


def _measure(server: Server, operation: str, count: int) -> list[tuple[str, list[float], int]]:
    document = (OPERATIONS / f"{operation}.graphql").read_text(encoding="utf-8")
    params = _params(document, CASES[operation])
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=30) as client:
        registered = client.post("/graphql", json={**{k: json.loads(v) for k, v in params.items()}, "query": document})
        assert registered.status_code == 200 and "errors" not in registered.json(), registered.text
        first = client.get("/graphql", params=params)
        tag = first.headers["etag"]
        full = _timed(lambda: client.get("/graphql", params=params), count, 200)
        not_modified = _timed(lambda: client.get("/graphql", params=params, headers={"If-None-Match": tag}), count, 304)
    return [("answer", *full), ("304", *not_modified)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=["sqlite", "neo4j"], default="sqlite")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    rows = ["| operation | answer | p50 ms | p95 ms | mean ms | bytes |", "|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as folder, fresh_store(args.store, Path(folder) / "store") as store:
        fill(store, args.scale)
        for label, options in (("full", ["--workers", "1", "--no-response-cache"]), ("kept", ["--workers", "1"])):
            server = registry_starter(store.url, Path(folder) / f"{label}.log", options)()
            try:
                for operation in CASES:
                    for kind, took, size in _measure(server, operation, args.requests):
                        if kind == "304" and label == "full":  # the same 304 either way: shown once
                            continue
                        rows.append(_row(operation, label if kind == "answer" else kind, took, size))
            finally:
                stop(server)
    print(f"{args.store} ×{args.scale}, {args.requests} sequential GETs by hash each, one client:")
    print("\n".join([*rows[:2], *sorted(rows[2:])]))  # each operation's rows together


if __name__ == "__main__":
    main()
