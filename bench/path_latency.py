"""`path` latency at the store, on a store that already holds a registry (e.g. one made by
`registry generate --scale 1000`): the pairs the benchmark's `path` cell draws, asked as an
anonymous caller with the API's default maxHops, one after the other.  It prints figures and
asserts nothing; it only reads.

Run: .venv/bin/python -m bench.path_latency --store sqlite:///x1000.db [--requests 200]
"""

from __future__ import annotations

import argparse
import base64
import statistics
import time

from bench.workload import Drawer, draw_pools
from registry.domain.records import Ref
from registry.store.factory import open_store
from registry.store.port import PUBLIC

MAX_HOPS = 6  # the API's default


def _ref(global_id: str) -> Ref:
    return Ref.parse(base64.b64decode(global_id).decode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="store URL (read only)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--hops", type=int, default=MAX_HOPS)
    args = parser.parse_args()
    store = open_store(args.store)
    try:
        drawer = Drawer(draw_pools(store), tag="path")
        pairs = [drawer.variables("path") for _ in range(args.requests)]
        store.shortest_path(_ref(pairs[0]["from"]), _ref(pairs[0]["to"]), args.hops, PUBLIC)  # warm the caches
        timings, cpu, lengths = [], [], []
        for pair in pairs:
            started, started_cpu = time.perf_counter(), time.process_time()
            found = store.shortest_path(_ref(pair["from"]), _ref(pair["to"]), args.hops, PUBLIC)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            lengths.append(-1 if found is None else len(found) - 1)
    finally:
        store.close()
    print(f"path on {args.store}: {len(timings)} requests, maxHops {args.hops}")
    # CPU time too: SQLite runs in this process, and on a shared machine wall time mostly measures the others.
    for name, figures in (("wall", timings), ("cpu", cpu)):
        cuts = statistics.quantiles(figures, n=100)
        print(f"  {name:>4}: p50 {cuts[49]:.1f} ms  p95 {cuts[94]:.1f} ms  max {max(figures):.1f} ms")
    found_lengths = sorted({n for n in lengths if n >= 0})
    print(f"  lengths found: {found_lengths}; none within maxHops: {lengths.count(-1)}")


if __name__ == "__main__":
    main()
