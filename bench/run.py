"""The benchmark runner: `make bench`, or `python -m bench.run --help`.

For each store kind and scale it creates a fresh store, fills it, serves it with a real
`registry serve` (and, on Neo4j, the peer), checks that the floor and the peer return the
same records as our API, times the floor, then runs the cells: each operation at each
concurrency, ours then the peer's, in a separate load-generator process. Results go to
bench/results/<date>-<label>.md, and bench/results/latest.md links the newest.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import checks, floor, report, workload
from bench.report import Cell, Section
from bench.servers import PEER_DIR, PeerUnavailable, Server, peer_starter, registry_starter, serve_options, stop
from bench.stores import BenchStore, ScaleUnavailable, fill, fresh_store, hub_key
from registry.store.factory import open_store

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"
CHECKED_DRAWS = 3  # variable sets per page checked against the floor and the peer
LEGEND = """Each cell: one operation against one server at a fixed concurrency over loopback, from a
separate load-generator process, after a warm-up (40 requests per client, at least 200, for at most half the
cell's time); bounded by a request count and a time.
Latencies are per request (p50/p95/p99, nearest rank). Errors are non-200 answers or `errors` in
the body. CPU per request is the process's utime+stime (/proc/<pid>/stat) over the cell divided
by the requests; Neo4j's JVM is counted apart. Peak memory is the server's VmHWM so far. Client
CPU is the load generator's own CPU share of one core (⚠ above 70 %: it may have limited the
cell). Variables are drawn from the store with a seeded Zipf-like skew; `mixed` is the fixed mix
of bench/workload.py with 5 % writes (synthetic case studies, labelled as such). A request
without an answer within the timeout stops its cell ("timed out"); the server is then restarted
(it would go on working for it under the next cells) and that operation's higher concurrencies
are skipped."""


def parse(argv: list[str]) -> argparse.Namespace:
    top = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    top.add_argument("--stores", default="sqlite,neo4j", help="store kinds, comma-separated (sqlite, neo4j)")
    top.add_argument("--scales", default="1,100", help="×1 is the real seeds; larger ones use `registry generate`")
    ops = ",".join([*workload.READS, workload.MIXED])
    also = f"{workload.WRITE}, {workload.MIXED_READS}"
    top.add_argument("--ops", default=ops, help=f"operations, comma-separated (default {ops}; also {also})")
    top.add_argument("--concurrency", default="1,8,32", help="concurrency levels, comma-separated")
    top.add_argument("--seconds", type=float, default=3.0, help="at most this long per cell (the warm-up: half)")
    top.add_argument("--requests", type=int, default=3000, help="at most this many requests per cell")
    top.add_argument("--timeout", type=float, default=10.0, help="seconds a request may take (then the cell stops)")
    top.add_argument(
        "--serve-args",
        default="--no-response-cache",
        help="options of our measured server besides one worker (default: no response cache, as the peer has none)",
    )
    top.add_argument(
        "--no-default-deployment",
        action="store_true",
        help="skip our default deployment (a worker per core, response cache on) on the peer's operations",
    )
    top.add_argument("--no-peer", action="store_true", help="skip @neo4j/graphql")
    top.add_argument("--label", help="short description in the results file name")
    top.add_argument("--quick", action="store_true", help="a smoke run: ×1 only, 1.5 s and 300 requests per cell")
    args = top.parse_args(argv)
    if args.quick:
        args.scales, args.seconds, args.requests = "1", 1.5, 300
    args.serve_options = serve_options(shlex.split(args.serve_args))
    return args


def warmup_count(concurrency: int) -> int:
    """Requests sent before the clock starts (for at most half the cell's time): enough for every
    connection, plans and caches, and for Neo4j's JVM to have compiled the paths the cell takes.
    With 2 per client, the mixed cell on Neo4j was measured while its write path was still cold: a
    write cost 35 ms of Neo4j CPU there, and about 6 ms once warm (bench/results/
    2026-12-06-list-order-and-decoding.md, section 7)."""
    return max(200, 40 * concurrency)


def run_cell(
    workdir: Path, server: Server, store: BenchStore, requests: list[workload.Request], args: Any, c: int
) -> Any:
    """One cell in a load-generator subprocess; its figures."""
    cell = {
        "host": "127.0.0.1",
        "port": server.port,
        "path": server.path,
        "token": args.token,
        "requests": [{"body": r.body, "as_hub": r.as_hub, "op": r.op} for r in requests],
        "warmup": warmup_count(c),
        "max_requests": args.requests,
        "concurrency": c,
        "seconds": args.seconds,
        "timeout": args.timeout,
        "watch": {"server": server.pid, **store.watch},
    }
    path = workdir / "cell.json"
    path.write_text(json.dumps(cell), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bench.load", str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=2 * args.seconds + 120,
    )
    return json.loads(done.stdout)


def check_pages(section: Section, pools: workload.Pools, ours: Server, peer: Server | None, runner: Any) -> None:
    """The floor's and the peer's records against ours, for the first draws of each page."""
    for op in floor.OPERATIONS:
        for n, request in enumerate(workload.requests(op, pools, CHECKED_DRAWS, "check")):
            body = json.loads(request.body)
            variables = json.dumps(body["variables"])
            what = f"{op} #{n + 1} ({variables if len(variables) < 80 else variables[:76] + ' …}'})"
            try:
                expected = checks.ours_shape(op, checks.post(ours.port, request.body))
                rows = runner(op, floor.floor_parameters(op, body["variables"]))
                verdict = checks.compare(f"{op} #{n + 1} floor", expected, floor.floor_shape(op, rows))
            except (AssertionError, OSError, KeyError, TypeError) as error:
                verdict = f"{op} #{n + 1} could not be checked: {type(error).__name__}: {error}"
            section.checks.append(f"ok: floor, {what}" if verdict is None else f"MISMATCH: {verdict}")
            if peer is None or verdict is not None:
                continue
            peer_request = workload.requests(op, pools, n + 1, "check", peer=True)[n]
            try:
                got = checks.peer_shape(op, checks.post(peer.port, peer_request.body))
            except (AssertionError, OSError, KeyError, TypeError) as error:  # the peer's failure, not a mismatch
                section.checks.append(f"PEER FAILED: {what}: {type(error).__name__}: {str(error)[:300]}")
                continue
            verdict = checks.compare(f"{op} #{n + 1} peer", expected, got)
            section.checks.append(f"ok: peer, {what}" if verdict is None else f"MISMATCH: {verdict}")


@contextmanager
def floor_runner(store: BenchStore) -> Iterator[Any]:
    run, close = (
        floor.sqlite_runner(store.url.removeprefix("sqlite:///"))
        if store.kind == "sqlite"
        else floor.neo4j_runner(store.url)
    )
    try:
        yield run
    finally:
        close()


def measure(store: BenchStore, scale: int, workdir: Path, args: Any, section: Section) -> None:
    """Everything measured on one filled store."""
    opened = open_store(store.url)
    try:
        pools = workload.draw_pools(opened)
    finally:
        opened.close()
    args.token = hub_key(store, pools.hub)
    starters = {"ours": registry_starter(store.url, workdir / "ours.log", args.serve_options)}
    if not args.no_default_deployment:  # `registry serve` as it comes: a worker per core, the response cache on
        starters["default"] = registry_starter(store.url, workdir / "default.log", [], name="default")
    if store.kind == "neo4j" and not args.no_peer:
        try:
            starters["peer"] = peer_starter(store.url, workdir / "peer.log")
        except PeerUnavailable as why:
            section.notes.append(str(why))
    running: dict[str, Server] = {}
    try:
        for name, starter in starters.items():
            running[name] = starter()
        with floor_runner(store) as run:
            check_pages(section, pools, running["ours"], running.get("peer"), run)
            for op in floor.OPERATIONS:
                params = [
                    floor.floor_parameters(op, json.loads(r.body)["variables"])
                    for r in workload.requests(op, pools, args.requests, "floor")
                ]
                section.floor[op] = floor.time_floor(run, op, params, args.requests, args.seconds)
        run_cells(store, scale, workdir, args, section, pools, starters, running)
    finally:
        for server in running.values():
            stop(server)


def run_cells(
    store: BenchStore,
    scale: int,
    workdir: Path,
    args: Any,
    section: Section,
    pools: workload.Pools,
    starters: dict[str, Callable[[], Server]],
    running: dict[str, Server],
) -> None:
    """Each operation at each concurrency, ours then the peer's; a server that timed out is restarted."""
    peer_ops = set(workload.peer_operations())
    writes_last = sorted(args.ops.split(","), key=lambda op: op in (workload.MIXED, workload.WRITE))
    for op in writes_last:  # so that no read cell runs on a store the writes have grown
        timed_out: set[str] = set()
        for c in (int(x) for x in args.concurrency.split(",")):
            for name in [n for n in running if n == "ours" or op in peer_ops]:  # the others: the peer's operations
                if name in timed_out:  # a higher concurrency would only time out again, slower
                    section.notes.append(f"{op} / {name} / {c} skipped: a lower concurrency timed out")
                    continue
                server = running[name]
                tag = f"{store.kind}{scale}-{op}-{c}-{name}"
                requests = workload.requests(op, pools, args.requests + warmup_count(c), tag, name == "peer")
                try:
                    figures = run_cell(workdir, server, store, requests, args, c)
                except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
                    stderr = error.stderr if isinstance(error.stderr, str) else ""
                    section.notes.append(f"cell {op} / {name} / {c} failed: {error}; {stderr[-500:]}")
                    continue
                section.cells.append(Cell(op, name, c, figures))
                print(
                    f"  {op:22} {name:4} c={c:<3} {figures['throughput']:8.1f} req/s  "
                    f"p50 {figures['p50_ms']:7.2f} ms  errors {figures['errors']}",
                    flush=True,
                )
                if figures["timeouts"]:  # it is still working for the abandoned requests
                    timed_out.add(name)
                    stop(server)
                    running[name] = starters[name]()
                    section.notes.append(f"{name} restarted after {op} at concurrency {c} timed out")


def neo4j_version(store: BenchStore) -> str:
    from neo4j import GraphDatabase

    with GraphDatabase.driver(store.url) as driver:
        records, _, _ = driver.execute_query(
            "CALL dbms.components() YIELD name, versions, edition RETURN name, versions[0] AS v, edition"
        )
        apoc, _, _ = driver.execute_query("RETURN apoc.version() AS v")
    found = records[0]
    return f"{found['name']} {found['v']} {found['edition']}, APOC {apoc[0]['v']}"


def main(argv: list[str]) -> int:
    args = parse(argv)
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    commit = report.git_commit(ROOT)  # the code that runs, before anyone edits it
    label = args.label or (
        "quick" if args.quick else f"{args.stores.replace(',', '-')}-x{args.scales.replace(',', '-x')}"
    )
    sections: list[Section] = []
    neo4j_versions = ""
    workdir = Path(tempfile.mkdtemp(prefix="registry-bench-"))
    for kind in args.stores.split(","):
        for scale in (int(s) for s in args.scales.split(",")):
            section = Section(kind, scale)
            sections.append(section)
            print(f"{kind} ×{scale}", flush=True)
            cell_dir = workdir / f"{kind}-x{scale}"
            with fresh_store(kind, cell_dir / "store") as store:
                try:
                    section.fill = fill(store, scale)
                except ScaleUnavailable as why:
                    section.notes.append(str(why))
                    print(f"  {why}", flush=True)
                    continue
                if kind == "neo4j":
                    neo4j_versions = neo4j_version(store)
                measure(store, scale, cell_dir, args, section)
    shutil.rmtree(workdir, ignore_errors=True)  # the stores, their logs and the cells' request files
    header = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(["python -m bench.run", shlex.join(argv)]).strip(),
        "commit": commit,
        "our server": shlex.join(["registry", "serve", "--store", "URL", *args.serve_options]),
        "machine": report.machine(),
        "load average (1, 5, 15 min) before and after": f"{report.load(load_before)} and {report.load(os.getloadavg())}",
        "versions": report.versions(PEER_DIR, neo4j_versions),
    }
    text = report.render(f"Benchmark: {label}", header, sections, LEGEND)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{started:%Y-%m-%d}-{label}.md"
    path.write_text(text, encoding="utf-8")
    (RESULTS / "latest.md").write_text(
        f"# Latest benchmark\n\nThe newest results: [{path.name}]({path.name})\n", encoding="utf-8"
    )
    print(f"results: {path.relative_to(ROOT)}")
    mismatches = [line for s in sections for line in s.checks if line.startswith("MISMATCH")]
    for line in mismatches:
        print(line, file=sys.stderr)
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
