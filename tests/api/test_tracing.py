"""Optional OpenTelemetry tracing: one server span per GraphQL request, named after the operation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from registry.observability import tracing
from tests.api.conftest import Api

EXPORTER = InMemorySpanExporter()


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):  # set once per process
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
        trace.set_tracer_provider(provider)
    tracing.configure(True)  # keeps the provider set above, as it keeps any an application sets
    EXPORTER.clear()
    yield EXPORTER
    tracing.configure(False)


def test_each_request_is_a_span_named_after_its_operation(api: Api, spans: InMemorySpanExporter) -> None:
    # a keyed caller's operation names are known (up to the cap); an anonymous one's are "other"
    response = api.post(
        'query PartnerFinder { partnerCities(territory: "lyon", first: 2) { score } }', as_="coordinator"
    )
    refused = api.post("query Broken { territories { nope } }")
    [ok, broken] = spans.get_finished_spans()
    assert ok.name == "graphql PartnerFinder" and ok.kind is trace.SpanKind.SERVER
    assert ok.attributes is not None and broken.attributes is not None
    assert ok.attributes["graphql.operation.name"] == "PartnerFinder"
    assert ok.attributes["registry.request_id"] == response.headers["x-request-id"]
    assert ok.attributes["http.response.status_code"] == 200
    # the span's name is bounded like a metric label; the name sent stays an attribute of its span
    assert broken.name == "graphql other" and broken.attributes["graphql.operation.name"] == "Broken"
    assert broken.attributes["registry.outcome"] == "refused"
    assert refused.status_code == 400


def test_a_callers_traceparent_is_the_spans_parent(api: Api, spans: InMemorySpanExporter) -> None:
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    api.post("query T { territories(first: 1) { totalCount } }", traceparent=f"00-{trace_id}-00f067aa0ba902b7-01")
    [span] = spans.get_finished_spans()
    assert format(span.context.trace_id, "032x") == trace_id
    assert span.parent is not None and format(span.parent.span_id, "016x") == "00f067aa0ba902b7"


def test_tracing_off_makes_no_span(api: Api, spans: InMemorySpanExporter) -> None:
    tracing.configure(False)
    api.post("query T { territories(first: 1) { totalCount } }")
    assert spans.get_finished_spans() == ()
