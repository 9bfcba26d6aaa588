"""Through HAProxy: three single-worker `registry serve` against one (issue 15, item 3).

    python -m bench.balancer [--store sqlite|neo4j] [--scale 1] [--concurrency 8,32] [--seconds 8] [--shared]

On a fresh store it fills itself, two deployments run side by side, each behind its own HAProxy
with the repository's deploy/haproxy.cfg (the README's, the one tests/deploy runs):
- `three`: three `registry serve --workers 1`, one per server line of the configuration;
- `one`: one `registry serve --workers 1`, named on all three server lines, so that its requests
  take the very same path through the same balancer configuration (a fair comparison).
Both serve as they come otherwise (the response cache on: the list page is the cached one), with the
rate limits off since the load comes from one address. No Redis: without APQ hashes or rate limits
the deployment shares nothing but the store. With `--shared`, a third deployment runs beside them:
- `three-shared`: the same three servers' setup with `--redis-url` on one `redis-server` (no
  persistence), so that they share their anonymous answers (registry/api/http/response_cache.py);
  `three` is then the "before" and `three-shared` the "after", measured in the same run.

Cells (bench/load.py, in its own process) alternate one, three (, three-shared) per operation and
concurrency, each deployment first in turn, on the cached list page and on partnerCities. Every
cell of an operation asks the same seeded sequence of requests: with `--requests` low enough that
each deployment completes it within `--seconds`, each starts every cell with the same answers
kept, else the faster one's caches are warmer in the next cell. It prints, and writes to bench/results/<date>-<label>.md, each
cell's figures, the CPU each part used per request, the cores the cell kept busy in all, and the
ratio three / one. The machine's cores bound that ratio: a server process uses one core at most, and
HAProxy, the load generator (Redis, and Neo4j) share the same cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import report, workload
from bench.servers import Server, registry_starter, stop
from bench.stores import BenchStore, fill, fresh_store
from graph.local_neo4j import free_port
from registry.store.factory import open_store

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"
CONFIG = ROOT / "deploy" / "haproxy.cfg"
SOURCE = "127.0.0.2"  # HAProxy connects from here: the one address the servers trust X-Forwarded-For from
OPERATIONS = ("list_page", "partner_cities")
START_SECONDS = 30.0


@dataclass
class Deployment:
    name: str
    servers: list[Server]
    port: int  # HAProxy's
    haproxy: subprocess.Popen[bytes]
    redis: subprocess.Popen[bytes] | None = None  # the one the servers share answers through


@contextmanager
def redis_server(log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """redis-server on a loopback port, nothing written to disk; its URL."""
    port = free_port()
    command = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    with open(log, "ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_SECONDS
        while (
            subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, check=False).stdout != b"PONG\n"
        ):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        process.terminate()
        process.wait(timeout=10)


def _served_by(port: int) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=5) as answer:
            return str(answer.headers.get("x-served-by")) if answer.status == 200 else None
    except (urllib.error.URLError, OSError):
        return None


@contextmanager
def balancer(servers: list[Server], log: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """HAProxy with deploy/haproxy.cfg, its three server lines on `servers` in turn."""
    port = free_port()
    env = {"REGISTRY_BALANCER": f"127.0.0.1:{port}", "REGISTRY_BALANCER_SOURCE": SOURCE}
    env.update({f"REGISTRY_SERVER_{n + 1}": f"127.0.0.1:{servers[n % len(servers)].port}" for n in range(3)})
    with open(log, "ab") as out:
        process = subprocess.Popen(
            ["haproxy", "-db", "-f", str(CONFIG)], env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + START_SECONDS
        # Until every server line has passed its health check and takes requests.
        while {_served_by(port) for _ in range(6)} != {"one", "two", "three"}:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"haproxy did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield port, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def run_cell(workdir: Path, deployment: Deployment, store: BenchStore, op: str, c: int, args: Any) -> Any:
    """One cell in a load-generator process (bench/load.py), watching every server, HAProxy and Neo4j."""
    pools = args.pools
    warmup = max(20, 2 * c, 6 * len(deployment.servers))  # every server gathers its facts and fills its cache
    requests = workload.requests(op, pools, args.requests + warmup, f"balancer-{deployment.name}-{op}-{c}")
    watch = {f"server {n + 1}": s.pid for n, s in enumerate(deployment.servers)}
    cell = {
        "host": "127.0.0.1",
        "port": deployment.port,
        "path": "/graphql",
        "token": None,
        "requests": [{"body": r.body, "as_hub": False, "op": r.op} for r in requests],
        "warmup": warmup,
        "max_requests": args.requests,
        "concurrency": c,
        "seconds": args.seconds,
        "timeout": 10.0,
        "watch": {
            **watch,
            "haproxy": deployment.haproxy.pid,
            **({"redis": deployment.redis.pid} if deployment.redis else {}),
            **store.watch,
        },
    }
    path = workdir / "cell.json"
    path.write_text(json.dumps(cell), encoding="utf-8")
    command = [sys.executable, "-m", "bench.load", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT, timeout=2 * args.seconds + 120)
    return json.loads(done.stdout)


def cores_busy(figures: dict[str, Any]) -> float:
    """Cores the cell kept busy: every watched process's CPU per request × throughput, plus the client."""
    watched = sum(figures["cpu_ms_per_request"].values()) * figures["throughput"] / 1000
    return float(watched + figures["client_cpu_share"])


def table(rows: list[tuple[str, str, int, dict[str, Any]]]) -> list[str]:
    lines = [
        "| operation | deployment | conc. | requests | req/s | p50 ms | p95 ms | errors | servers CPU ms/req "
        "| HAProxy CPU ms/req | Redis CPU ms/req | Neo4j CPU ms/req | client CPU | cores busy |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for op, name, c, f in rows:
        cpu = f["cpu_ms_per_request"]
        servers = sum(v for k, v in cpu.items() if k.startswith("server"))
        neo4j = f"{cpu['neo4j']:.2f}" if "neo4j" in cpu else "–"
        redis = f"{cpu['redis']:.2f}" if "redis" in cpu else "–"
        lines.append(
            f"| {op} | {name} | {c} | {f['requests']} | {f['throughput']:.1f} | {f['p50_ms']:.2f} | {f['p95_ms']:.2f} "
            f"| {f['errors']} | {servers:.2f} | {cpu['haproxy']:.2f} | {redis} | {neo4j} | {f['client_cpu_share']:.0%} "
            f"| {cores_busy(f):.2f} |"
        )
    return lines


def ratios(rows: list[tuple[str, str, int, dict[str, Any]]]) -> list[str]:
    by = {(op, name, c): f for op, name, c, f in rows}
    lines = [
        "| operation | conc. | deployment | one req/s | its req/s | it / one | target ≥ 1.5× |",
        "|---|--:|---|--:|--:|--:|---|",
    ]
    for op, name, c, _ in rows:
        one, it = by.get((op, "one", c)), by.get((op, name, c))
        if name == "one" or one is None or it is None or not one["throughput"]:
            continue
        ratio = it["throughput"] / one["throughput"]
        met = "met" if ratio >= 1.5 else "**not met**"
        lines.append(
            f"| {op} | {c} | {name} | {one['throughput']:.1f} | {it['throughput']:.1f} | {ratio:.2f}× | {met} |"
        )
    return lines


def measure(store: BenchStore, workdir: Path, args: Any) -> list[tuple[str, str, int, dict[str, Any]]]:
    opened = open_store(store.url)
    try:
        args.pools = workload.draw_pools(opened)
    finally:
        opened.close()
    options = ["--workers", "1", "--forwarded-allow-ips", SOURCE]
    rows: list[tuple[str, str, int, dict[str, Any]]] = []
    with ExitStack() as running:
        deployments = []
        shapes = [("one", 1, False), ("three", 3, False), *([("three-shared", 3, True)] if args.shared else [])]
        for name, count, shared in shapes:
            redis, extra = None, []
            if shared:
                url, redis = running.enter_context(redis_server(workdir / "redis.log"))
                extra = ["--redis-url", url]
            servers = []
            for n in range(count):
                log = workdir / f"{name}-{n}.log"
                server = registry_starter(store.url, log, [*options, *extra], name=f"{name}-{n}")()
                running.callback(stop, server)
                servers.append(server)
            port, haproxy = running.enter_context(balancer(servers, workdir / f"haproxy-{name}.log"))
            deployments.append(Deployment(name, servers, port, haproxy, redis))
        groups = [(op, int(c)) for op in args.ops.split(",") for c in args.concurrency.split(",")]
        for turn, (op, c) in enumerate(groups):
            # Each deployment goes first in turn: none always meets the machine's load (or a warm page cache) first.
            for deployment in deployments[turn % len(deployments) :] + deployments[: turn % len(deployments)]:
                figures = run_cell(workdir, deployment, store, op, c, args)
                rows.append((op, deployment.name, c, figures))
                print(
                    f"  {op:15} {deployment.name:12} c={c:<3} {figures['throughput']:8.1f} req/s  "
                    f"p50 {figures['p50_ms']:7.2f} ms  errors {figures['errors']}  cores busy {cores_busy(figures):.2f}",
                    flush=True,
                )
                if figures["first_error"]:
                    print(f"    first error: {figures['first_error'][:300]}", flush=True)
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.balancer", description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=["sqlite", "neo4j"], default="sqlite")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--ops", default=",".join(OPERATIONS))
    parser.add_argument("--concurrency", default="8,32")
    parser.add_argument("--seconds", type=float, default=8.0, help="at most this long per cell (the warm-up: half)")
    parser.add_argument("--requests", type=int, default=40000, help="at most this many requests per cell")
    parser.add_argument("--shared", action="store_true", help="also three servers sharing answers through Redis")
    parser.add_argument("--label", default="", help="in the results file's name (default balancer-<store>-x<scale>)")
    args = parser.parse_args(argv)
    started, load_before = datetime.now(UTC), os.getloadavg()
    commit = report.git_commit(ROOT)
    label = args.label or f"balancer-{args.store}-x{args.scale}"
    with tempfile.TemporaryDirectory(prefix="registry-balancer-") as folder:
        workdir = Path(folder)
        with fresh_store(args.store, workdir / "store") as store:
            what = fill(store, args.scale)
            print(f"{args.store} ×{args.scale}: {what}", flush=True)
            rows = measure(store, workdir, args)
    header = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "command": shlex.join(["python", "-m", "bench.balancer", *argv]),
        "commit": commit,
        "store": f"{args.store}, filled with `{what}`",
        "servers": "registry serve --workers 1 --forwarded-allow-ips 127.0.0.2 (response cache on, rate limits off)"
        + ("; three-shared adds --redis-url on one redis-server" if args.shared else ""),
        "balancer": "HAProxy with deploy/haproxy.cfg (round robin; `one` names its one server on all three lines)",
        "machine": report.machine(),
        "load average (1, 5, 15 min) before and after": f"{report.load(load_before)} and {report.load(os.getloadavg())}",
        "versions": f"Python {platform.python_version()}, uvicorn {metadata.version('uvicorn')}; {haproxy_version()}"
        + (f"; {redis_version()}" if args.shared else ""),
    }
    text = "\n".join(
        [
            f"# Benchmark: {label}",
            "",
            *[f"- **{k}**: {v}" for k, v in header.items()],
            "",
            __doc__.split("\n\n", 2)[2].strip(),
            "",
            "CPU per request is each process's utime+stime over the cell divided by the requests (the servers'"
            " summed); cores busy adds them all times the throughput, plus the load generator's share of a core.",
            "",
            *table(rows),
            "",
            *ratios(rows),
            "",
        ]
    )
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{started:%Y-%m-%d}-{label}.md"
    path.write_text(text, encoding="utf-8")
    print(text)
    print(f"results: {path.relative_to(ROOT)}")
    return 0


def haproxy_version() -> str:
    done = subprocess.run(["haproxy", "-v"], capture_output=True, text=True, check=False)
    return done.stdout.splitlines()[0] if done.stdout else "HAProxy version unknown"


def redis_version() -> str:
    done = subprocess.run(["redis-server", "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip() or "redis-server version unknown"


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
