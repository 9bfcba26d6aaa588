"""Two `registry serve` processes on one store hold writes as one does (issue 6, item 3).

The 32 writers alternate between the two processes, so the store's writers' lock, not a
lock inside one process, is what makes them take turns.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from registry.domain.records import Role
from registry.services.access import create_key
from registry.store.port import EVERYTHING, Store
from tests.contract.builders import territory
from tests.server_process import ServerProcess, store_url
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


def test_two_server_processes_on_one_store_hold_concurrent_writes(
    store_kind: str, store: Store, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    # given two server processes on one store and a coordinator's key
    url = store_url(store_kind, store, request)
    token = create_key(store, Role.COORDINATOR)[1]
    with ServerProcess(url, tmp_path / "one.log") as one, ServerProcess(url, tmp_path / "two.log") as two:

        async def go() -> tuple[Load, list[list[tuple[str, ...]]], set[bytes], set[bytes]]:
            limits = httpx.Limits(max_connections=WRITERS)
            async with (
                httpx.AsyncClient(base_url=one.url, timeout=HANG_GUARD_SECONDS, limits=limits) as a,
                httpx.AsyncClient(base_url=two.url, timeout=HANG_GUARD_SECONDS, limits=limits) as b,
            ):
                load = Load([a, b], token)
                # when 32 writers split over both create and update their own records,
                answers = await uncontended(load, "city", per_writer=2)
                assert [x.body for x in answers if not x.ok] == []
                # race on one record's versions,
                rounds = await contended(load, "contended", rounds=2)
                # and replay one idempotency key
                creates, updates = await replayed(load, "replayed", "two-servers")
                codes = [[tuple(x.codes) for x in r] for r in rounds]
                return load, codes, {x.raw for x in creates}, {x.raw for x in updates}

        load, rounds, creates, updates = asyncio.run(go())
    print(f"\ntwo processes on {store_kind}: {summary(load)}")
    # then nothing a client cannot act on came back,
    assert load.unexpected() == []
    # one writer won each contended version,
    for codes in rounds:
        assert sorted(codes) == [()] + [("CONFLICT",)] * (WRITERS - 1)
    # every replay got the first answer, byte for byte,
    assert len(creates) == 1 and len(updates) == 1
    # and the store holds each write once, numbered in commit order
    assert store.get([territory("replayed").ref], EVERYTHING)[territory("replayed").ref].version == 2
    total, problems = audit_holds(store)
    assert problems == []
    assert total == WRITERS * 2 * 2 + (1 + len(rounds)) + 2
    assert load.slowest() < HANG_GUARD_SECONDS
