"""A store wrapper that counts round trips and time, for `serve --stats`, and notes a write."""

from __future__ import annotations

import time
from typing import Any

from registry.store.port import Store

_WRITES = frozenset({"write", "load", "clear"})  # the port's calls that change what the store holds


class MeasuredStore:
    """Forwards every call to the real store, counting calls and seconds; `wrote` once a write was asked."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.round_trips = 0
        self.seconds = 0.0
        self.wrote = False

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._store, name)
        if not callable(target):
            return target

        wrote = name in _WRITES

        def measured(*args: Any, **kwargs: Any) -> Any:
            self.wrote = self.wrote or wrote
            started = time.perf_counter()
            try:
                return target(*args, **kwargs)
            finally:
                self.round_trips += 1
                self.seconds += time.perf_counter() - started

        return measured
