"""Writes hold under 32 concurrent writers on every store (issue 6, item 3).

The writers are concurrent HTTP requests through the ASGI app, whose resolvers run the
store's blocking calls in a thread pool: the store sees 32 writers at once.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import httpx
import pytest

from registry.app import create_app
from registry.domain.records import Role
from registry.services.access import create_key
from registry.settings import Settings
from registry.store.port import EVERYTHING, AuditDraft, Put, Replayed, Store, WriteBatch
from tests.contract.builders import AT, territory
from tests.write_load import (
    HANG_GUARD_SECONDS,
    WRITERS,
    Load,
    audit_holds,
    contended,
    replayed,
    summary,
    uncontended,
)


async def _load(store: Store) -> AsyncIterator[Load]:
    app = create_app(Settings(store_url="unused://"), store=store)
    app.state.store = store  # what the lifespan would do, which ASGITransport does not run
    app.state.settings = Settings(store_url="unused://", response_cache=False)
    token = create_key(store, Role.COORDINATOR)[1]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry", timeout=HANG_GUARD_SECONDS) as c:
        yield Load([c], token)


def test_32_uncontended_writers_all_succeed_and_are_numbered_in_commit_order(store: Store) -> None:
    async def go() -> Load:
        async for load in _load(store):
            answers = await uncontended(load, "city", per_writer=3)
            # then not one create or current-version update is refused
            assert [a.body for a in answers if not a.ok] == []
            return load
        raise AssertionError("unreachable")

    load = asyncio.run(go())
    print(f"\n{store.__class__.__name__} uncontended: {summary(load)}")
    assert load.unexpected() == []
    total, problems = audit_holds(store)
    assert problems == []
    assert total == WRITERS * 3 * 2  # a create and an update each
    assert load.slowest() < HANG_GUARD_SECONDS


def test_of_32_writers_updating_one_version_exactly_one_wins(store: Store) -> None:
    async def go() -> tuple[Load, list[list[object]]]:
        async for load in _load(store):
            rounds = await contended(load, "contended", rounds=3)
            return load, [[a.codes for a in answers] for answers in rounds]
        raise AssertionError("unreachable")

    load, rounds = asyncio.run(go())
    print(f"\n{store.__class__.__name__} contended: {summary(load)}")
    for codes in rounds:
        # then one writer wins each version and every other one is told it is stale
        assert sorted(map(tuple, codes)) == [()] + [("CONFLICT",)] * (WRITERS - 1)  # type: ignore[arg-type]
    assert load.unexpected() == []
    record = store.get([territory("contended").ref], EVERYTHING)[territory("contended").ref]
    assert record.version == 1 + len(rounds)
    total, problems = audit_holds(store)
    assert problems == [] and total == 1 + len(rounds)


def test_32_concurrent_replays_of_one_key_write_once_and_all_get_the_first_answer(store: Store) -> None:
    async def go() -> tuple[Load, list[bytes], list[bytes]]:
        async for load in _load(store):
            creates, updates = await replayed(load, "replayed", "replay-1")
            return load, [a.raw for a in creates], [a.raw for a in updates]
        raise AssertionError("unreachable")

    load, creates, updates = asyncio.run(go())
    print(f"\n{store.__class__.__name__} replays: {summary(load)}")
    # then every caller gets the first answer, byte for byte, and it is a success
    assert len(set(creates)) == 1 and len(set(updates)) == 1
    assert all(a.ok for a in load.answers), load.answers[0].body
    assert b'"version":1' in creates[0] and b'"version":2' in updates[0]
    # and exactly one create and one update were written
    assert store.get([territory("replayed").ref], EVERYTHING)[territory("replayed").ref].version == 2
    entries, _ = store.audit_page(0, 100)
    writes = [(e.action, e.version_after) for e in entries if e.version_after is not None]  # not the key's
    assert writes == [("create", 1), ("update", 2)]


def test_audit_numbers_follow_commit_order_under_concurrent_writers(store: Store) -> None:
    """The invariant readers of the trail rely on (subscriptions read it by increasing number):
    once a reader has seen number n, no entry numbered below n commits later."""
    # given a reader polling the trail while 16 writers commit
    seen_gaps: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        highest_seen = 0
        while not stop.is_set():
            entries, _ = store.audit_page(0, 10_000)
            numbers = [e.seq for e in entries]
            if numbers != list(range(1, len(numbers) + 1)):
                seen_gaps.append(f"a reader saw {numbers}")
            highest = numbers[-1] if numbers else 0
            if highest < highest_seen:
                seen_gaps.append(f"the trail went back from {highest_seen} to {highest}")
            highest_seen = highest

    def write(n: int) -> None:
        slug = f"city-{n:02d}"
        store.write(
            WriteBatch(
                puts=[Put(territory(slug), None)],
                audit=[AuditDraft("admin:test", "create", f"Territory:{slug}", None, 1)],
                at=AT,
            )
        )

    watcher = threading.Thread(target=reader)
    watcher.start()
    try:
        threads = [threading.Thread(target=write, args=(n,)) for n in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        stop.set()
        watcher.join()
    # then every reading was a prefix 1..k of the final trail: no number appeared after a higher one
    assert seen_gaps == []
    assert audit_holds(store) == (16, [])


def test_a_write_with_a_used_idempotency_key_writes_nothing_and_gives_the_first_result(store: Store) -> None:
    def batch(slug: str, result: str) -> WriteBatch:
        audit = [AuditDraft("admin:test", "create", f"Territory:{slug}", None, 1)]
        return WriteBatch(puts=[Put(territory(slug), None)], audit=audit, idempotency=("admin|k-1", result), at=AT)

    # given a write kept under an idempotency key
    store.write(batch("lyon", "first"))
    before = store.generation()
    # when another write comes with the same key
    with pytest.raises(Replayed) as replay:
        store.write(batch("paris", "second"))
    # then it is told the first result, and nothing of it is written
    assert replay.value.result == "first"
    assert store.get([territory("paris").ref], EVERYTHING) == {}
    assert store.audit_page(0, 10)[1] == 1
    assert store.generation() == before
