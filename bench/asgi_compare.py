"""Requests per second of one operation through the ASGI app in process, before and after a
change, in one session: a base source tree and this one alternately, round after round, each
serving the same requests from its own store (PostgreSQL, say, where `bench.run` has no cell).
One client, response cache off: what it measures is the server's own cost per request, store
round trips included.  It prints each tree's requests/s and CPU ms per request, their ratios and
the load average.

Run: .venv/bin/python -m bench.asgi_compare --base-tree ../base --base-store postgresql://…/base \\
         --store postgresql://…/this [--operation territory_page] [--requests 500] [--rounds 4]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]
OPERATIONS = Path(__file__).resolve().with_name("operations")
VARIABLES: dict[str, dict[str, Any]] = {"territory_page": {"slug": "lyon"}, "list_page": {"after": None}}


def worker(store: str, operation: str, requests: int) -> None:
    """In the tree given by PYTHONPATH: serve `requests` requests and print the figures as JSON."""
    from starlette.testclient import TestClient

    from registry.app import create_app
    from registry.settings import Settings

    body = {"query": (OPERATIONS / f"{operation}.graphql").read_text(), "variables": VARIABLES.get(operation, {})}
    with TestClient(create_app(Settings(store_url=store, response_cache=False))) as client:
        for _ in range(20):  # warm up: connections, compiled statements
            client.post("/graphql", json=body)
        started, started_cpu = time.perf_counter(), time.process_time()
        for _ in range(requests):
            answer = client.post("/graphql", json=body)
            if answer.status_code != 200 or "errors" in answer.json():
                raise SystemExit(f"{operation}: {answer.status_code} {answer.text[:200]}")
        wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    print(json.dumps({"per_second": requests / wall, "cpu_ms": cpu * 1000 / requests}))


def _run(tree: Path, store: str, operation: str, requests: int) -> dict[str, float]:
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", "--store", store]
    command += ["--operation", operation, "--requests", str(requests)]
    done = subprocess.run(command, cwd=tree, env=environment, check=True, capture_output=True, text=True)
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--base-tree", type=Path, help="the source tree before the change")
    parser.add_argument("--base-store", help="the store for the base tree")
    parser.add_argument("--store", required=True, help="the store for this tree")
    parser.add_argument("--operation", default="territory_page", choices=sorted(VARIABLES))
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.store, args.operation, args.requests)
        return
    if args.base_tree is None or args.base_store is None:
        parser.error("--base-tree and --base-store are needed")
    trees = {"base": (args.base_tree.resolve(), args.base_store), "this": (HERE, args.store)}
    collected: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    load_before = os.getloadavg()
    for round_ in range(args.rounds):
        for name in list(trees) if round_ % 2 == 0 else list(reversed(trees)):  # neither always goes first
            tree, store = trees[name]
            collected[name].append(_run(tree, store, args.operation, args.requests))
    load_after = os.getloadavg()
    print(f"{args.operation}: {args.rounds} rounds of {args.requests} requests per tree, one client, alternating")
    print(f"load average (1, 5, 15 min): before {load_before}, after {load_after}")
    medians = {
        name: {m: statistics.median(r[m] for r in runs) for m in ("per_second", "cpu_ms")}
        for name, runs in collected.items()
    }
    for name, runs in collected.items():
        each = ", ".join(f"{r['per_second']:.0f}" for r in runs)
        print(
            f"  {name}: median {medians[name]['per_second']:.0f} requests/s (rounds: {each}),"
            f" {medians[name]['cpu_ms']:.2f} ms CPU per request"
        )
    print(
        f"  this/base: requests/s {medians['this']['per_second'] / medians['base']['per_second']:.2f},"
        f" CPU per request {medians['this']['cpu_ms'] / medians['base']['cpu_ms']:.2f}"
    )
    # Each round's two runs follow each other: their ratio sees the least change of load.
    paired = [t["per_second"] / b["per_second"] for t, b in zip(collected["this"], collected["base"], strict=True)]
    print(
        f"  this/base requests/s per round: median {statistics.median(paired):.2f} ({', '.join(f'{r:.2f}' for r in paired)})"
    )


if __name__ == "__main__":
    main()
