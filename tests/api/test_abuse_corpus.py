"""The abuse corpus (tests/api/abuse_corpus.py) against every store, through a real server:
each case gets its typed answer, never a 5xx nor INTERNAL, and the same answer when it comes
again (the second time a validated document takes the lean executor)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from registry.services.seeding import seed
from registry.store.port import Store
from tests.api.abuse_corpus import CASES, Case, raw_body
from tests.api.conftest import Api, Server, serve


@pytest.fixture
def seeded(server: Server, store: Store) -> Iterator[Api]:
    seed(store)
    yield from serve(server, store)


def _send(api: Api, case: Case) -> httpx.Response:
    headers = dict(case.headers)
    if case.as_ is not None:
        headers["authorization"] = f"Bearer {api.keys[case.as_]}"
    if case.method == "GET":
        return api.client.get("/graphql", params=case.params, headers={"accept": "*/*", **headers})
    headers.setdefault("content-type", "application/json")
    return api.client.post("/graphql", content=raw_body(case), headers=headers)


def _problems(case: Case, response: httpx.Response) -> list[str]:
    if not response.headers.get("content-type", "").startswith(
        ("application/json", "application/graphql-response+json")
    ):
        return [f"a {response.status_code} in {response.headers.get('content-type')}: {response.text[:200]}"]
    body: dict[str, Any] = response.json()
    errors = body.get("errors") or []
    codes = {(e.get("extensions") or {}).get("code") for e in errors} | set(_payload_codes(body.get("data")))
    found = []
    if response.status_code != case.status:
        found.append(f"status {response.status_code}, expected {case.status}")
    if codes != set(case.codes):
        found.append(f"codes {sorted(map(str, codes))}, expected {sorted(case.codes)}")
    if case.field is not None and (not errors or (errors[0].get("extensions") or {}).get("field") != case.field):
        found.append(f"field {errors and (errors[0].get('extensions') or {}).get('field')!r}, expected {case.field!r}")
    if case.no_suggestion and "Did you mean" in response.text:
        found.append("a suggestion sent to an anonymous caller")
    return [f"{problem} -- {response.text[:300]}" for problem in found]


def test_every_abuse_case_gets_its_typed_answer_on_every_store(seeded: Api) -> None:
    failures = []
    for case in CASES:
        first = _send(seeded, case)
        problems = _problems(case, first)
        again = _send(seeded, case)  # a validated document now takes the lean executor
        if (again.status_code, _codes(again)) != (first.status_code, _codes(first)):
            problems.append(f"answered {first.status_code} then {again.status_code}: {again.text[:300]}")
        failures += [f"{case.name}: {problem}" for problem in problems]
    assert not failures, f"{len(failures)} problems in {len(CASES)} cases:\n" + "\n".join(failures)


def _payload_codes(data: Any) -> list[str]:
    """The codes of a mutation payload's `errors { code }`."""
    if isinstance(data, dict):
        found = [e["code"] for e in data.get("errors") or [] if isinstance(e, dict) and "code" in e]
        return found + [c for value in data.values() for c in _payload_codes(value)]
    if isinstance(data, list):
        return [c for value in data for c in _payload_codes(value)]
    return []


def _codes(response: httpx.Response) -> list[str]:
    try:
        return sorted(str((e.get("extensions") or {}).get("code")) for e in response.json().get("errors") or [])
    except ValueError:
        return [response.text[:100]]


def test_the_corpus_holds_at_least_60_named_cases() -> None:
    names = [case.name for case in CASES]
    assert len(names) >= 60 and len(set(names)) == len(names)
