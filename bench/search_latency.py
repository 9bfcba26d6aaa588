"""`search` latency at the store, on a store that already holds a registry (e.g. one made by
`registry generate --scale 100`): the words the benchmark's `search` cell draws, asked as the API
asks them (every public kind, an anonymous caller, a first page of 20 and its total), one after
the other.  It prints figures and asserts nothing; it only reads.  `--raw FILE` also writes each
request's figures and answer as JSON, for bench.search_compare.

Run: .venv/bin/python -m bench.search_latency --store sqlite:///x100.db [--requests 300]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from bench.workload import Drawer, draw_pools
from registry.kinds import PUBLIC_KINDS
from registry.store.codec import words
from registry.store.factory import open_store
from registry.store.port import PUBLIC, RecordQuery

PAGE = 20  # bench/operations/search.graphql


def summary(figures: list[float]) -> str:
    cuts = statistics.quantiles(figures, n=100)
    return f"p50 {cuts[49]:.2f} ms  p95 {cuts[94]:.2f} ms  max {max(figures):.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--store", required=True, help="store URL (read only)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--text", action="append", help="search these texts instead of the drawn ones")
    parser.add_argument("--raw", type=Path, help="write each request's wall and CPU ms and answer here (JSON)")
    args = parser.parse_args()
    store = open_store(args.store)
    try:
        drawer = Drawer(draw_pools(store), tag="search")
        texts = args.text or [str(drawer.variables("search")["text"]) for _ in range(args.requests)]
        queries = [RecordQuery(kinds=PUBLIC_KINDS, words=words(t), limit=PAGE, visibility=PUBLIC) for t in texts]
        store.query(queries[0])  # warm the caches
        timings, cpu, answers = [], [], []
        for query in queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            page = store.query(query)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            answers.append([page.total, [str(record.ref) for record in page.records]])
    finally:
        store.close()
    print(f"search on {args.store}: {len(timings)} requests")
    # CPU time too: SQLite runs in this process, and on a shared machine wall time mostly measures the others.
    for name, figures in (("wall", timings), ("cpu", cpu)):
        print(f"  {name:>4}: {summary(figures)}")
    if args.raw is not None:
        args.raw.write_text(json.dumps({"texts": texts, "wall": timings, "cpu": cpu, "answers": answers}))


if __name__ == "__main__":
    main()
