"""A Neo4j load too large for one transaction is invisible until whole, and leaves nothing
behind when it fails or is killed (issue 6, item 6).

The threshold is forced low so that a small network takes the staged path.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import graph.store
from graph.store import Neo4jStore
from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import AuditEntry, Hub, Kind, Link, Record, Ref, Rel
from registry.services.transfer import export
from registry.store.factory import open_store
from registry.store.port import EVERYTHING, AuditDraft, Put, RecordQuery, Store, WriteBatch
from registry.synthetic.network import generate
from tests.conftest import MakeStore
from tests.contract.builders import AT, create, link, territory, use_case

pytestmark = pytest.mark.neo4j


def _network(scale: int) -> tuple[list[Record], list[Link]]:
    records: list[Record] = []
    links: list[Link] = []
    for chunk in generate(scale, 3):
        records += chunk.records
        links += chunk.links
    return records, links


def _exported(store: Store) -> str:
    out = io.StringIO()
    export(store, out)
    return out.getvalue()


def _what_a_reader_sees(store: Store) -> tuple[object, ...]:
    """Every kind of read a client can make, through another connection."""
    page = store.query(RecordQuery(kinds=(Kind.TERRITORY,), visibility=EVERYTHING, limit=1000))
    return (
        sorted(r.ref for r in store.iter_records()),
        list(store.iter_links()),
        store.hubs(),
        store.api_keys(),
        store.audit_head(),
        sorted(r.ref for r in page.records),
        page.total,
        store.is_empty(),
    )


def _existing(store: Store) -> None:
    """A small registry already in the store: two records, a link, a hub and an audit entry."""
    lyon, case = territory("zz-lyon"), use_case("zz-energie")
    store.write(
        WriteBatch(
            puts=[Put(lyon, None), Put(case, None)],
            add_links=[link(case, Rel.IN_TERRITORY, lyon)],
            audit=[AuditDraft("test", "create", "Territory:zz-lyon", None, 1, {})],
            at=AT,
            new_hubs=[Hub("zz-hub", "ZZ", AT)],
        )
    )


@pytest.fixture
def staged(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every load above 10 rows is staged, in batches of 50.
    monkeypatch.setattr(graph.store, "_ONE_TRANSACTION_ROWS", 10)
    monkeypatch.setattr(graph.store, "_LOAD_BATCH", 50)


def _look_after_each_transaction(monkeypatch: pytest.MonkeyPatch, look: Callable[[], None]) -> None:
    """Call `look` after every transaction the store commits (each staged batch, the publishing)."""
    original = Neo4jStore._write_transaction

    def write_then_look(self: Neo4jStore, work: Callable[[Any], object]) -> object:
        done = original(self, work)
        look()
        return done

    monkeypatch.setattr(Neo4jStore, "_write_transaction", write_then_look)


@pytest.mark.parametrize("fault", ["a link to a missing record", "a record that is already stored"])
def test_a_staged_load_that_fails_leaves_the_store_as_it_was_and_was_never_seen(
    make_store: MakeStore, neo4j_uri: str, staged: None, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    # given a store with a registry, and a reader on another connection
    store = make_store("neo4j")
    _existing(store)
    before, generation = _exported(store), store.generation()
    reader = Neo4jStore(neo4j_uri)
    seen_before = _what_a_reader_sees(reader)
    records, links = _network(1)
    if fault == "a link to a missing record":  # found only when publishing, after every batch
        links = [*links, Link(records[-1].ref, Rel.IN_DOMAIN, Ref(Kind.DOMAIN, "no-such-domain"))]
    else:
        records = [*records, territory("zz-lyon")]
    looks: list[int] = []

    def look() -> None:  # in the middle of the load, a reader sees nothing of it
        looks.append(store.staged_rows())  # type: ignore[attr-defined]
        assert _what_a_reader_sees(reader) == seen_before

    _look_after_each_transaction(monkeypatch, look)
    # when the network is loaded
    with pytest.raises(RegistryError) as failed:
        store.load(records, links, [])
    # then the failure is typed, the load was staged in many batches, and none of it stays
    expected = ErrorCode.NOT_FOUND if fault == "a link to a missing record" else ErrorCode.DUPLICATE
    assert failed.value.code is expected
    assert len(looks) > 10 and max(looks) >= len(records)
    assert _exported(store) == before and store.generation() == generation
    assert store.staged_rows() == 0  # type: ignore[attr-defined]
    reader.close()


def test_a_staged_load_is_seen_whole_or_not_at_all(
    make_store: MakeStore, neo4j_uri: str, staged: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a store with a registry, and a reader on another connection
    store = make_store("neo4j")
    _existing(store)
    reader = Neo4jStore(neo4j_uri)
    seen_before = _what_a_reader_sees(reader)
    records, links = _network(1)
    # a link from a stored record to a loaded one is made when publishing
    outer = Link(Ref(Kind.USE_CASE, "zz-energie"), Rel.IN_DOMAIN, next(r.ref for r in records if r.kind is Kind.DOMAIN))
    seen: list[tuple[object, ...]] = []
    _look_after_each_transaction(monkeypatch, lambda: seen.append(_what_a_reader_sees(reader)))
    # when it is loaded
    store.load(records, [*links, outer], [])
    # then every look before the last transaction saw the store as it was, and the last one all of it
    assert len(seen) > 10
    assert all(look == seen_before for look in seen[:-1])
    assert len(seen[-1][0]) == len(records) + 2  # type: ignore[arg-type]
    assert len(reader.links_from([outer.source], Rel.IN_DOMAIN)) == 1
    assert store.staged_rows() == 0  # type: ignore[attr-defined]
    reader.close()


_KILLABLE_IMPORT = """
import sys
import graph.store
from registry.cli.commands import main
graph.store._ONE_TRANSACTION_ROWS = 10  # staged, in batches of one row: slow enough to be killed
graph.store._LOAD_BATCH = 1
sys.exit(main(["import", "--store", sys.argv[1], sys.argv[2]]))
"""


_IMPORT = "import sys; from registry.cli.commands import main; sys.exit(main(sys.argv[1:]))"


def test_a_killed_import_leaves_nothing_visible_and_the_next_import_cleans_up(
    make_store: MakeStore, neo4j_uri: str, tmp_path: Path
) -> None:
    # given an export of a network, and an empty Neo4j store
    source = open_store(f"sqlite:///{tmp_path / 'source.db'}")
    records, links = _network(1)
    source.load(records, links, [])
    exported = tmp_path / "export.jsonl"
    exported.write_text(_exported(source), encoding="utf-8")
    source.close()
    store = make_store("neo4j")
    assert isinstance(store, Neo4jStore)
    # when an import is killed (SIGKILL) once its rows are being staged
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLABLE_IMPORT, neo4j_uri, str(exported)], env=env, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while store.staged_rows() < 20 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL
    assert child.stderr is not None
    child.stderr.close()
    # then nothing of it is visible, though rows are left staged
    left = store.staged_rows()
    assert left >= 20
    assert store.is_empty() and list(store.iter_records()) == [] and list(store.iter_links()) == []
    # and a new import says it removes them, then imports the whole file
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT, "import", "--store", neo4j_uri, str(exported)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "did not finish" in done.stderr
    assert store.staged_rows() == 0
    assert len(list(store.iter_records())) == len(records)
    assert len(list(store.iter_links())) == len({(lk.source, lk.rel, lk.target) for lk in links})


def test_a_neo4j_killed_in_the_middle_of_a_staged_import_serves_nothing_of_it_after_restart(tmp_path: Path) -> None:
    from graph.local_neo4j import LocalNeo4j, free_port

    # given an export of a network, and an empty store on a Neo4j of its own (to kill)
    source = open_store(f"sqlite:///{tmp_path / 'source.db'}")
    records, links = _network(1)
    source.load(records, links, [])
    exported = tmp_path / "export.jsonl"
    exported.write_text(_exported(source), encoding="utf-8")
    source.close()
    neo4j = LocalNeo4j(free_port(), tmp_path / "data")
    uri = neo4j.start()
    try:
        store = Neo4jStore(uri, retry_seconds=1.0)
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        child = subprocess.Popen(
            [sys.executable, "-c", _KILLABLE_IMPORT, uri, str(exported)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # when Neo4j is killed (SIGKILL) while the import stages its rows, then started again
        deadline = time.monotonic() + 120
        while store.staged_rows() < 20 and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        neo4j.kill()
        assert child.wait(timeout=120) != 0  # the import failed: it did not report success
        store.close()
        neo4j.start()
        store = Neo4jStore(uri, retry_seconds=1.0)
        # then nothing of it is served, and the next import removes what was staged and loads whole
        assert store.is_empty() and list(store.iter_links()) == [] and store.staged_rows() >= 20
        done = subprocess.run(
            [sys.executable, "-c", _IMPORT, "import", "--store", uri, str(exported)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "did not finish" in done.stderr
        assert store.staged_rows() == 0 and len(list(store.iter_records())) == len(records)
        store.close()
    finally:
        neo4j.stop()


def test_a_staged_load_keeps_the_audit_number_so_the_next_write_is_told_by_the_trail(
    make_store: MakeStore, staged: None
) -> None:
    # given a registry loaded in staged batches with its audit trail
    store = make_store("neo4j")
    records, links = _network(1)
    trail = [AuditEntry(n, AT, "admin:import", "create", str(r.ref), None, 1) for n, r in enumerate(records[:30], 1)]
    store.load(records, links, trail)
    mark = store.change_mark()
    # when a record is written next
    create(store, [territory("zz-lyon")])
    # then the mark knew the last entry loaded, and the trail tells the write alone
    assert mark.audit == 30
    since = store.changes_since(mark, 100)
    assert since.entries is not None and [e.ref for e in since.entries] == ["Territory:zz-lyon"]
