"""Optional OpenTelemetry tracing: one server span per GraphQL request, named after its operation.

Off unless `REGISTRY_OTEL=1` (or `registry serve --otel`), and then it needs the `[otel]` extra.
Spans go to the OTLP/HTTP exporter, configured by the standard OTEL_EXPORTER_OTLP_* variables,
unless the process already set a tracer provider of its own (tests set one with an in-memory exporter).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from starlette.requests import Request

_enabled = False


def configure(enabled: bool) -> None:
    """Turn tracing on for this process (import errors say which extra to install)."""
    global _enabled
    _enabled = enabled
    if not enabled:
        return
    try:
        from opentelemetry import trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as error:
        raise SystemExit("registry: tracing needs the otel extra: pip install 'self-data-registry[otel]'") from error
    if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):  # nobody set one yet
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider = TracerProvider(resource=Resource.create({"service.name": "self-data-registry"}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)


@contextmanager
def request_span(request: Request) -> Iterator[Any]:
    """A server span around the request (None when tracing is off); a caller's traceparent is its parent."""
    if not _enabled:
        yield None
        return
    from opentelemetry import propagate, trace

    tracer = trace.get_tracer("registry")
    parent = propagate.extract(dict(request.headers))
    with tracer.start_as_current_span("graphql", context=parent, kind=trace.SpanKind.SERVER) as span:
        span.set_attribute("http.request.method", request.method)
        span.set_attribute("url.path", request.url.path)
        yield span


def annotate(span: Any, operation: str, named: str | None, outcome: str, status: int) -> None:
    """The span named by the bounded operation label (backends index span names, as /metrics its
    labels), with the name the client sent as an attribute of this one span."""
    if span is None:
        return
    from opentelemetry.trace import Status, StatusCode

    from registry.observability.logging_json import REQUEST_ID

    span.update_name(f"graphql {operation}")
    span.set_attribute("graphql.operation.name", (named or operation)[:200])
    span.set_attribute("registry.outcome", outcome)
    span.set_attribute("http.response.status_code", status)
    span.set_attribute("registry.request_id", REQUEST_ID.get() or "")
    if status >= 500:
        span.set_status(Status(StatusCode.ERROR))
