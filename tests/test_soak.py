"""The soak test: one `registry serve` with two workers under a mixed, partly hostile load for a
bounded time (REGISTRY_SOAK_SECONDS, 270 s per store by default so SQLite and Neo4j fit ten minutes;
set it higher for a long run).  See tests/soak_load.py for the load.

It samples each worker's resident memory (from /proc, by the workers' pids) and the size of /metrics
at a steady interval, prints the samples as a table and saves them as a PNG plot under
tests/artifacts/.  It passes when the last sample is within 10 % of the first one after warm-up, no
request was answered with a 5xx or INTERNAL, and the audit trail holds exactly the acknowledged writes.

Resident memory measures live memory because each worker hands the allocator's free pages back to
the system every 10 s (registry/observability/allocator.py): without that, glibc keeps what requests
allocate and free in its arenas' free lists, and a worker's RSS climbed for minutes while its live
memory (tracemalloc, mallinfo2, SQLite's own counter) stayed flat.

What a worker keeps on purpose fills after the warm-up, at the rate the load sends new documents:
the parsed documents and their plans (512 texts each, one tree per text kept without its tokens:
registry/api/execution/kept.py) and each pooled SQLite connection's page cache (512 KiB:
registry/store/sql/store.py).  Both are bounded small, so a worker's live memory (mallinfo2's bytes
in use, SQLite's counter) is flat from the reference sample on; what RSS still gains is free memory
glibc keeps in its arenas between live blocks.  A worker lets glibc make two arenas, not eight per
core (REGISTRY_MALLOC_ARENA_MAX): over alternated runs the worst worker's growth on SQLite was
+1.7 to +3.3 % with two, against +3.7 and +8.4 % with glibc's default.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import matplotlib
import pytest

from bench.workload import draw_pools
from registry.domain.records import Hub, Role
from registry.services.access import create_key
from registry.services.seeding import seed
from registry.store.port import Store
from tests.api.conftest import HUB, OTHER_HUB
from tests.conftest import MakeStore
from tests.server_process import ServerProcess, store_url
from tests.soak_load import Load, mixed_requests

matplotlib.use("Agg")  # files only, no display
from matplotlib import pyplot

SECONDS = float(os.environ.get("REGISTRY_SOAK_SECONDS", "270"))
SAMPLES = 10 if SECONDS < 600 else int(SECONDS // 60) + 1  # each N seconds for the short run, each minute else
WARM_UP = 2  # the samples taken while caches, pools and label sets fill; the next one is the reference
TOLERANCE = 0.10
ARTIFACTS = Path(__file__).parent / "artifacts"


@dataclass
class Sample:
    second: float
    rss: list[int]  # bytes, per worker
    metrics: int  # bytes of /metrics


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


def _sample(server: ServerProcess, pids: list[int], started: float) -> Sample:
    size = len(httpx.get(f"{server.url}/metrics", timeout=60).content)
    return Sample(time.monotonic() - started, [_rss(pid) for pid in pids], size)


def _table(kind: str, samples: list[Sample]) -> str:
    workers = len(samples[0].rss)
    head = f"{'second':>7} " + " ".join(f"{f'worker {n + 1} RSS MB':>16}" for n in range(workers))
    lines = [f"soak on {kind}", head + f" {'/metrics KB':>12}"]
    for s in samples:
        rss = " ".join(f"{r / 2**20:>16.1f}" for r in s.rss)
        lines.append(f"{s.second:>7.0f} {rss} {s.metrics / 1024:>12.1f}")
    return "\n".join(lines)


def _plot(kind: str, samples: list[Sample]) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    figure, (memory, metrics) = pyplot.subplots(2, 1, sharex=True, figsize=(7, 6))
    seconds = [s.second for s in samples]
    for n in range(len(samples[0].rss)):
        memory.plot(seconds, [s.rss[n] / 2**20 for s in samples], marker="o", label=f"worker {n + 1}")
    memory.set_ylabel("RSS (MB)")
    memory.legend()
    metrics.plot(seconds, [s.metrics / 1024 for s in samples], marker="o", color="tab:green")
    metrics.set_ylabel("/metrics (KB)")
    metrics.set_xlabel("seconds under load")
    for axes in (memory, metrics):
        axes.axvline(samples[WARM_UP].second, color="grey", linestyle=":")
        axes.set_ylim(bottom=0)
    figure.suptitle(f"Soak on {kind}: two workers, {SECONDS:.0f} s")
    path = ARTIFACTS / f"soak-{kind}.png"
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
    return path


@pytest.fixture
def seeded(store_kind: str, make_store: MakeStore) -> Iterator[tuple[Store, dict[str, str]]]:
    store = make_store(store_kind)
    seed(store)
    known = {hub.slug for hub in store.hubs()}
    for slug in (HUB, OTHER_HUB):
        if slug not in known:
            store.put_hub(Hub(slug, slug, None))
    keys = {
        "coordinator": create_key(store, Role.COORDINATOR)[1],
        "admin": create_key(store, Role.ADMIN)[1],
        "hub": create_key(store, Role.HUB, HUB)[1],
        "other_hub": create_key(store, Role.HUB, OTHER_HUB)[1],
    }
    yield store, keys


@pytest.mark.parametrize("store_kind", [pytest.param("sqlite"), pytest.param("neo4j", marks=pytest.mark.neo4j)])
def test_memory_and_metrics_stay_flat_under_a_long_hostile_load(
    store_kind: str,
    seeded: tuple[Store, dict[str, str]],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store, keys = seeded
    head = store.audit_head()
    mixed = mixed_requests(draw_pools(store), 20_000)
    monkeypatch.setenv("REGISTRY_RATE_LIMIT_ANONYMOUS", "")  # the load comes from one address, as the bench's
    monkeypatch.setenv("REGISTRY_RATE_LIMIT_KEY", "")
    # The abuse corpus's heaviest reads on a machine shared with other work can outlast the 10 s budget:
    # its typed 504 TIMEOUT is the budget at work, not a failure; the soak is about memory, not speed.
    monkeypatch.setenv("REGISTRY_TIME_BUDGET", "45")
    # Given one `registry serve` with two workers on the seeded store
    with ServerProcess(store_url(store_kind, store, request), tmp_path / "serve.log", workers=2) as server:
        pids = server.worker_pids()
        assert len(pids) == 2, pids
        # when the load runs for the whole time, sampled at a steady interval
        samples: list[Sample] = []
        started = time.monotonic()
        with Load(server.url, keys, mixed) as load:
            for n in range(SAMPLES):
                time.sleep(max(0.0, started + n * SECONDS / (SAMPLES - 1) - time.monotonic()))
                samples.append(_sample(server, pids, started))
        assert server.worker_pids() == pids  # no worker died and was replaced
    tally = load.tally
    first = f"the first ended at second {load.abuse_passes[0] - started:.0f}" if load.abuse_passes else "none ended"
    table = _table(store_kind, samples) + (
        f"\nrequests {tally.sent}, acknowledged writes {len(tally.written)}, subscriptions {tally.subscriptions}"
        f"\n{len(load.abuse_passes)} passes over the abuse corpus ({first})\n"
    )
    print("\n" + table)  # `pytest -s` shows it; the file keeps it for those who ran without
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"soak-{store_kind}.txt").write_text(table)
    print(f"plot: {_plot(store_kind, samples)}")
    # then no request was answered with a 5xx or INTERNAL
    assert tally.problems == [], tally.problems[:10]
    assert tally.sent > 1000 and tally.written and tally.subscriptions > 0  # the load did run
    # and the last sample is within 10 % of the one after warm-up, for each worker and for /metrics
    reference, last = samples[WARM_UP], samples[-1]
    for worker, (then, now) in enumerate(zip(reference.rss, last.rss, strict=True)):
        assert abs(now - then) <= then * TOLERANCE, (
            f"worker {worker + 1}: {then / 2**20:.1f} MB -> {now / 2**20:.1f} MB"
        )
    assert abs(last.metrics - reference.metrics) <= reference.metrics * TOLERANCE, (reference.metrics, last.metrics)
    # and the audit trail holds exactly the acknowledged writes
    entries = store.audit_after(head, 10**6)
    audited = {entry.ref.removeprefix("UseCase:") for entry in entries}
    assert all(entry.ref.startswith("UseCase:") for entry in entries), {e.ref for e in entries}
    assert audited == tally.written
