"""The audit trail as a live feed: one poller per server process, fanned out to its subscribers.

Live events come from the store, not from this process's memory, so a subscriber sees the
writes of every server sharing the database.  The poller reads at a steady tick, and at once when
a write through this process, or through another one sharing a Redis, nudges it (`Nudge`).  The poller reads the store's change counter
(one cheap round trip) and only when it moved reads the new audit entries, by increasing
number.  Every write transaction bumps the counter first, which serialises writers, and the
audit numbers are taken after it, so entries are committed in number order: reading forward
from the last number seen misses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from starlette.concurrency import run_in_threadpool

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import AuditEntry
from registry.observability import live_metrics
from registry.store.port import Store

log = logging.getLogger("registry.live")

POLL_SECONDS = 0.25  # how stale a live event may be; one `generation()` read per tick and process
PAGE = 200  # audit entries read per round trip
MAX_PENDING = 2_000  # a subscriber this far behind is dropped; it resumes with `after`


class Lagged(RegistryError):
    def __init__(self) -> None:
        super().__init__(
            ErrorCode.CONFLICT,
            "This subscriber fell too far behind; subscribe again with `after` set to the last event id received.",
            "after",
        )


class Subscriber:
    """One subscription's queue of entries numbered above `start`."""

    def __init__(self, start: int) -> None:
        self.start = start
        self._pending: deque[AuditEntry] = deque()
        self._wake = asyncio.Event()
        self._lagged = False

    def offer(self, entries: list[AuditEntry]) -> None:
        if len(self._pending) + len(entries) > MAX_PENDING:
            self._lagged = True
            self._pending.clear()
        else:
            self._pending.extend(entries)
        self._wake.set()

    async def next(self) -> AuditEntry:
        while not self._pending:
            if self._lagged:
                raise Lagged()
            self._wake.clear()
            await self._wake.wait()
        return self._pending.popleft()


class Nudge:
    """Wakes the poller before its tick: a write committed through this process, or through another
    one that told it (api/http/change_signal.py).  Used from the event loop's thread only."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def nudge(self) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> None:
        """Return when nudged (maybe before this call: no nudge is lost) or after `seconds`."""
        with suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)
        self._event.clear()  # cleared before the poller reads: a write after this nudges it again


class AuditFeed:
    """Polls the store while anyone listens; `position` is the last audit number fanned out."""

    def __init__(self, store: Store, poll_seconds: float = POLL_SECONDS, nudge: Nudge | None = None) -> None:
        self.store = store
        self.poll_seconds = poll_seconds
        self.nudge = nudge or Nudge()
        self.position = 0
        self._subscribers: set[Subscriber] = set()
        self._users = 0  # subscribers, and those waiting for the poller to start
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Subscriber]:
        """A subscriber that receives every entry committed after it joined."""
        self._users += 1
        try:
            if self._task is None:
                self._ready = asyncio.Event()
                self._task = asyncio.create_task(self._run())
            await self._ready.wait()
            subscriber = Subscriber(self.position)  # joined and positioned in one step of the loop
            self._subscribers.add(subscriber)
            try:
                yield subscriber
            finally:
                self._subscribers.discard(subscriber)
        finally:
            self._users -= 1
            if self._users == 0 and self._task is not None:
                self._task.cancel()  # nobody listens: stop polling
                self._task = None

    async def _run(self) -> None:
        seen = await self._start()
        self._ready.set()
        while True:
            await self.nudge.wait(self.poll_seconds)
            try:
                generation = await run_in_threadpool(self.store.generation)
                live_metrics.audit_read("poll")
                if generation != seen:
                    await self._read_new()
                    seen = generation  # read before the entries: a later write moves it again
            except Exception:  # the store is down, or a bug: keep polling, say so once per tick
                log.warning("live feed: reading the audit trail failed", exc_info=True)

    async def _start(self) -> int:
        while True:
            try:
                generation = await run_in_threadpool(self.store.generation)
                self.position = await run_in_threadpool(self.store.audit_head)
                return generation
            except Exception:
                log.warning("live feed: the store does not answer yet", exc_info=True)
                await asyncio.sleep(self.poll_seconds)

    async def _read_new(self) -> None:
        while True:
            entries = await run_in_threadpool(self.store.audit_after, self.position, PAGE)
            live_metrics.audit_read("poller", len(entries))
            if entries:
                self.position = entries[-1].seq
                for subscriber in list(self._subscribers):
                    subscriber.offer(entries)
            if len(entries) < PAGE:
                break
        if not entries:  # the counter moved without new entries: maybe the store was emptied
            head = await run_in_threadpool(self.store.audit_head)
            self.position = min(self.position, head)
