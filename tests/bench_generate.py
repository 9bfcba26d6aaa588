"""Benchmark: `registry generate` and bulk import, SQLite against Neo4j.

Run: .venv/bin/python -m tests.bench_generate [--scale 100] [--rounds 3]
It creates its own stores (temporary SQLite files, and a local Neo4j it starts when java
and mvn are there) and prints the median time of each step; it asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from registry.services.importing import import_file
from registry.services.transfer import export
from registry.store.port import Store
from registry.store.sql.store import SqlStore
from registry.synthetic.loading import generate_into


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _import(store: Store, path: Path) -> None:
    with path.open("rb") as source:
        import_file(store, source)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--scale", type=int, default=100)
    options.add_argument("--seed", type=int, default=0)
    options.add_argument("--rounds", type=int, default=3)
    args = options.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-generate-"))
    exported = folder / "export.jsonl"
    times: dict[str, list[float]] = {}

    def record(step: str, seconds: float) -> None:
        times.setdefault(step, []).append(seconds)

    for n in range(args.rounds):
        sqlite = SqlStore(f"sqlite:///{folder / f'generated-{n}.db'}")
        record("generate -> SQLite", _timed(partial(generate_into, sqlite, args.scale, args.seed)))
        with exported.open("w", encoding="utf-8") as out:
            record("export SQLite -> file", _timed(partial(export, sqlite, out)))
        sqlite.close()
        copy = SqlStore(f"sqlite:///{folder / f'imported-{n}.db'}")
        record("import file -> SQLite", _timed(partial(_import, copy, exported)))
        copy.close()

    if shutil.which("java") and shutil.which("mvn"):
        from graph.local_neo4j import LocalNeo4j, free_port
        from graph.store import Neo4jStore

        with LocalNeo4j(free_port(), folder / "neo4j") as server:  # our own server: we may clear it
            graph = Neo4jStore(server.uri)
            generate_into(graph, min(10, args.scale), args.seed)  # a warm-up: a server that has run a while
            graph.clear()
            for _ in range(args.rounds):
                record("import file -> Neo4j", _timed(lambda: _import(graph, exported)))
                graph.clear()
                record("generate -> Neo4j", _timed(lambda: generate_into(graph, args.scale, args.seed)))
                graph.clear()
            graph.close()
    else:
        print("Neo4j steps skipped: they need java and mvn on PATH")

    lines = sum(1 for _ in exported.open(encoding="utf-8"))
    print(f"\nscale {args.scale}, seed {args.seed}: {lines} export lines; median of {args.rounds} rounds")
    medians = {step: statistics.median(values) for step, values in times.items()}
    for step, seconds in medians.items():
        rounds = " ".join(f"{t:.2f}" for t in times[step])
        print(f"  {step:24} {seconds:7.2f} s   (rounds: {rounds})")
    if "import file -> Neo4j" in medians:
        ratio = medians["import file -> Neo4j"] / medians["import file -> SQLite"]
        print(f"  import Neo4j / SQLite    {ratio:7.2f} x")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
