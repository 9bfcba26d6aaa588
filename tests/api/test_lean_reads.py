"""The lean read executor answers exactly as the full executor, or leaves the request to it."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from graphql import parse
from sqlalchemy import event

from registry.api.execution.context import Context, Loaders
from registry.api.execution.executor import Unsupported, execute_read
from registry.api.graphql.schema import schema
from registry.domain.records import ANONYMOUS, Principal, Role
from registry.services.access import visibility
from registry.services.editing import Editing
from registry.services.seeding import seed
from registry.store.port import Store
from registry.store.sql.store import SqlStore
from tests.api.conftest import HUB, Api
from tests.api.test_observability import samples, value
from tests.api.test_store_parity import READS

FRAGMENTS = """
query Page($first: Int = 5, $lang: Language = FR, $withActors: Boolean!) {
  useCases(first: $first, sort: {by: NAME}) {
    edges { cursor role node { ...Case } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
  node(id: "VGVycml0b3J5Omx5b24=") { __typename id ... on Territory { slug name(lang: $lang) kind positions { position note } } }
}
fragment Case on UseCase {
  __typename id slug version createdAt updatedAt title(lang: $lang) titleI18n { fr en } summary label(lang: EN)
  status governance dataCategories yearStart yearEnd country reviewState hub outcomes
  sources { url title seen }
  actors(first: 2) @include(if: $withActors) { totalCount edges { role node { slug kind } } }
  experiments { nodes { slug startDate endDate territory { slug } useCase { slug } priorities { nodes { slug } } } }
}
"""
TERRITORY_PAGE = """query ($slug: String!) { territory(slug: $slug) { id slug name kind country programmeStatus
  languages prioritiesDefined sources { url title } priorities { nodes { slug title domains { nodes { slug } } } }
  actors(first: 50) { edges { role node { slug name kind } } } useCases(first: 50) { nodes { slug title status
  domains { nodes { slug } } } } experiments { nodes { slug title status } } workshops { nodes { slug date } } } }"""
DRAFTS = """{ useCases(first: 100, filter: {territories: ["lyon"]}) { totalCount nodes { slug reviewState hub } }
  nodes(ids: ["VXNlQ2FzZTpsZWFuLWRyYWZ0", "bm9wZQ==", "VGVycml0b3J5Omx5b24="]) { id ... on Entry { slug } } }"""
# Totals alone (first: 0) of linked lists, as the explorer's map asks them.
TOTALS = """{ territories(first: 100, filter: {within: {south: 40, west: -5, north: 55, east: 10}}) {
  nodes { slug useCases(first: 0) { totalCount } actors(first: 0) { totalCount pageInfo { hasNextPage } } } } }"""
DOCUMENTS = [*READS, FRAGMENTS, TERRITORY_PAGE, DRAFTS, TOTALS]
VARIABLES: dict[str, dict[str, Any]] = {FRAGMENTS: {"withActors": True}, TERRITORY_PAGE: {"slug": "lyon"}}
CALLERS = {"anonymous": ANONYMOUS, "hub": Principal(Role.HUB, HUB, "k"), "coordinator": Principal(Role.COORDINATOR)}


def _context(store: Store, principal: Principal) -> Context:
    seen = visibility(principal)
    return Context(store, principal, seen, "test", Editing(store), Loaders(store, seen))


def _both(store: Store, document: str, principal: Principal) -> tuple[Any, Any]:
    """(full executor's answer, lean executor's answer or the reason it declined)."""
    variables = VARIABLES.get(document)
    full = asyncio.run(schema.execute(document, variable_values=variables, context_value=_context(store, principal)))
    try:
        lean = asyncio.run(execute_read(parse(document), None, variables, _context(store, principal)))
    except Unsupported as declined:  # a known decline; any other exception is a bug and fails the test
        return full, declined
    return full, {"data": lean}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("number", range(len(DOCUMENTS)))
def test_lean_answers_equal_the_full_executor_or_decline(api: Api, number: int, caller: str) -> None:
    # Given the seeded registry with a hub's draft, and a document of the corpus
    api.data(
        """mutation { submitCaseStudy(input: {slug: "lean-draft", title: {en: "Lean draft"}, status: IDEA,
        domains: ["mobility"], territories: ["lyon"], sources: [{url: "https://example.org/l", title: "L"}]}) { errors { code } } }""",
        as_="hub",
    )
    document = DOCUMENTS[number]
    # When both executors run it for this caller
    full, lean = _both(api.store, document, CALLERS[caller])
    # Then the lean answer is the full one; where the full one has errors, the lean one declined
    if full.errors:
        assert not isinstance(lean, dict), lean
    else:
        assert isinstance(lean, dict), f"declined: {lean!r}"
        assert lean == {"data": full.data}


def test_the_corpus_exercises_the_lean_path(api: Api) -> None:
    # Given the corpus, when each document runs for a coordinator, then most take the lean path
    lean = [isinstance(_both(api.store, d, CALLERS["coordinator"])[1], dict) for d in DOCUMENTS]
    assert sum(lean) >= len(DOCUMENTS) - 3, lean


def test_a_repeated_query_over_http_takes_the_lean_path_and_gives_the_same_bytes(api: Api) -> None:
    # Given a query the server has not seen (the first run validates it on the full executor)
    # (sent with a key: a keyed caller's operation name is a label, its own series in the metrics)
    operation = f"Lean{uuid.uuid4().hex}"
    document = TERRITORY_PAGE.replace("query (", f"query {operation}(", 1)
    body = {"query": document, "variables": {"slug": "la-rochelle"}}
    keyed = {"Authorization": f"Bearer {api.keys['coordinator']}"}
    before = samples(api)
    first = api.client.post("/graphql", json=body, headers=keyed)
    # When it is sent again and with bad variables
    second = api.client.post("/graphql", json=body, headers=keyed)
    wrong = api.client.post("/graphql", json={"query": document, "variables": {"slug": 3}}, headers=keyed)
    # Then the answers are the same bytes, and a bad variable is still refused as before
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert "errors" in wrong.json() and wrong.json().get("data") is None
    # and the metrics say the first ran on the full executor, the second on the lean one, and
    # the bad variables were declined by the lean executor for that reason
    after = samples(api)

    def counted(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests = "registry_graphql_requests_total"
    assert counted(requests, operation=operation, outcome="ok", path="full") == 1
    assert counted(requests, operation=operation, outcome="ok", path="lean") == 1
    assert counted("registry_lean_declined_total", reason="variables") == 1
    assert counted("registry_lean_declined_total", reason="unexpected") == 0


def test_lean_answers_equal_the_full_executor_on_every_store(store: Store) -> None:
    # Given the seeded programme on a store of each kind (on Neo4j the lean path reads a root
    # field's records and what they link to in one statement)
    seed(store)
    for document in DOCUMENTS:
        for caller, principal in CALLERS.items():
            # When both executors run the document, then they agree (or the lean one declines an error)
            full, lean = _both(store, document, principal)
            if full.errors:
                assert not isinstance(lean, dict), (caller, document)
            else:
                assert lean == {"data": full.data}, (caller, document)


# One document object sent with other variables: the plan is shared (api/execution/plan.py), the
# arguments that name variables are each request's own, and constant ones (first: 50) are shared.
PAGED = """query Paged($first: Int!, $after: String, $slug: String!, $lang: Language) {
  useCases(first: $first, after: $after, sort: {by: NAME}) {
    totalCount edges { cursor node { slug title(lang: $lang) actors(first: 2) { totalCount nodes { slug } } } }
    pageInfo { hasNextPage endCursor } }
  territory(slug: $slug) { slug name(lang: $lang) useCases(first: $first) { totalCount nodes { slug } } } }"""
SHARED_VARIABLES: list[tuple[str, dict[str, Any]]] = [
    (PAGED, {"first": 2, "slug": "lyon", "lang": "EN"}),
    (PAGED, {"first": 5, "after": "b2Zmc2V0OjE=", "slug": "la-rochelle", "lang": "FR"}),
    (PAGED, {"first": 0, "slug": "rennes"}),
    (FRAGMENTS, {"withActors": True, "first": 3}),
    (FRAGMENTS, {"withActors": False, "first": 1, "lang": "EN"}),
]


def test_one_document_object_answers_each_request_with_its_own_variables(api: Api) -> None:
    # Given one parsed document per text, as the HTTP layer hands the same object to every request
    parsed = {text: parse(text) for text in (PAGED, FRAGMENTS)}
    principal = CALLERS["coordinator"]

    async def lean_all() -> list[dict[str, Any]]:
        runs = [execute_read(parsed[text], None, v, _context(api.store, principal)) for text, v in SHARED_VARIABLES]
        return list(await asyncio.gather(*runs))  # at once: their runs interleave at every await

    # When they run concurrently, twice, with different variables
    for _ in range(2):
        answers = asyncio.run(lean_all())
        # Then each answer is the full executor's for its own variables
        for (text, variables), lean in zip(SHARED_VARIABLES, answers, strict=True):
            context = _context(api.store, principal)
            full = asyncio.run(schema.execute(text, variable_values=variables, context_value=context))
            assert not full.errors, full.errors
            assert lean == full.data, variables


def test_a_declined_read_leaves_no_store_call_running(tmp_path: Path) -> None:
    # Given a seeded SQLite store whose next statement takes half a second, and a document whose
    # first root field reads the store while its second one is an error answered at once
    store = SqlStore(f"sqlite:///{tmp_path / 'registry.db'}")
    seed(store)
    slow = threading.Event()

    def pause(*_: Any) -> None:
        if not slow.is_set():
            slow.set()
            time.sleep(0.5)

    event.listen(store.engine, "before_cursor_execute", pause)
    document = parse("{ a: territories(first: 5) { nodes { slug } } b: useCases(first: -1) { nodes { slug } } }")

    async def declined_then_connections_in_use() -> int:
        with pytest.raises(Unsupported):
            await execute_read(document, None, None, _context(store, ANONYMOUS))
        checked_out: int = store.engine.pool.checkedout()  # type: ignore[attr-defined]
        return checked_out

    # When the lean executor declines it (the full executor answers the error)
    in_use = asyncio.run(declined_then_connections_in_use())

    # Then the first field's read had run and ended by then: none of its work outlives the request
    assert slow.is_set()
    assert in_use == 0
    store.close()
