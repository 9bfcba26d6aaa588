"""A time budget per request: one deadline shared by the HTTP layer and the stores.

The HTTP layer sets DEADLINE for the request (`within`); store calls run in worker threads,
which inherit the request's context variables, and give each transaction what is left:
Neo4j as the transaction's timeout, PostgreSQL as `statement_timeout`, SQLite through a
progress handler that interrupts the statement.  So a request over its budget is answered
TIMEOUT and its store work is cancelled, not left running.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from registry.domain.errors import ErrorCode, RegistryError

DEADLINE: ContextVar[float | None] = ContextVar("deadline", default=None)  # time.monotonic() at which to stop


class TimedOut(RegistryError):
    def __init__(self) -> None:
        super().__init__(
            ErrorCode.TIMEOUT, "The request ran out of its time budget; ask for less (smaller pages, fewer fields)."
        )


def remaining() -> float | None:
    """Seconds left for this request (None: no budget); raises TimedOut when none are left."""
    deadline = DEADLINE.get()
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimedOut()
    return left


def expired() -> bool:
    deadline = DEADLINE.get()
    return deadline is not None and time.monotonic() >= deadline


@asynccontextmanager
async def within(seconds: float) -> AsyncIterator[None]:
    """Run the block with a budget of `seconds`: past it, TimedOut (and the stores stop their work)."""
    token = DEADLINE.set(time.monotonic() + seconds)
    try:
        async with asyncio.timeout(seconds):
            yield
    except TimeoutError:
        raise TimedOut() from None
    finally:
        DEADLINE.reset(token)
