"""What a Neo4j search's wait for the eventually consistent full-text index costs (issue 15).

Run: python -m bench.search_await [--scale 100] [--searches 200] [--rounds 6]

On a fresh Neo4j store filled at the scale, the store's own `query` runs the same searches (a
prefix of a word of a record, as a person types it) with and without
`db.index.fulltext.awaitEventuallyConsistentIndexRefresh()` before the index is read, in blocks
that take turns (with, without, without, with…) so that both meet the same load.  Per block: the
wall time per search and Neo4j's CPU per search (its JVM's utime+stime from /proc).  Nothing is
pending in these blocks: no write runs.  Last, the cost when something is: a write (a record's
words changed) then at once the search for its new word, with the wait (found) and without (how
often the index had not yet applied it), then the same with the index made again as the first
release made it (updated inside each commit), for the write's and the search's times.  First of
all, what the first wait after the fill costs: a load's updates still queued when it returns.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.stores import fill, fresh_store
from bench.write_cost import jvm_seconds
from graph import cypher
from graph.cypher import SEARCH_INDEX
from graph.schema_versions import MIGRATIONS
from graph.store import Neo4jStore
from registry.domain.records import Kind
from registry.store.port import EVERYTHING, RecordQuery

AWAIT = cypher.AWAIT_SEARCH_INDEX


def _waiting(wait: bool) -> None:
    # record_match reads the module's constant when it builds a statement: "" leaves the call out.
    cypher.AWAIT_SEARCH_INDEX = AWAIT if wait else ""


def _block(store: Neo4jStore, queries: list[RecordQuery], pid: int) -> tuple[float, float]:
    """(wall ms, Neo4j CPU ms) per search over the queries."""
    cpu, start = jvm_seconds(pid), time.perf_counter()
    for query in queries:
        store.query(query)
    wall, cpu = time.perf_counter() - start, jvm_seconds(pid) - cpu
    return wall * 1000 / len(queries), cpu * 1000 / len(queries)


def _timed_await(store: Neo4jStore, pid: int) -> tuple[float, float]:
    cpu, start = jvm_seconds(pid), time.perf_counter()
    store._read(AWAIT)
    return (time.perf_counter() - start) * 1000, (jvm_seconds(pid) - cpu) * 1000


def _write_then_search(store: Neo4jStore, keys: list[str], tag: str) -> tuple[int, list[float], list[float]]:
    """Each key's record gets a new word, and at once the search for it: (found, write ms, search ms)."""
    found, writes, searches = 0, [], []
    for n, key in enumerate(keys):
        word = f"zqx{tag}{n:04d}"
        start = time.perf_counter()
        store._write("MATCH (r:Record {key: $key}) SET r.search_text = r.search_text + $word", key=key, word=f" {word}")
        middle = time.perf_counter()
        page = store.query(RecordQuery(kinds=tuple(Kind), words=(word,), visibility=EVERYTHING))
        writes.append((middle - start) * 1000)
        searches.append((time.perf_counter() - middle) * 1000)
        found += page.total == 1
    return found, writes, searches


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f}, max {max(values):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--searches", type=int, default=200, help="searches per block")
    parser.add_argument("--rounds", type=int, default=8, help="blocks of each kind")
    parser.add_argument("--writes", type=int, default=40, help="writes each followed by a search, per kind")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp, fresh_store("neo4j", Path(tmp) / "store") as bench_store:
        print(f"filled by: {fill(bench_store, args.scale)}")
        pid = bench_store.watch["neo4j"]
        store = Neo4jStore(bench_store.url)
        try:
            wall, cpu = _timed_await(store, pid)
            print(f"the first wait after the fill: {wall:.1f} ms, Neo4j CPU {cpu:.1f} ms")
            wall, cpu = _timed_await(store, pid)
            print(f"the next one: {wall:.2f} ms, Neo4j CPU {cpu:.2f} ms")
            rows = store._read("MATCH (r:Record) RETURN r.key AS key, r.search_text AS text")
            words = sorted({w[:3] for row in rows for w in str(row["text"] or "").split() if len(w) >= 3})
            chosen = random.Random(7).choices(words, k=args.searches)
            queries = [RecordQuery(kinds=tuple(Kind), words=(w,), visibility=EVERYTHING) for w in chosen]
            for wait in (True, False, True, False):  # warm-up: plans cached, pages in memory, JIT
                _waiting(wait)
                _block(store, queries, pid)
            figures: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
            for n in range(args.rounds * 2):
                wait = n % 4 in (0, 3)
                _waiting(wait)
                figures[wait].append(_block(store, queries, pid))
            print(f"{args.rounds} blocks of {args.searches} searches each way, nothing pending:")
            for wait in (True, False):
                walls, cpus = zip(*figures[wait], strict=True)
                print(
                    f"  {'with the wait   ' if wait else 'without the wait'}"
                    f"  wall ms/search median {statistics.median(walls):.3f}"
                    f" (blocks {', '.join(f'{w:.2f}' for w in walls)})"
                    f"  Neo4j CPU ms/search median {statistics.median(cpus):.3f}"
                    f" (blocks {', '.join(f'{c:.2f}' for c in cpus)})"
                )
            cpu_ratio = statistics.median(c for _, c in figures[True]) / statistics.median(c for _, c in figures[False])
            wall_ratio = statistics.median(w for w, _ in figures[True]) / statistics.median(
                w for w, _ in figures[False]
            )
            print(f"  with / without: wall {wall_ratio:.2f}x, Neo4j CPU {cpu_ratio:.2f}x")

            keys = [str(row["key"]) for row in random.Random(8).sample(rows, 3 * args.writes)]
            print(f"{args.writes} writes each followed at once by the search for the new word:")
            for n, (wait, tag) in enumerate(((True, "w"), (False, "n"))):
                _waiting(wait)
                found, writes, searches = _write_then_search(store, keys[n * args.writes : (n + 1) * args.writes], tag)
                print(
                    f"  eventually consistent, {'with the wait   ' if wait else 'without the wait'}: found"
                    f" {found}/{args.writes}; write ms {_ms(writes)}; search ms {_ms(searches)}"
                )
            _waiting(False)
            store._write(f"DROP INDEX {SEARCH_INDEX}")
            store._write(next(s for s in MIGRATIONS[0].statements if SEARCH_INDEX in s))
            store._read("CALL db.awaitIndexes(300)")
            found, writes, searches = _write_then_search(store, keys[2 * args.writes :], "f")
            print(
                f"  as the first release (updated in each commit), no wait: found {found}/{args.writes};"
                f" write ms {_ms(writes)}; search ms {_ms(searches)}"
            )
        finally:
            _waiting(True)
            store.close()
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
