"""The requests a benchmark cell sends: the operations in bench/operations, with variables
drawn from the store under test.

Draws are skewed (Zipf-like: a few territories, pages and words are asked for far more often
than the rest) and seeded, so the same store gives the same sequence of requests every run.
"""

from __future__ import annotations

import base64
import bisect
import itertools
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.api.graphql.ids import global_id
from registry.domain.records import Kind, Ref
from registry.store.codec import label, words
from registry.store.port import RecordQuery, Store

HERE = Path(__file__).parent
OPERATIONS_DIR = HERE / "operations"
PEER_OPERATIONS_DIR = HERE / "peer" / "operations"
SEED = 20261201
PAGE = 20
WRITE = "submit_case_study"
MIXED = "mixed"
# The same mix's reads without its writes: the baseline that tells what the writes cost the reads,
# since at saturation a cheap read's latency in any mix is mostly its wait behind the dearer ones.
MIXED_READS = "mixed_reads"
READS = ("list_page", "territory_page", "partner_cities", "candidate_experiments", "search", "nodes", "path")
# The mixed run: a front end's reads, the coordinators' recommenders, and 5 % writes.
MIX_WEIGHTS = {
    "list_page": 30,
    "territory_page": 25,
    "search": 15,
    "nodes": 10,
    "partner_cities": 5,
    "candidate_experiments": 5,
    "path": 5,
    WRITE: 5,
}
HUB = "hub-mydata-france"  # the seeds' hub; a generated store has its own
NODES_PER_REQUEST = 50


@dataclass(frozen=True)
class Request:
    """One HTTP request of a cell: the operation's name, the JSON body, and whether it needs the hub key."""

    op: str
    body: str
    as_hub: bool = False


class Zipf:
    """Picks items with probability ∝ 1/rank^s; the ranks are a seeded shuffle unless `ordered`."""

    def __init__(self, items: list[Any], s: float = 1.1, ordered: bool = False) -> None:
        if not items:
            raise ValueError("nothing to draw from")
        self.items = list(items)
        if not ordered:
            random.Random(SEED).shuffle(self.items)
        weights = [1 / (rank**s) for rank in range(1, len(self.items) + 1)]
        self.cumulative = list(itertools.accumulate(weights))

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass(frozen=True)
class Pools:
    """What the draws choose from: the records an anonymous caller sees, sorted by slug."""

    territories: list[str]
    priorities: list[str]
    domains: list[str]
    use_case_count: int
    ids: list[str]
    words: list[str]
    hub: str  # the hub whose key writes the case studies


def _records(store: Store, kind: Kind) -> list[Any]:
    return store.query(RecordQuery(kinds=(kind,), limit=10**9)).records


def draw_pools(store: Store) -> Pools:
    """Read the pools from the store under test (reads only)."""
    by_kind = {kind: _records(store, kind) for kind in Kind}
    hubs = sorted(h.slug for h in store.hubs())
    slugs = {kind: sorted(r.slug for r in records) for kind, records in by_kind.items()}
    visible = sorted(
        global_id(Ref(kind, slug))
        for kind in (Kind.TERRITORY, Kind.ACTOR, Kind.DOMAIN, Kind.USE_CASE, Kind.PRIORITY, Kind.EXPERIMENT)
        for slug in slugs[kind]
    )
    labelled = by_kind[Kind.TERRITORY] + by_kind[Kind.DOMAIN] + by_kind[Kind.USE_CASE] + by_kind[Kind.PRIORITY]
    vocabulary = sorted({w for r in labelled for w in words(label(r)) if len(w) >= 4 and not w.isdigit()})
    return Pools(
        territories=slugs[Kind.TERRITORY],
        priorities=slugs[Kind.PRIORITY],
        domains=slugs[Kind.DOMAIN],
        use_case_count=len(slugs[Kind.USE_CASE]),
        ids=visible,
        words=vocabulary,
        hub=HUB if HUB in hubs else hubs[0],
    )


def document(op: str, peer: bool = False) -> str:
    """The text of an operation: ours, or the peer's equivalent."""
    return ((PEER_OPERATIONS_DIR if peer else OPERATIONS_DIR) / f"{op}.graphql").read_text(encoding="utf-8")


def peer_operations() -> list[str]:
    """The operations the peer can express (those with a file in bench/peer/operations)."""
    return sorted(p.stem for p in PEER_OPERATIONS_DIR.glob("*.graphql"))


class Drawer:
    """Draws the variables of each operation from the pools, in a seeded sequence."""

    def __init__(self, pools: Pools, tag: str) -> None:
        self.rng = random.Random(SEED)
        self.tag = tag  # makes written slugs unique per cell
        self.written = 0
        self.pages = Zipf(list(range(max(1, -(-pools.use_case_count // PAGE)))), ordered=True)
        self.territories = Zipf(pools.territories)
        self.priorities = Zipf(pools.priorities)
        self.domains = Zipf(pools.domains)
        self.ids = Zipf(pools.ids)
        self.words = Zipf(pools.words)
        self.ends = Zipf(pools.ids)

    def variables(self, op: str, peer: bool = False) -> dict[str, Any]:
        rng = self.rng
        if op == "list_page":
            page = self.pages.pick(rng)
            prefix = "arrayconnection" if peer else "offset"  # each server's own cursor format
            after = base64.b64encode(f"{prefix}:{page * PAGE - 1}".encode()).decode() if page else None
            return {"after": after}
        if op == "territory_page":
            return {"slug": self.territories.pick(rng)}
        if op == "partner_cities":
            return {"t": self.territories.pick(rng)}
        if op == "candidate_experiments":
            return {"p": self.priorities.pick(rng)}
        if op == "search":
            return {"text": self.words.pick(rng)}
        if op == "nodes":
            ids = [self.ids.pick(rng) for _ in range(NODES_PER_REQUEST)]
            return {"keys": [base64.b64decode(i).decode() for i in ids]} if peer else {"ids": ids}
        if op == "path":
            start = self.ends.pick(rng)
            end = self.ends.pick(rng)
            while end == start:
                end = self.ends.pick(rng)
            return {"from": start, "to": end}
        if op == WRITE:
            return self._case_study()
        raise ValueError(f"unknown operation {op}")

    def _case_study(self) -> dict[str, Any]:
        self.written += 1
        name = f"bench-{self.tag}-{self.written}"
        return {
            "key": name,
            "input": {
                "slug": name,
                "title": {"en": f"Synthetic benchmark case study {self.written}"},
                "status": "PILOT",
                "governance": "TRUSTED_THIRD_PARTY",
                "domains": [self.domains.pick(self.rng)],
                "territories": [self.territories.pick(self.rng)],
                "sources": [
                    {"url": "https://example.org/synthetic", "title": "Synthetic record written by a benchmark"}
                ],
            },
        }


def requests(op: str, pools: Pools, count: int, tag: str, peer: bool = False) -> list[Request]:
    """The first `count` requests of an operation's seeded sequence (or of the mix)."""
    drawer = Drawer(pools, tag)
    mix = {name: weight for name, weight in MIX_WEIGHTS.items() if op == MIXED or name != WRITE}
    ops, weights = list(mix), list(mix.values())
    mix_rng = random.Random(SEED + 1)
    docs: dict[str, str] = {}
    out = []
    for _ in range(count):
        name = mix_rng.choices(ops, weights)[0] if op in (MIXED, MIXED_READS) else op
        if name not in docs:
            docs[name] = document(name, peer)
        body = json.dumps({"query": docs[name], "variables": drawer.variables(name, peer)})
        out.append(Request(name, body, as_hub=name == WRITE))
    return out
