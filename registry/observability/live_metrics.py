"""Prometheus metrics of live subscriptions: open WebSocket connections, active subscriptions by
operation, events sent by subscription field, subscriptions ended by reason, and the audit feed's
reads of the store.

They sit beside api/metrics.py's and are exposed by the same /metrics.  The gauges use the
"livesum" multiprocess mode: with `registry serve --workers N` /metrics adds up what the living
workers hold open now, and a worker that died no longer counts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import contextmanager
from typing import Any

from prometheus_client import Counter, Gauge

CONNECTIONS = Gauge("registry_live_connections", "Open WebSocket connections at /graphql", multiprocess_mode="livesum")
SUBSCRIPTIONS = Gauge(
    "registry_live_subscriptions",
    "Active subscriptions, by operation name",
    ["operation"],
    multiprocess_mode="livesum",
)
EVENTS = Counter("registry_live_events", "Subscription events sent, by subscription field", ["field"])
ENDED = Counter(
    "registry_live_subscriptions_ended",
    "Subscriptions ended, by reason: completed, client_closed, lagging (CONFLICT), refused, error",
    ["reason"],
)
AUDIT_READS = Counter(
    "registry_live_audit_reads",
    "Store reads of the audit trail for live events: the poller's change-counter checks (poll), "
    "its reads of new entries (poller), and reconnecting clients' catch-up reads (catch_up)",
    ["reader"],
)
AUDIT_ENTRIES = Counter("registry_live_audit_entries", "Audit entries read for live events", ["reader"])

LAGGING = "CONFLICT"  # the code a subscriber too far behind is ended with (services/audit_feed.Lagged)


@contextmanager
def connection() -> Any:
    """Count one WebSocket connection as open while the block runs."""
    CONNECTIONS.inc()
    try:
        yield
    finally:
        CONNECTIONS.dec()


def audit_read(reader: str, entries: int | None = None) -> None:
    """Count one read of the audit trail (and the entries it returned, when it returns entries)."""
    AUDIT_READS.labels(reader).inc()
    if entries:
        AUDIT_ENTRIES.labels(reader).inc(entries)


def _codes(result: Any) -> set[str]:
    return {str((getattr(e, "extensions", None) or {}).get("code")) for e in (getattr(result, "errors", None) or [])}


async def tracked(
    operation: str, field: str, source: AsyncIterator[Any], refused: Callable[[Any], bool]
) -> AsyncIterator[Any]:
    """`source`'s results, the subscription counted as active while they flow: each result with
    data counts as an event of its root `field`, and the end is counted with its reason."""
    active = SUBSCRIPTIONS.labels(operation)
    active.inc()
    reason = "client_closed"  # the client sent `complete` or went away: the server cancels the stream
    try:
        async for result in source:
            if refused(result):
                reason = "refused"  # invalid, not allowed, not trusted: refused before it ran
            else:
                codes = _codes(result)
                if LAGGING in codes:
                    reason = "lagging"
                elif codes:
                    reason = "error"
                if getattr(result, "data", None) is not None:
                    EVENTS.labels(field).inc()
            yield result
        if reason == "client_closed":
            reason = "completed"
    finally:
        active.dec()
        ENDED.labels(reason).inc()
