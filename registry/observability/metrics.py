"""Prometheus metrics at /metrics: GraphQL requests by operation and outcome, latency, store round
trips, errors by code, rate-limit refusals.

`observed(endpoint)` wraps the GraphQL endpoint, so every answer is counted whichever path produced
it (the response cache, the lean executor or strawberry's); the endpoint leaves what only it knows
on `request.state` (operation name, path, its MeasuredStore). With `registry serve --workers N`,
the workers write their samples to a shared directory (prometheus-client's multiprocess mode, set
up by `multiprocess_dir()` before they start) and /metrics adds them up.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess
from starlette.requests import Request
from starlette.responses import Response

from registry.domain.errors import ErrorCode
from registry.observability import logging_json, tracing

REQUESTS = Counter(
    "registry_graphql_requests", "GraphQL requests answered", ["operation", "outcome", "path"]
)  # exposed as registry_graphql_requests_total
LATENCY = Histogram(
    "registry_graphql_request_seconds",
    "Time to answer a GraphQL request",
    ["operation", "path"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
STORE_ROUND_TRIPS = Histogram(
    "registry_store_round_trips",
    "Store calls made for one GraphQL request",
    ["operation"],
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89),
)
STORE_SECONDS = Histogram(
    "registry_store_seconds",
    "Time spent in store calls for one GraphQL request",
    ["operation"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
ERRORS = Counter("registry_graphql_errors", "GraphQL errors answered, by extensions.code", ["code"])
RATE_LIMITED = Counter("registry_rate_limited", "Requests refused with 429 RATE_LIMITED", ["kind"])
ADMISSION_WAIT = Histogram(
    "registry_admission_wait_seconds",
    "Time a dear request waited for its turn to run (api/http/admission.py)",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ADMISSION_REFUSED = Counter(
    "registry_admission_refused", "Dear requests refused with 503 OVERLOADED: the queue for a turn was full"
)  # exposed as registry_admission_refused_total
LEAN_DECLINED = Counter(
    "registry_lean_declined", "Validated reads the lean executor left to the full one, by reason", ["reason"]
)  # exposed as registry_lean_declined_total; the reasons are a closed set (api/execution/executor.Reason)

NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")
FIRST_OPERATION = re.compile(r"^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")
OTHER = "other"  # the one label of every operation name that is not known (a client chooses names freely)
DEFAULT_KEYED_OPERATIONS = 200  # settings.metrics_keyed_operations


class OperationNames:
    """The operation names that may become labels: a client picks any name, and every new label set is
    a series in every per-operation histogram of every worker, kept for the process's life.

    Known names are the trusted documents' and the explorer's (given at start); a caller with a key
    adds the names it sends, up to `keyed_cap` per process.  Everything else counts as `other`."""

    def __init__(self, known: frozenset[str] = frozenset(), keyed_cap: int = DEFAULT_KEYED_OPERATIONS) -> None:
        self.known = known
        self.keyed_cap = keyed_cap
        self.keyed: set[str] = set()

    def label(self, name: str, keyed: bool) -> str:
        if name in self.known or name in self.keyed:
            return name
        if keyed and len(self.keyed) < self.keyed_cap:
            self.keyed.add(name)
            return name
        return OTHER


_names = OperationNames()


def configure_operations(known: frozenset[str], keyed_cap: int) -> None:
    """Set the known operation names (trusted documents, explorer) and the cap on keyed callers' own."""
    global _names
    _names = OperationNames(frozenset(n for n in known if NAME.match(n)), keyed_cap)


def rate_limited(kind: str) -> None:
    """Count a request refused by a rate limit (kind: "address" or "key", chosen by the server)."""
    RATE_LIMITED.labels(kind=kind).inc()


def lean_declined(reason: str) -> None:
    """Count a read the lean executor left to the full one (reason: one of a closed set, never the client's)."""
    LEAN_DECLINED.labels(reason=reason).inc()


def operation_name(asked: object) -> str | None:
    """The operation name of (operationName, document): the name sent, else the document's first one."""
    name, document = asked if isinstance(asked, tuple) and len(asked) == 2 else (None, None)
    if not name and isinstance(document, str):
        found = FIRST_OPERATION.match(document)
        name = found.group(1) if found else None
    return name if isinstance(name, str) and name else None


def operation_label(asked: object, keyed: bool = False) -> str:
    """A bounded label for (operationName, document): its name when known (see OperationNames), else
    `other`; `anonymous` for an operation without a name."""
    name = operation_name(asked)
    if name is None:
        return "anonymous"
    if not NAME.match(name):
        return OTHER
    return _names.label(name, keyed)


# The error codes the server answers (domain/errors.ErrorCode, the persisted queries' own, and NONE
# for an error without one); the code is read back from the answer's body, so any other is `other`.
ERROR_CODES = frozenset(code.value for code in ErrorCode) | {
    "PERSISTED_QUERY_NOT_FOUND",
    "PERSISTED_QUERY_NOT_IN_LIST",
    "PERSISTED_QUERY_NOT_SUPPORTED",
    "NONE",
}


def _outcome(status: int, has_errors: bool) -> str:
    if status == 503:
        return "unavailable"
    if status >= 500:
        return "server_error"
    if status >= 400:
        return "refused"
    return "errors" if has_errors else "ok"


def _error_codes(body: bytes) -> list[str]:
    """The `extensions.code` of each top-level error of an answer (a cheap byte search first)."""
    if b'"errors"' not in body:
        return []
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return []
    errors = parsed.get("errors") if isinstance(parsed, dict) else None
    if not isinstance(errors, list):
        return []
    codes = (str(((e.get("extensions") or {}).get("code")) or "NONE") for e in errors if isinstance(e, dict))
    return [code if code in ERROR_CODES else OTHER for code in codes]


_kept_series: dict[tuple[str, str, str], tuple[Any, Any, Any, Any]] = {}


def _series(operation: str, outcome: str, path: str) -> tuple[Any, Any, Any, Any]:
    """The labelled series of one request, looked up once per label set (labels() takes a lock)."""
    key = (operation, outcome, path)
    found = _kept_series.get(key)
    if found is None:
        found = (
            REQUESTS.labels(operation, outcome, path),
            LATENCY.labels(operation, path),
            STORE_ROUND_TRIPS.labels(operation),
            STORE_SECONDS.labels(operation),
        )
        _kept_series[key] = found
    return found


def observed(endpoint: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint, counted in the metrics, traced when tracing is on, and logged when asked."""

    async def measured(request: Request) -> Response:
        started = time.perf_counter()
        with tracing.request_span(request) as span:
            response = await endpoint(request)
            if response.media_type == "text/html":  # GraphiQL's page, not a GraphQL request
                return response
            elapsed = time.perf_counter() - started
            state: Any = request.state
            asked = getattr(state, "operation", None)
            operation = operation_label(asked, getattr(state, "keyed", False))
            path = getattr(state, "path", "full")  # set by the server: full, lean, cache, shared_cache or not_modified
            codes = _error_codes(bytes(response.body)) if hasattr(response, "body") else []
            outcome = _outcome(response.status_code, bool(codes))
            requests, latency, round_trips, store_seconds = _series(operation, outcome, path)
            requests.inc()
            latency.observe(elapsed)
            for code in codes:
                ERRORS.labels(code).inc()
            store = getattr(state, "measured", None)
            if store is not None:
                round_trips.observe(store.round_trips)
                store_seconds.observe(store.seconds)
            tracing.annotate(span, operation, operation_name(asked), outcome, response.status_code)
            logging_json.request_done(operation, outcome, response.status_code, path, elapsed, codes)
        return response

    return measured


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


async def metrics_endpoint(request: Request) -> Response:
    """The Prometheus text exposition; in multiprocess mode, the sum over every worker's samples."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


@contextmanager
def across_workers(workers: int) -> Iterator[None]:
    """With several worker processes, each writes its samples under a fresh shared directory (set
    before they start: prometheus-client picks its mode at import) and /metrics sums them."""
    if workers == 1 or multiprocess_dir():
        yield
        return
    with tempfile.TemporaryDirectory(prefix="registry-metrics-") as directory:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
        try:
            yield
        finally:
            del os.environ["PROMETHEUS_MULTIPROC_DIR"]
