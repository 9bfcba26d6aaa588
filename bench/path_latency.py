"""`path` latency at the store, on a store that already holds a registry (e.g. one made by
`registry generate --scale 1000`): the pairs the benchmark's `path` cell draws, asked as an
anonymous caller with the API's default maxHops, one after the other.  It prints figures and
asserts nothing; it only reads.  `--raw FILE` also writes each request's figures and answer as
JSON, for bench.path_compare.

Run: .venv/bin/python -m bench.path_latency --store sqlite:///x1000.db [--requests 200]
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import time
from pathlib import Path

from bench.workload import Drawer, draw_pools
from registry.domain.records import Ref
from registry.store.factory import open_store
from registry.store.port import PUBLIC

MAX_HOPS = 6  # the API's default


def _ref(global_id: str) -> Ref:
    return Ref.parse(base64.b64decode(global_id).decode())


def summary(figures: list[float]) -> str:
    cuts = statistics.quantiles(figures, n=100)
    return f"p50 {cuts[49]:.1f} ms  p95 {cuts[94]:.1f} ms  max {max(figures):.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--store", required=True, help="store URL (read only)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--hops", type=int, default=MAX_HOPS)
    parser.add_argument("--raw", type=Path, help="write each request's wall and CPU ms and answer here (JSON)")
    args = parser.parse_args()
    store = open_store(args.store)
    try:
        drawer = Drawer(draw_pools(store), tag="path")
        pairs = [drawer.variables("path") for _ in range(args.requests)]
        store.shortest_path(_ref(pairs[0]["from"]), _ref(pairs[0]["to"]), args.hops, PUBLIC)  # warm the caches
        timings, cpu, answers = [], [], []
        for pair in pairs:
            started, started_cpu = time.perf_counter(), time.process_time()
            found = store.shortest_path(_ref(pair["from"]), _ref(pair["to"]), args.hops, PUBLIC)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            answers.append(None if found is None else [str(ref) for ref in found])
    finally:
        store.close()
    lengths = [-1 if found is None else len(found) - 1 for found in answers]
    print(f"path on {args.store}: {len(timings)} requests, maxHops {args.hops}")
    # CPU time too: SQLite runs in this process, and on a shared machine wall time mostly measures the others.
    for name, figures in (("wall", timings), ("cpu", cpu)):
        print(f"  {name:>4}: {summary(figures)}")
    found_lengths = sorted({n for n in lengths if n >= 0})
    print(f"  lengths found: {found_lengths}; none within maxHops: {lengths.count(-1)}")
    if args.raw is not None:
        args.raw.write_text(json.dumps({"wall": timings, "cpu": cpu, "answers": answers}))


if __name__ == "__main__":
    main()
