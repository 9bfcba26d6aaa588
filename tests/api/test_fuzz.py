"""Operations generated from the schema by hypothesis-graphql, sent to every store through a real
server (issue 6): whatever the document, the answer is typed JSON, never a 5xx nor `INTERNAL`.

Bounded per store (FUZZ_EXAMPLES, below) and derandomised, so CI sees the same documents on
every run; REGISTRY_FUZZ_SCALE=10 runs ten times as many, with fresh randomness, on a workstation.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, queries

from registry.api.execution.strawberry_adapter import graphql_schema
from registry.api.graphql.schema import schema
from registry.services.seeding import seed
from registry.store.port import Store
from tests.api.conftest import Api, Server, serve

SCALE = int(os.environ.get("REGISTRY_FUZZ_SCALE", "1"))
FUZZ_EXAMPLES = {"queries": 60 * SCALE, "invalid queries": 30 * SCALE, "mutations": 30 * SCALE}  # per store


def _string(values: st.SearchStrategy[str]) -> st.SearchStrategy[graphql.StringValueNode]:
    return values.map(lambda text: graphql.StringValueNode(value=text))


# Our own scalars: mostly good values, and some a client could get wrong.
SCALARS = {
    "Date": _string(st.dates().map(date.isoformat) | st.sampled_from(["2020-02-30", "2026-13-01", "tomorrow", ""])),
    "DateTime": _string(st.datetimes().map(lambda d: d.isoformat() + "Z") | st.sampled_from(["2026-12-01T25:00:00Z"])),
    "JSON": _string(st.text(max_size=20)),
}
GRAPHQL = graphql_schema(schema)  # the graphql-core schema strawberry serves


@pytest.fixture
def seeded(server: Server, store: Store) -> Iterator[Api]:
    seed(store)
    yield from serve(server, store)


def _typed(api: Api, document: str, role: str | None) -> None:
    """One generated document: a JSON answer below 500, every error with a code, none INTERNAL."""
    response = api.post(document, as_=role)
    assert response.status_code < 500, (document, response.text[:500])
    assert response.headers["content-type"].startswith("application/json"), (document, response.text[:500])
    body: dict[str, Any] = response.json()
    codes = [(error.get("extensions") or {}).get("code") for error in body.get("errors") or []]
    assert None not in codes and "INTERNAL" not in codes, (document, body)


def _fuzz(api: Api, documents: st.SearchStrategy[Any], roles: list[str | None], examples: int) -> int:
    sent = []

    @settings(
        max_examples=examples,
        derandomize=SCALE == 1,
        database=None,
        deadline=timedelta(seconds=20),  # a bound on a hung request, not a speed test
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(document=documents, role=st.sampled_from(roles))
    def run(document: Any, role: str | None) -> None:
        sent.append(document)
        _typed(api, str(document), role)

    run()
    return len(sent)


def test_generated_queries_get_typed_answers(seeded: Api, store_kind: str) -> None:
    roles: list[str | None] = [None, "coordinator", "hub"]
    count = _fuzz(seeded, queries(GRAPHQL, custom_scalars=SCALARS), roles, FUZZ_EXAMPLES["queries"])
    print(f"{store_kind}: {count} generated queries")
    assert count >= FUZZ_EXAMPLES["queries"] // 2


def test_generated_invalid_queries_get_typed_answers(seeded: Api, store_kind: str) -> None:
    documents = queries(GRAPHQL, custom_scalars=SCALARS, mode=Mode.NEGATIVE)
    count = _fuzz(seeded, documents, [None, "coordinator"], FUZZ_EXAMPLES["invalid queries"])
    print(f"{store_kind}: {count} generated invalid queries")
    assert count >= FUZZ_EXAMPLES["invalid queries"] // 2


def test_generated_mutations_get_typed_answers(seeded: Api, store_kind: str) -> None:
    roles: list[str | None] = [None, "coordinator", "hub"]
    count = _fuzz(seeded, mutations(GRAPHQL, custom_scalars=SCALARS), roles, FUZZ_EXAMPLES["mutations"])
    print(f"{store_kind}: {count} generated mutations")
    assert count >= FUZZ_EXAMPLES["mutations"] // 2
