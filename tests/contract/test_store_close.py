"""Closing a store lets the calls in flight finish (every store).

A request past its time budget is answered at once while its store call runs on in a worker
thread; when the server then stops, or a test moves the server to another store, the store is
closed under that call.  Before `close` waited, the call's Neo4j session or database connection
was left to the garbage collector, which warned about it later, during whatever ran then.
"""

from __future__ import annotations

import gc
import threading
import time
from typing import Any

from sqlalchemy import event

from registry.domain.records import Hub
from registry.store.port import Store
from registry.store.sql.store import SqlStore

PAUSE = 0.5  # how long the call in flight holds its session or connection


class _SlowSessions:
    """The store's real Neo4j driver, whose sessions, opened by one thread, pause before they start."""

    def __init__(self, driver: Any, reader: threading.Thread, started: threading.Event) -> None:
        self._driver, self._reader, self._started = driver, reader, started

    def session(self, **kwargs: Any) -> Any:
        session = self._driver.session(**kwargs)
        if threading.current_thread() is self._reader:
            self._started.set()
            time.sleep(PAUSE)
        return session

    def __getattr__(self, name: str) -> Any:
        return getattr(self._driver, name)


def _pause_in_flight(store: Store, reader: threading.Thread, started: threading.Event) -> None:
    """Make the reader's next call hold its session or connection for PAUSE seconds."""
    if isinstance(store, SqlStore):

        def pause(*_: Any) -> None:
            if threading.current_thread() is reader and not started.is_set():
                started.set()
                time.sleep(PAUSE)

        event.listen(store.engine, "before_cursor_execute", pause)
    else:
        store.driver = _SlowSessions(store.driver, reader, started)  # type: ignore[attr-defined]


def test_close_waits_for_the_call_in_flight(store: Store) -> None:
    # Given a store with a hub, and a thread whose read of the hubs is in flight
    store.put_hub(Hub("hub-a", "Hub A", None))
    answers: list[object] = []
    finished = threading.Event()

    def read() -> None:
        try:
            answers.append([hub.slug for hub in store.hubs()])
        except Exception as error:  # the assertion below shows it
            answers.append(error)
        finally:
            finished.set()

    reader = threading.Thread(target=read)
    started = threading.Event()
    _pause_in_flight(store, reader, started)
    reader.start()
    assert started.wait(10)

    # When the store is closed meanwhile
    store.close()

    # Then the read had finished by then, with its answer, and nothing is left to the collector
    assert finished.is_set(), "close returned while a call was still in flight"
    reader.join(10)
    assert answers == [["hub-a"]]
    gc.collect()  # an unclosed session or connection warns here, and the warning fails the test
