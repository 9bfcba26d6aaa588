"""The Neo4j driver of a real store, noting the text of every statement it sends, in order.

For tests that count a store's statements or check that their texts do not vary with the values
asked for: `store.driver = StatementRecorder(store.driver)`, then read `sent` (in order) or
`texts` (the distinct ones).  Statements sent inside managed write transactions are noted too.
`explained` gives the operators of the plan Neo4j makes for a record query's statement."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graph.store import Neo4jStore
    from registry.store.port import RecordQuery


class _RecordingSession:
    """The driver's own session (or a transaction), noting each statement it runs."""

    def __init__(self, session: Any, sent: list[str]) -> None:
        self._session, self._sent = session, sent

    def __enter__(self) -> _RecordingSession:
        self._session.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self._session.__exit__(*exc)

    def run(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        self._sent.append(str(getattr(query, "text", query)))
        return self._session.run(query, *args, **kwargs)

    def execute_write(self, work: Any, *args: Any, **kwargs: Any) -> Any:
        sent = self._sent

        @functools.wraps(work)  # keeps unit_of_work's timeout
        def recorded(tx: Any, *a: Any, **k: Any) -> Any:
            return work(_RecordingSession(tx, sent), *a, **k)

        return self._session.execute_write(recorded, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:  # the rest of the session as it is (last_bookmarks…)
        return getattr(self._session, name)


class StatementRecorder:
    def __init__(self, driver: Any) -> None:
        self._driver = driver
        self.sent: list[str] = []

    @property
    def texts(self) -> set[str]:
        """The distinct statement texts sent so far."""
        return set(self.sent)

    def session(self, **kwargs: Any) -> _RecordingSession:
        return _RecordingSession(self._driver.session(**kwargs), self.sent)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._driver, name)


def operators(plan: Any) -> list[str]:
    """Every operator of a Neo4j plan, with its details."""
    details = str(plan.get("args", {}).get("Details", ""))
    found = [f"{plan['operatorType']} {details}"]
    for child in plan.get("children", []):
        found += operators(child)
    return found


def explained(store: Neo4jStore, query: RecordQuery) -> tuple[list[str], list[str]]:
    """The statements a Neo4j store sends for `query`, and the operators of the last one's plan."""
    from graph import cypher

    real = store.driver
    recorder = StatementRecorder(real)
    store.driver = recorder  # type: ignore[assignment]
    try:
        store.query(query)
        sent = list(recorder.sent)
        _, params = cypher.record_match(query)  # the parameters the store sends with it
        with recorder.session() as session:
            summary = session.run(f"EXPLAIN {sent[-1]}", **params, offset=query.offset, limit=query.limit).consume()
    finally:
        store.driver = real
    return sent, operators(summary.plan)
