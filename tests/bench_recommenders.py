"""Benchmark: the two recommenders on registries 1, 10, 100… times the seeded one, on each store.

Run: .venv/bin/python -m tests.bench_recommenders [--scales 1,10,100] [--stores sqlite,neo4j,postgres]
     [--postgres-admin URL] [--rounds 30]

Each scale is a SYNTHETIC registry: copy 0 is the seeded registry, copies 1…N-1 are the same
records and links with every slug but the domains' renamed (`lyon` -> `lyon-copy7`), so the
copies share the programme's policy domains and nothing else.  The benchmark only writes into
stores it creates: a temporary SQLite file, a local Neo4j it starts (needs java and mvn), and a
PostgreSQL database it creates through `--postgres-admin` (a role allowed to CREATE DATABASE)
and drops at the end.  It prints figures and asserts nothing.

Per request: the first one after loading (cold), the median and p95 of `--rounds` requests
after it (warm), and one right after a write, which makes a cache gather the facts again.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from registry.domain.records import Hub, Kind, Link, Record, Ref
from registry.services.seeding import read_seeds
from registry.store.factory import open_store
from registry.store.port import Store
from tests.api.conftest import Api, Server, serve

REQUESTS = {
    "partnerCities(lyon)": '{ partnerCities(territory: "lyon", first: 10) { score territory { slug } reasons { label } } }',
    "candidateExperiments(la-rochelle mobility)": """{ candidateExperiments(
        priority: "la-rochelle-sustainable-mobility", first: 10) { score useCase { slug } reasons { label } } }""",
}
CHUNK = 5000


def scaled(copies: int) -> tuple[list[Record], list[Link]]:
    """The seeded registry and copies-1 renamed copies of it (synthetic), sharing the domains."""
    records, links, _ = read_seeds()

    def renamed(ref: Ref, n: int) -> Ref:
        return ref if n == 0 or ref.kind is Kind.DOMAIN else Ref(ref.kind, f"{ref.slug}-copy{n}")

    all_records = [
        replace(r, slug=renamed(r.ref, n).slug)
        for n in range(copies)
        for r in records
        if n == 0 or r.kind != Kind.DOMAIN
    ]
    all_links = [
        Link(renamed(link.source, n), link.rel, renamed(link.target, n), link.role)
        for n in range(copies)
        for link in links
    ]
    return all_records, all_links


def fill(store: Store, copies: int) -> str:
    """Load the scaled registry in chunks; say its size."""
    records, links = scaled(copies)
    for start in range(0, len(records), CHUNK):
        store.load(records[start : start + CHUNK], [], [])
    for start in range(0, len(links), CHUNK):
        store.load([], links[start : start + CHUNK], [])
    territories = sum(1 for r in records if r.kind is Kind.TERRITORY)
    use_cases = sum(1 for r in records if r.kind is Kind.USE_CASE)
    return f"{len(records)} records ({territories} territories, {use_cases} use cases), {len(links)} links"


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _timed(api: Api, query: str) -> float:
    started = time.perf_counter()
    body = api.client.post("/graphql", json={"query": query}).json()
    assert "errors" not in body, body
    return time.perf_counter() - started


def measure(server: Server, store: Store, label: str, rounds: int) -> None:
    for api in serve(server, store):
        for name, query in REQUESTS.items():
            cold = _timed(api, query)
            warm = sorted(_timed(api, query) for _ in range(rounds))
            p95 = warm[min(len(warm) - 1, round(0.95 * len(warm)) - 1)]
            store.put_hub(Hub(f"bench-{uuid.uuid4().hex[:8]}", "Benchmark hub (synthetic)", datetime.now(UTC)))
            after_write = _timed(api, query)
            print(
                f"  {label:>6} {name:42} cold {_ms(cold):8.1f}  median {_ms(statistics.median(warm)):8.1f}"
                f"  p95 {_ms(p95):8.1f}  after a write {_ms(after_write):8.1f}  (ms)",
                flush=True,
            )


@contextmanager
def sqlite_stores() -> Iterator[Callable[[], Store]]:
    with tempfile.TemporaryDirectory() as folder:
        made = iter(range(1000))
        yield lambda: open_store(f"sqlite:///{Path(folder) / f'bench-{next(made)}.db'}")


@contextmanager
def neo4j_stores() -> Iterator[Callable[[], Store]]:
    from graph.local_neo4j import LocalNeo4j, free_port

    with tempfile.TemporaryDirectory() as folder:
        server = LocalNeo4j(free_port(), Path(folder))
        uri = server.start()
        try:

            def fresh() -> Store:
                store = open_store(uri)
                store.clear()  # our own server: empty it between scales
                return store

            yield fresh
        finally:
            server.stop()


@contextmanager
def postgres_stores(admin_url: str) -> Iterator[Callable[[], Store]]:
    import psycopg

    name = f"bench_recommenders_{uuid.uuid4().hex[:8]}"
    conninfo = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = conninfo.rsplit("/", 1)[0] + "/" + name

        def fresh() -> Store:
            store = open_store(url)
            store.clear()  # the database we created: empty it between scales
            return store

        yield fresh
    finally:
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--stores", default="sqlite")
    parser.add_argument("--postgres-admin", default="", help="postgresql://user:pw@host:port/db of a CREATEDB role")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    print("Synthetic registries: renamed copies of the seeded one (see the module's docstring).")
    with Server() as server:
        for kind in args.stores.split(","):
            stores: Callable[[], AbstractContextManager[Callable[[], Store]]] = {
                "sqlite": sqlite_stores,
                "neo4j": neo4j_stores,
                "postgres": lambda: postgres_stores(args.postgres_admin),
            }[kind]
            with stores() as fresh:
                for scale in scales:
                    store = fresh()
                    started = time.perf_counter()
                    size = fill(store, scale)
                    print(f"{kind} x{scale}: {size}, loaded in {time.perf_counter() - started:.1f} s", flush=True)
                    measure(server, store, f"x{scale}", args.rounds)
                    store.close()


if __name__ == "__main__":
    main()
