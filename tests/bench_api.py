"""Benchmark: time and store round trips of typical requests, on a seeded store.

Run: .venv/bin/python -m tests.bench_api [STORE_URL ...]   (default: a temporary SQLite file)
It prints figures; it asserts nothing (speed goals are read here, not enforced in tests).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time

from registry.seeding import seed
from registry.store import Store
from registry.stores import open_store
from tests.api.conftest import Server, serve

REQUESTS = {
    "territories, 20, with priorities, actors and use cases": """{ territories(first: 20) { nodes { slug name
        priorities { nodes { title } } actors(first: 50) { edges { role node { name } } } useCases(first: 50) { nodes { title } } } } }""",
    "use cases, 100, with domains, territories and actors": """{ useCases(first: 100) { nodes { slug title
        domains { nodes { slug } } territories { nodes { slug } } actors { nodes { slug } } } } }""",
    "search 'energie'": '{ search(text: "energie", first: 50) { totalCount nodes { id } } }',
    "partnerCities(lyon)": '{ partnerCities(territory: "lyon", first: 10) { score territory { slug } reasons { label } } }',
    "candidateExperiments(mobility)": """{ candidateExperiments(priority: "la-rochelle-sustainable-mobility", first: 10) {
        score useCase { slug } reasons { label } } }""",
    "stats": "{ stats { useCasesByDomain { key count } useCasesByStatus { key count } useCasesByTerritory { key count } } }",
    "path(la-rochelle, lyon)": '{ path(from: "VGVycml0b3J5OmxhLXJvY2hlbGxl", to: "VGVycml0b3J5Omx5b24=") { length } }',
}
ROUNDS = 30


def bench(server: Server, store: Store, label: str) -> None:
    for api in serve(server, store, stats=True):
        print(f"\n{label}: median of {ROUNDS} requests (ms), store round trips, store ms")
        for name, query in REQUESTS.items():
            totals, trips, store_ms = [], 0, []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                body = api.client.post("/graphql", json={"query": query}).json()
                totals.append((time.perf_counter() - started) * 1000)
                assert "errors" not in body, body
                trips = body["extensions"]["stats"]["storeRoundTrips"]
                store_ms.append(body["extensions"]["stats"]["storeMs"])
            print(
                f"  {name:58} {statistics.median(totals):7.1f} ms  {trips:3d} trips  {statistics.median(store_ms):7.1f} ms in store"
            )


def main(urls: list[str]) -> None:
    if not urls:
        urls = [f"sqlite:///{tempfile.mkdtemp()}/bench.db"]
    with Server() as server:
        for url in urls:
            store = open_store(url)
            store.clear()
            seed(store)
            bench(server, store, url.split("://")[0])
            store.close()


if __name__ == "__main__":
    main(sys.argv[1:])
