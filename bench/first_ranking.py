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

With `--before CHECKOUT` the same measures run first with another checkout's code (its packages
first on the path, in a child process), so one run prints the figures before and after a change.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stores", default="sqlite")
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--trace", action="store_true", help="print where each round's time went")
    parser.add_argument("--before", default="", help="a checkout whose code to measure first (its folder)")
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)  # the child of --before: a store made here
    parser.add_argument("--label", default="after", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.url:
        measure(args.url, args.label, args.rounds, args.trace)
        return
    print(f"First ranking after a write, ×{args.scale}, {args.rounds} rounds each (see bench/first_ranking.py).")
    for kind in args.stores.split(","):
        with tempfile.TemporaryDirectory() as folder, fresh_store(kind, Path(folder) / "store") as made:
            started = time.perf_counter()
            what = fill(made, args.scale)
            print(f"{kind}: {what}, filled in {time.perf_counter() - started:.0f} s", flush=True)
            if args.before:
                # This file, with the other checkout's packages first on the path (it may not have this file).
                child = [sys.executable, __file__, "--url", made.url, "--label", "before"]
                child += ["--rounds", str(args.rounds), *(["--trace"] if args.trace else [])]
                path = os.pathsep.join([str(Path(args.before).resolve()), os.environ.get("PYTHONPATH", "")])
                subprocess.run(child, check=True, cwd=args.before, env={**os.environ, "PYTHONPATH": path})
            measure(made.url, "after", args.rounds, args.trace)


if __name__ == "__main__":
    main()
