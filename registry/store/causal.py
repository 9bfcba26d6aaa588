"""Reading one's own writes through another server process: the store's bookmarks, per request.

On a Neo4j cluster a read may be served by a member that has not yet applied a write another
process committed.  The driver's bookmarks name a committed transaction; a session given them
waits until its member has applied it.  Each process chains its own sessions (graph.store); this
module carries them further, through the client: the HTTP layer opens a `Causal` per request,
with the bookmarks the client sent back, the store waits for them before reading and notes the
bookmarks of what the request wrote, and the HTTP layer gives those to the client.

A store without bookmarks (SQL: one primary) ignores both.  The values are opaque to the
registry; their size is bounded where they come in (api/http/bookmarks.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class Causal:
    """One request's bookmarks: those to read after, and those of its own writes."""

    after: tuple[str, ...] = ()
    written: list[str] = field(default_factory=list)  # mutable: a store's worker thread adds to it


_CURRENT: ContextVar[Causal | None] = ContextVar("registry_causal", default=None)


@contextmanager
def request(after: tuple[str, ...] = ()) -> Iterator[Causal]:
    """Within this block (and the threads it starts with its context), reads wait for `after`
    and writes note their bookmarks in the `Causal` yielded."""
    causal = Causal(after)
    token = _CURRENT.set(causal)
    try:
        yield causal
    finally:
        _CURRENT.reset(token)


def read_after() -> tuple[str, ...]:
    """The bookmarks the current request's reads wait for (none outside a request)."""
    causal = _CURRENT.get()
    return () if causal is None else causal.after


def wrote(bookmarks: frozenset[str]) -> None:
    """Note the bookmarks of a write the current request committed (nothing outside a request)."""
    causal = _CURRENT.get()
    if causal is not None:
        causal.written[:] = sorted(bookmarks)  # a later write's bookmarks cover the earlier ones'
