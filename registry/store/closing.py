"""Closing a store while some of its calls are still running.

A request past its time budget is answered at once, but its store call goes on in its worker
thread until the statement's own timeout (the same budget) ends it.  Closing the driver or the
connection pool under such a call leaves a Neo4j session or a database connection that is never
handed back; it is only noticed when the garbage collector finds it, with a warning, somewhere
else.  So a store's `close` first waits, for a bounded time, until no call is in flight.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType

# Longer than a statement outlives its request's budget (its timeout is what the budget had left),
# short enough that a server asked to stop is not held up by a call that never ends.
CLOSE_GRACE_SECONDS = 10.0


class InFlight:
    """Counts the calls in flight (`with in_flight:` around each); `wait_idle` waits until none is."""

    def __init__(self) -> None:
        self._count = 0
        self._changed = threading.Condition()

    def __enter__(self) -> None:
        with self._changed:
            self._count += 1

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        with self._changed:
            self._count -= 1
            if self._count == 0:
                self._changed.notify_all()

    def wait_idle(self, seconds: float = CLOSE_GRACE_SECONDS) -> bool:
        """True once no call is in flight; False if some still were after `seconds`."""
        with self._changed:
            return self._changed.wait_for(lambda: self._count == 0, timeout=seconds)


def wait_until(idle: Callable[[], bool], seconds: float = CLOSE_GRACE_SECONDS) -> bool:
    """Poll `idle` (for counts kept by a library, e.g. a connection pool's) until it holds or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while not idle():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)
    return True
