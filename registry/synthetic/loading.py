"""Load a synthetic network (`registry.synthetic.network`) into an empty store, chunk by chunk.

Each chunk is one `store.load`; if any fails (or the run is interrupted), the store is
cleared again: it was empty when we started, so nothing of anyone else's is lost.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from registry.domain.errors import ErrorCode, RegistryError
from registry.store.port import Store
from registry.synthetic.network import generate, synthetic_hubs
from registry.synthetic.shape import planned_records

# (records loaded so far, the planned total)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class GenerateReport:
    counts: dict[str, int]  # records per kind, in load order
    links: int
    hubs: int
    seconds: float

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {kind}" for kind, n in self.counts.items())
        return f"generated {kinds}, {self.links} links, {self.hubs} hubs in {self.seconds:.1f} s"


def generate_into(store: Store, scale: int, seed: int, progress: Progress | None = None) -> GenerateReport:
    """Fill an empty store with the synthetic network of `scale` and `seed`; refuses a non-empty one."""
    if not store.is_empty():
        raise RegistryError(
            ErrorCode.INVALID_STATE, "The target store is not empty: generate only writes into an empty store.", "store"
        )
    started = time.perf_counter()
    planned = planned_records(scale)
    counts: dict[str, int] = {}
    links = 0
    hubs = synthetic_hubs(scale, seed)
    try:
        for hub in hubs:
            store.put_hub(hub)
        for chunk in generate(scale, seed):
            store.load(chunk.records, chunk.links, [])
            for record in chunk.records:
                counts[record.kind.value] = counts.get(record.kind.value, 0) + 1
            links += len(chunk.links)
            if progress is not None:
                progress(sum(counts.values()), planned)
    except BaseException:
        store.clear()  # it was empty: leave it empty again, also on Ctrl-C
        raise
    return GenerateReport(counts, links, len(hubs), time.perf_counter() - started)
