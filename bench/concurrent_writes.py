"""Hubs submitting case studies at the same time, on one store (issue 15: the write path).

Run: python -m bench.concurrent_writes [--stores neo4j] [--scale 100] [--clients 32] [--writes 400]
     [--rounds 2] [--before CHECKOUT]

For each store kind: a fresh store filled as `make bench` fills it (bench/stores.py), then
`clients` threads of one process, sharing one store object as a server's workers do, submit
`writes` case studies between them (`submitCaseStudy`, in process: no HTTP), each a new record
with two links and its audit entry.  Prints the latency of a write (median, p95, max), the
writes per second, and the CPU each write cost this process and, on Neo4j, its server.

With `--before CHECKOUT` each round runs twice, in child processes on the same store: first
with another checkout's code (its packages first on the path), then with this one, so one run
compares the two under the same load.  Each child writes a few case studies before it measures
(Neo4j plans a statement the first time it sees its text).  The case studies are synthetic,
labelled as such.  Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.stores import fill, fresh_store
from registry.domain.records import Kind, Principal, Ref, Rel, Role
from registry.services.editing import Change, Editing
from registry.store.factory import open_store
from registry.store.port import Store

HUB = Principal(Role.HUB, "bench-hub", "bench-hub-key")
SOURCES = [{"url": "https://example.org/synthetic", "title": "Synthetic case study (benchmark)"}]
WARM_UP = 8


def _cpu_seconds(pid: int | None) -> float:
    """User and system CPU of a process so far (0 when it is not known)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _places(store: Store) -> tuple[str, str]:
    """A territory and a domain the case studies link to."""
    from bench.first_ranking import _target

    _, territory, domain = _target(store)
    return territory, domain


def measure(url: str, label: str, clients: int, writes: int, server_pid: int | None) -> None:
    store = open_store(url)
    editing = Editing(store)
    territory, domain = _places(store)
    serial = itertools.count(1)  # next() is atomic under the GIL: no two writers take one number
    links = [
        (Rel.IN_TERRITORY, [(Ref(Kind.TERRITORY, territory), "")]),
        (Rel.IN_DOMAIN, [(Ref(Kind.DOMAIN, domain), "")]),
    ]

    def submit() -> float:
        n = next(serial)
        title = {"en": f"Synthetic case study {n} (benchmark)"}
        slug = f"bench-synthetic-{label}-{os.getpid()}-{n}"
        change = Change(fields={"title": title, "status": "pilot"}, sources=SOURCES, links=links, slug=slug)
        started = time.perf_counter()
        editing.submit_case_study(HUB, change, None, draft=False)
        return time.perf_counter() - started

    for _ in range(WARM_UP):
        submit()
    left = iter(range(writes))
    taken: list[float] = []
    lock = threading.Lock()

    def client() -> None:
        while True:
            with lock:
                if next(left, None) is None:
                    return
            seconds = submit()
            with lock:
                taken.append(seconds)

    cpu, server_cpu, started = time.process_time(), _cpu_seconds(server_pid), time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cpu, server_cpu = time.process_time() - cpu, _cpu_seconds(server_pid) - server_cpu
    taken.sort()
    p95 = taken[max(0, int(len(taken) * 0.95) - 1)]
    print(
        f"  {label:6} {len(taken)} writes, {clients} clients: {len(taken) / elapsed:6.1f} writes/s,"
        f" latency median {statistics.median(taken) * 1000:7.1f} p95 {p95 * 1000:7.1f} max {taken[-1] * 1000:7.1f} ms;"
        f" CPU per write: this process {cpu / len(taken) * 1000:5.2f} ms"
        + (f", store server {server_cpu / len(taken) * 1000:5.2f} ms" if server_pid else ""),
        flush=True,
    )
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stores", default="neo4j")
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--writes", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before", default="", help="a checkout whose code to measure first in each round")
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)  # a child: a store made by its parent
    parser.add_argument("--label", default="after", help=argparse.SUPPRESS)
    parser.add_argument("--server-pid", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.url:
        measure(args.url, args.label, args.clients, args.writes, args.server_pid or None)
        return
    print(f"Concurrent submissions, ×{args.scale}, {args.clients} clients, {args.writes} writes a round.")
    for kind in args.stores.split(","):
        with tempfile.TemporaryDirectory() as folder, fresh_store(kind, Path(folder) / "store") as made:
            started = time.perf_counter()
            what = fill(made, args.scale)
            print(f"{kind}: {what}, filled in {time.perf_counter() - started:.0f} s", flush=True)
            pid = made.watch.get("neo4j", 0)
            for round_ in range(1, args.rounds + 1):
                print(f" round {round_}, load average {os.getloadavg()[0]:.2f}", flush=True)
                runs = [("before", args.before), ("after", "")] if args.before else [("after", "")]
                for label, checkout in runs:
                    child = [sys.executable, __file__, "--url", made.url, "--label", label]
                    child += ["--clients", str(args.clients), "--writes", str(args.writes), "--server-pid", str(pid)]
                    # That checkout's packages (or this one's) first on the path.
                    root = Path(checkout).resolve() if checkout else Path(__file__).resolve().parents[1]
                    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
                    subprocess.run(child, check=True, cwd=root, env=env)


if __name__ == "__main__":
    main()
