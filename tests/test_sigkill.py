"""kill -9 in the middle of a stream of writes loses no acknowledged write and half-writes none
(issue 6, item 8), on SQLite and on Neo4j.

Writers stream mutations at a real `registry serve` process, which is killed with SIGKILL
at a random moment, again and again (and on Neo4j, the database's own JVM a few times too),
then restarted on the same data.  Afterwards every write a client was told succeeded is
there, each record's version came with its change, its links and its audit entry, and the
registry serves again.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.domain.records import Kind, Ref, Rel, Role
from registry.services.access import create_key
from registry.store.port import Store
from registry.store.sql.store import SqlStore
from tests.server_process import ServerProcess, free_port
from tests.write_load import CREATE, UPDATE, territory_id, territory_input

SERVER_KILLS = 10
NEO4J_KILLS = 2  # each restart of the JVM recovers from its log: slow on a small machine
STREAMS = 4  # concurrent writers in each stream
ACKS_BEFORE_KILL = 3  # each stream is killed after this many acknowledged writes…
ACK_WAIT_SECONDS = 60.0  # (waited for at most this long)
STREAM_SECONDS = (0.0, 1.0)  # …and a random moment in this window
CREATE_ACTOR = (
    "mutation ($input: ActorInput!) { createActor(input: $input) { actor { version } errors { code field message } } }"
)


@dataclass(frozen=True)
class Ack:
    """A write a client was told succeeded: the record and the version it then had."""

    ref: Ref
    version: int


def _stream(url: str, token: str, tag: str, stop: threading.Event, acks: list[Ack], lock: threading.Lock) -> None:
    """Create a territory, an actor present in it, then update the territory; until anything fails."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, timeout=30, headers=headers) as client:

        def send(query: str, variables: dict[str, Any]) -> dict[str, Any] | None:
            try:
                response = client.post("/graphql", json={"query": query, "variables": variables})
            except httpx.TransportError:
                return None  # the server died: this write is not acknowledged
            body = response.json() if response.status_code == 200 else {}
            payload = next(iter((body.get("data") or {}).values()), None)
            return payload if payload and not payload["errors"] else None

        n = 0
        while not stop.is_set():
            slug = f"{tag}-{n}"
            n += 1
            if send(CREATE, {"input": territory_input(slug, f"{slug} v1"), "key": None}) is None:
                return
            with lock:
                acks.append(Ack(Ref(Kind.TERRITORY, slug), 1))
            actor = {"slug": slug, "name": {"en": slug}, "kind": "COMPANY", "presentIn": [{"territory": slug}]}
            if send(CREATE_ACTOR, {"input": actor}) is None:
                return
            with lock:
                acks.append(Ack(Ref(Kind.ACTOR, slug), 1))
            variables = {"id": territory_id(slug), "version": 1, "input": territory_input(slug, f"{slug} v2")}
            if send(UPDATE, {**variables, "key": None}) is None:
                return
            with lock:
                acks.append(Ack(Ref(Kind.TERRITORY, slug), 2))


def _stream_then(kill: Callable[[], None], url: str, token: str, cycle: int, rng: random.Random) -> list[Ack]:
    """Stream writes from STREAMS writers; at a random moment `kill`; the acknowledged writes."""
    stop, lock, acks = threading.Event(), threading.Lock(), list[Ack]()
    writers = [
        threading.Thread(target=_stream, args=(url, token, f"c{cycle}-w{w}", stop, acks, lock)) for w in range(STREAMS)
    ]
    for writer in writers:
        writer.start()
    # Kill once some writes were acknowledged (a cold server is slow to answer its first ones),
    # at a random moment after, while others are in flight.
    deadline = time.monotonic() + ACK_WAIT_SECONDS
    while len(acks) < ACKS_BEFORE_KILL and time.monotonic() < deadline and any(w.is_alive() for w in writers):
        time.sleep(0.05)
    time.sleep(rng.uniform(*STREAM_SECONDS))
    kill()
    stop.set()
    for writer in writers:
        writer.join(timeout=120)
        assert not writer.is_alive(), "a writer hung after the kill"
    return acks


def _half_written(store: Store, acks: list[Ack]) -> tuple[list[str], int]:
    """What breaks the promises: an acknowledged write missing, a version without its change or
    audit entry, an actor without its link, an audit number out of line.  And how many records."""
    problems = []
    records = {r.ref: r for r in store.iter_records()}
    for ack in acks:
        found = records.get(ack.ref)
        if found is None or found.version < ack.version:
            problems.append(f"acknowledged {ack} is lost (found {found and found.version})")
    entries, total = store.audit_page(0, 100_000)
    if [e.seq for e in entries] != list(range(1, total + 1)):
        problems.append("audit numbers are not 1..n")
    versions: dict[str, list[int]] = {}
    for entry in entries:
        if entry.version_after is not None:
            versions.setdefault(entry.ref, []).append(entry.version_after)
    for ref, record in records.items():
        if versions.get(str(ref)) != list(range(1, record.version + 1)):
            problems.append(f"{ref} at version {record.version} has audit versions {versions.get(str(ref))}")
        if ref.kind is Kind.TERRITORY and record.data["name"]["en"] != f"{ref.slug} v{record.version}":
            problems.append(f"{ref} at version {record.version} holds {record.data['name']}")
        if ref.kind is Kind.ACTOR:
            targets = [link.target for link in store.links_from([ref], Rel.PRESENT_IN)]
            if targets != [Ref(Kind.TERRITORY, ref.slug)]:
                problems.append(f"{ref} lost its link: {targets}")
    for audited in versions:
        if Ref.parse(audited) not in records:
            problems.append(f"audit entries for {audited}, which is not there")
    return problems, len(records)


def _serves_again(server: ServerProcess, token: str) -> None:
    """After all the kills, a restarted server reads and writes."""
    with httpx.Client(base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {token}"}) as client:
        created = client.post(
            "/graphql", json={"query": CREATE, "variables": {"input": territory_input("after", "after v1")}}
        ).json()
        assert created["data"]["createTerritory"]["errors"] == [], created
        read = client.post("/graphql", json={"query": '{ territory(slug: "after") { version } }'}).json()
        assert read["data"] == {"territory": {"version": 1}}


def _kill_and_check(url: str, store: Store, tmp_path: Path, database: Any = None) -> None:
    """SERVER_KILLS kills of the server, then NEO4J_KILLS of `database` (a LocalNeo4j) if given."""
    token = create_key(store, Role.COORDINATOR)[1]
    rng = random.Random(6)  # the same moments on every run
    server = ServerProcess(url, tmp_path / "serve.log")
    acks: list[Ack] = []
    kills = 0
    try:
        server.start()
        for cycle in range(SERVER_KILLS):
            acks += _stream_then(server.kill, server.url, token, cycle, rng)
            kills += 1
            server.start()
        for cycle in range(SERVER_KILLS, SERVER_KILLS + (NEO4J_KILLS if database is not None else 0)):
            # the database dies under a live server, which must serve again once it is back
            acks += _stream_then(database.kill, server.url, token, cycle, rng)
            kills += 1
            database.start()  # recovery from its transaction log, on the same data folder and port
            server.wait_healthy()
        _serves_again(server, token)
    finally:
        server.stop()
    problems, records = _half_written(store, acks)
    print(f"\n{kills} kills survived, {len(acks)} acknowledged writes checked, {records} records")
    assert problems == []
    assert len(acks) >= ACKS_BEFORE_KILL * kills  # the streams did write between the kills


def test_sigkill_of_the_server_on_sqlite_loses_and_half_writes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    store = SqlStore(url)
    try:
        _kill_and_check(url, store, tmp_path)
    finally:
        store.close()


@pytest.fixture
def own_neo4j(tmp_path: Path) -> Iterator[Any]:
    """A Neo4j of this test's own, since the test kills it (not the session's shared one)."""
    import shutil

    if shutil.which("java") is None or shutil.which("mvn") is None:
        from tests.conftest import _missing

        _missing("Neo4j tests need java and mvn on PATH")
    from graph.local_neo4j import LocalNeo4j

    server = LocalNeo4j(free_port(), tmp_path / "neo4j")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.neo4j
def test_sigkill_of_the_server_and_of_neo4j_loses_and_half_writes_nothing(own_neo4j: Any, tmp_path: Path) -> None:
    from graph.store import Neo4jStore

    store = Neo4jStore(own_neo4j.uri)
    try:
        _kill_and_check(own_neo4j.uri, store, tmp_path, own_neo4j)
    finally:
        store.close()
