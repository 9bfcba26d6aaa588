"""A store that notes the time of each call it passes on: where a ranking's milliseconds go.

Wraps a real store (no stand-in): every method is the store's own, timed.  The benchmark
prints, per slow round, which of the store's calls took the time (`change_mark`,
`changes_since`, the facts reads), so a slow round can be told apart from the machine's
other work.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from registry.store.port import Store


class TimedStore:
    """`store`'s methods, each call noted as (name, milliseconds) in `calls`."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.calls: list[tuple[str, float]] = []

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._store, name)
        if not callable(found):
            return found
        return self._timed(name, found)

    def _timed(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.calls.append((name, (time.perf_counter() - started) * 1000))

        return call

    def taken(self) -> list[tuple[str, float]]:
        """The calls noted since the last `taken`, then forgets them."""
        calls, self.calls = self.calls, []
        return calls


def summary(calls: list[tuple[str, float]]) -> str:
    """`name ms` per call, in order, the slow ones (≥ 5 ms) alone, then the rest's total."""
    slow = [f"{name} {ms:.0f}" for name, ms in calls if ms >= 5]
    rest = [ms for _, ms in calls if ms < 5]
    return ", ".join([*slow, f"{len(rest)} other calls {sum(rest):.0f}"])
