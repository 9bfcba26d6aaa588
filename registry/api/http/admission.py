"""Cost-aware admission: cheap requests never queue behind dear ones.

One process runs its requests on one interpreter lock, so 32 requests in flight share it and
each one's latency tends to the mix's: a territory page (3 ms of CPU) waits behind the
recommenders and searches (20–30 ms each) that started with it.  The cost analysis
(api/execution/cost.py) says before anything runs whether a request is dear (a recommender,
`path`, `search`, `facets`, or a cost over a threshold).  At most `slots` dear requests run at
once per process; cheap ones go straight through.

- A dear request beyond the slots waits in FIFO order: a slot freed passes to the oldest waiter,
  so none starves, and the request's time budget (api/http/limited.py) still runs while it waits.
- The line is bounded (`queue`): one more is refused at once with 503 OVERLOADED and Retry-After,
  so no client can grow it.
- The wait is measured (`registry_admission_wait_seconds`) and refusals counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque

from registry.domain.errors import ErrorCode, RegistryError
from registry.observability import metrics

RETRY_AFTER = 1  # seconds: a dear request takes tens of milliseconds, so the line moves quickly


class Overloaded(RegistryError):
    def __init__(self, waiting: int) -> None:
        super().__init__(
            ErrorCode.OVERLOADED,
            f"The server is busy: {waiting} costly requests already wait their turn; try again in {RETRY_AFTER} s.",
        )
        self.retry_after = RETRY_AFTER


class Admission:
    """Turns for dear requests in one process (one event loop): `slots` at once, `queue` waiting."""

    def __init__(self, slots: int, queue: int) -> None:
        self.slots = slots  # 0: no limit
        self.queue = queue
        self.running = 0
        self._waiting: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def acquire(self) -> None:
        """Wait for a turn (FIFO); raise Overloaded when the line is full. Pair with `release`."""
        if self.slots <= 0:
            return
        if self.running < self.slots and not self._waiting:
            self.running += 1
            return
        if len(self._waiting) >= self.queue:
            metrics.ADMISSION_REFUSED.inc()
            raise Overloaded(len(self._waiting))
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        started = time.perf_counter()
        try:
            await turn  # `release` hands its slot over: `running` stays the same
        except BaseException:  # the time budget or the client cut the wait
            if turn.done() and not turn.cancelled():
                self.release()  # the slot was handed over just as the wait ended: pass it on
            else:
                with contextlib.suppress(ValueError):
                    self._waiting.remove(turn)
            raise
        finally:
            metrics.ADMISSION_WAIT.observe(time.perf_counter() - started)

    def release(self) -> None:
        """End a turn: the oldest waiter takes the slot, else it is free."""
        if self.slots <= 0:
            return
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self.running -= 1
