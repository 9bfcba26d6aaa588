"""The first ranking after a write, with the facts cache one server process keeps (issue 15).

Run: python -m bench.first_ranking [--stores sqlite,neo4j] [--scale 100] [--rounds 5] [--before CHECKOUT] [--trace]

For each store kind: a fresh store filled as `make bench` fills it (bench/stores.py), one
`FactsCache` kept across the rankings as a server process keeps it, and `rounds` times each:
- no write: a warm ranking, for reference;
- a hub's draft (`submitCaseStudy` with draft), then the first ranking;
- a publication (a hub submits a case study on a priority's territory and domain, a coordinator
  publishes it), then the first ranking.
Each ranking is partnerCities for the priority's territory, then candidateExperiments for the
priority, both timed; the first of them after a write pays for bringing the facts up to date.
Rankings run in process (no HTTP): the figures are the cache's and the store's.

With `--before CHECKOUT` two server-like child processes run on the same store, one with another
checkout's code (its packages first on the path) and one with this one's, each with its own cache
gathered once; their rounds alternate (before, after, after, before, …), and before each of its
rounds a process first brings its cache up to the other's write untimed, so both measure the same
thing under the same load, and one run prints the figures before and after a change.
With `--trace` each round after a write also prints where its first ranking's time went: the
store's calls that took 5 ms or more (bench/timed_store.py) and whether the facts cache refreshed
from the trail or gathered everything again.
The written case studies are synthetic, labelled as such.  Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.stores import fill, fresh_store
from registry.domain.records import Kind, Principal, Ref, Rel, Role
from registry.services.editing import Change, Editing
from registry.services.ranking import recommenders as ranking
from registry.services.ranking.facts import FactsCache
from registry.store.factory import open_store
from registry.store.port import EVERYTHING, RecordQuery, Store

HUB = Principal(Role.HUB, "bench-hub", "bench-hub-key")
COORDINATOR = Principal(Role.COORDINATOR, None, "bench-coordinator-key")
SOURCES = [{"url": "https://example.org/synthetic", "title": "Synthetic case study (benchmark)"}]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _target(store: Store) -> tuple[str, str, str]:
    """A priority with a territory and a domain: (priority, territory, domain) slugs."""
    page = store.query(RecordQuery(kinds=(Kind.PRIORITY,), visibility=EVERYTHING, limit=200))
    for plan in page.records:
        places = store.links_from([plan.ref], Rel.IN_TERRITORY)
        domains = store.links_from([plan.ref], Rel.IN_DOMAIN)
        if places and domains:
            return plan.slug, places[0].target.slug, domains[0].target.slug
    raise SystemExit("No priority with a territory and a domain in this registry.")


class TimedStore:
    """`store`'s methods, each call noted as (name, milliseconds) in `calls`."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.calls: list[tuple[str, float]] = []

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._store, name)
        if not callable(found):
            return found
        return self._timed(name, found)

    def _timed(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.calls.append((name, (time.perf_counter() - started) * 1000))

        return call

    def taken(self) -> list[tuple[str, float]]:
        """The calls noted since the last `taken`, then forgets them."""
        calls, self.calls = self.calls, []
        return calls


def summary(calls: list[tuple[str, float]]) -> str:
    """`name ms` per call, in order, the slow ones (≥ 5 ms) alone, then the rest's total."""
    slow = [f"{name} {ms:.0f}" for name, ms in calls if ms >= 5]
    rest = [ms for _, ms in calls if ms < 5]
    return ", ".join([*slow, f"{len(rest)} other calls {sum(rest):.0f}"])


class Bench:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.editing = Editing(store)
        self.cache = FactsCache()
        self.priority, self.territory, self.domain = _target(store)
        self.serial = 0

    def rankings(self) -> tuple[float, float]:
        """Seconds of partnerCities, then of candidateExperiments, through the kept cache."""
        started = time.perf_counter()
        ranking.partner_cities(self.store, self.territory, 10, self.cache)
        middle = time.perf_counter()
        ranking.candidate_experiments(self.store, self.priority, 10, self.cache)
        return middle - started, time.perf_counter() - middle

    def case(self, draft: bool) -> str:
        self.serial += 1
        slug = f"bench-synthetic-{os.getpid()}-{self.serial}"
        links = [
            (Rel.IN_TERRITORY, [(Ref(Kind.TERRITORY, self.territory), "")]),
            (Rel.IN_DOMAIN, [(Ref(Kind.DOMAIN, self.domain), "")]),
        ]
        title = {"en": f"Synthetic case study {self.serial} (benchmark)"}
        change = Change(fields={"title": title, "status": "pilot"}, sources=SOURCES, links=links, slug=slug)
        self.editing.submit_case_study(HUB, change, None, draft=draft)
        return slug

    def draft(self) -> None:
        self.case(draft=True)

    def publication(self) -> None:
        slug = self.case(draft=False)
        self.editing.review_case_study(COORDINATOR, slug, 1, None, publish=True)


def measure(url: str, label: str, rounds: int, trace: bool = False) -> None:
    store = open_store(url)
    print(f"  {label:7} code from {Path(ranking.__file__).parents[3]}", flush=True)
    timed = TimedStore(store)
    bench = Bench(timed if trace else store)  # every Store method, timed
    started = time.perf_counter()
    bench.rankings()  # the first gathering of a new cache
    print(f"  {label:7} first gathering (a new cache)  {_ms(time.perf_counter() - started):8.1f} ms", flush=True)
    writes: dict[str, Callable[[], None]] = {"no write": lambda: None, "a draft": bench.draft}
    writes["a publication"] = bench.publication
    for name, write in writes.items():
        partners, candidates = [], []
        for _ in range(rounds):
            write()
            timed.taken()  # the write's own calls
            gathered, refreshed = bench.cache.gathered, bench.cache.refreshed
            first, second = bench.rankings()
            partners.append(first)
            candidates.append(second)
            if trace:
                how = (
                    "gathered"
                    if bench.cache.gathered > gathered
                    else "refreshed"
                    if bench.cache.refreshed > refreshed
                    else "kept"
                )
                print(
                    f"  {label:7}   {name}: {_ms(first + second):7.1f} ms, facts {how}: {summary(timed.taken())}",
                    flush=True,
                )
        print(
            f"  {label:7} after {name:14} partnerCities median {_ms(statistics.median(partners)):8.1f}"
            f" max {_ms(max(partners)):8.1f}   then candidateExperiments median"
            f" {_ms(statistics.median(candidates)):6.1f} max {_ms(max(candidates)):6.1f}  (ms)",
            flush=True,
        )
    store.close()


def serve(url: str, label: str, trace: bool) -> None:
    """A child of `--before`: gathers once, then for each line of input, "sync" ranks untimed (the
    other process wrote), else it writes (the line names the write) and prints the two timings."""
    store = open_store(url)
    timed = TimedStore(store)
    bench = Bench(timed if trace else store)
    started = time.perf_counter()
    bench.rankings()
    print(
        f"{label} code from {Path(ranking.__file__).parents[3]}, first gathering {_ms(time.perf_counter() - started)} ms"
    )
    print("ready", flush=True)
    writes: dict[str, Callable[[], None]] = {"no write": lambda: None, "a draft": bench.draft}
    writes["a publication"] = bench.publication
    for line in sys.stdin:
        name = line.strip()
        if name == "sync":
            bench.rankings()
            print("synced", flush=True)
            continue
        writes[name]()
        timed.taken()
        first, second = bench.rankings()
        calls = f" {summary(timed.taken())}" if trace else ""
        print(f"{first} {second}{calls}", flush=True)
    store.close()


def interleaved(url: str, before: str, rounds: int, trace: bool) -> None:
    """The before and after processes on one store, their rounds alternating (see the docstring)."""
    processes = {}
    for label, checkout in (("before", Path(before).resolve()), ("after", Path(__file__).resolve().parents[1])):
        child = [sys.executable, __file__, "--url", url, "--label", label, "--serve", *(["--trace"] if trace else [])]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(checkout), os.environ.get("PYTHONPATH", "")])}
        process = subprocess.Popen(
            child, cwd=checkout, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert process.stdout is not None
        for line in process.stdout:  # one gathering at a time: they would slow each other
            if line.strip() == "ready":
                break
            print(f"  {line.rstrip()}", flush=True)
        processes[label] = process

    def ask(label: str, command: str) -> str:
        process = processes[label]
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(command + "\n")
        process.stdin.flush()
        return process.stdout.readline().strip()

    for name in ("no write", "a draft", "a publication"):
        taken: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
        for n in range(rounds):
            order = ["before", "after"] if n % 2 == 0 else ["after", "before"]
            for label in order:
                ask(label, "sync")  # the other's last write, untimed
                answer = ask(label, name).split(" ", 2)
                taken[label].append((float(answer[0]), float(answer[1])))
                if trace and len(answer) > 2:
                    print(f"  {label:7}   {name}: {answer[2]}", flush=True)
        for label in ("before", "after"):
            partners = [first for first, _ in taken[label]]
            candidates = [second for _, second in taken[label]]
            print(
                f"  {label:7} after {name:14} partnerCities median {_ms(statistics.median(partners)):8.1f}"
                f" max {_ms(max(partners)):8.1f}   then candidateExperiments median"
                f" {_ms(statistics.median(candidates)):6.1f} max {_ms(max(candidates)):6.1f}  (ms)",
                flush=True,
            )
    for process in processes.values():
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stores", default="sqlite")
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--trace", action="store_true", help="print where each round's time went")
    parser.add_argument("--before", default="", help="a checkout whose code to measure first (its folder)")
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)  # the child of --before: a store made here
    parser.add_argument("--label", default="after", help=argparse.SUPPRESS)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # a child of --before
    args = parser.parse_args()
    if args.url:
        serve(args.url, args.label, args.trace) if args.serve else measure(
            args.url, args.label, args.rounds, args.trace
        )
        return
    print(f"First ranking after a write, ×{args.scale}, {args.rounds} rounds each (see bench/first_ranking.py).")
    for kind in args.stores.split(","):
        with tempfile.TemporaryDirectory() as folder, fresh_store(kind, Path(folder) / "store") as made:
            started = time.perf_counter()
            what = fill(made, args.scale)
            print(f"{kind}: {what}, filled in {time.perf_counter() - started:.0f} s", flush=True)
            print(f"  load average {os.getloadavg()[0]:.2f}", flush=True)
            if args.before:
                interleaved(made.url, args.before, args.rounds, args.trace)
            else:
                measure(made.url, "after", args.rounds, args.trace)
            print(f"  load average {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
