"""The per-process audit feed on a real SQLite store: one poller, fanned out, stopped when unused."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from registry.domain.records import AuditEntry
from registry.services.audit_feed import MAX_PENDING, AuditFeed, Lagged, Subscriber
from registry.store.port import AuditDraft, Put, WriteBatch
from registry.store.sql.store import SqlStore
from tests.contract.builders import AT, territory


def _create(store: SqlStore, slug: str) -> AuditEntry:
    [entry] = store.write(
        WriteBatch(
            puts=[Put(territory(slug), None)],
            audit=[AuditDraft("admin:a", "create", f"Territory:{slug}", None, 1)],
            at=AT,
        )
    )
    return entry


def test_every_subscriber_gets_each_later_write_once_and_the_poller_stops_when_all_leave(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'registry.db'}")
    before = _create(store, "before")

    async def scenario() -> tuple[list[AuditEntry], list[AuditEntry], bool, bool]:
        feed = AuditFeed(store, poll_seconds=0.02)
        async with feed.subscribe() as first, feed.subscribe() as second:
            running = feed._task is not None
            assert first.start == second.start == before.seq  # they start after what was there
            written = [await asyncio.to_thread(_create, store, slug) for slug in ("a", "b", "c")]
            got_first = [await asyncio.wait_for(first.next(), 10) for _ in written]
            got_second = [await asyncio.wait_for(second.next(), 10) for _ in written]
            assert got_first == got_second == written
        return got_first, written, running, feed._task is None

    got, written, running, stopped = asyncio.run(scenario())
    store.close()
    assert got == written and running and stopped


def test_a_subscriber_too_far_behind_is_told_to_resume() -> None:
    async def scenario() -> None:
        subscriber = Subscriber(0)
        at = datetime(2026, 1, 1, tzinfo=UTC)
        entries = [
            AuditEntry(n, at, "admin:a", "create", f"Territory:t{n}", None, 1) for n in range(1, MAX_PENDING + 2)
        ]
        subscriber.offer(entries[:MAX_PENDING])
        assert await subscriber.next() == entries[0]  # within the limit: delivered
        subscriber.offer(entries[MAX_PENDING - 1 :] * 2)  # now over it
        with pytest.raises(Lagged) as caught:
            await asyncio.wait_for(subscriber.next(), 5)
        assert caught.value.field == "after"

    asyncio.run(scenario())
