"""Confidentiality by construction: a record a caller may not see answers exactly like a missing one.

The oracle: for each role, the registry WITH the case studies that role may not see must answer
every read (and every write on a hidden record) byte for byte like the same registry WITHOUT
them.  Hidden records then can neither appear, be counted (totalCount, stats), nor be reached
(node, path, links), whatever the field.  Every field of `RELATIONS` is read, on every store,
through both executors (strawberry's on a document's first run, the lean one on the next).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from strawberry.utils.str_converters import to_camel_case

from registry.api.graphql.relations import RELATIONS
from registry.domain.records import Hub, Link, Principal, Record, Role
from registry.kinds import PUBLIC_DECLARATIONS
from registry.services.access import visibility
from registry.services.seeding import seed
from registry.store.port import Store
from registry.store.rules import hidden
from tests.api.conftest import HUB, OTHER_HUB, Api, Server, serve
from tests.api.test_case_studies import CASE, REJECT, SUBMIT, UPDATE

ROOTS = {  # each record type's root list field
    decl.kind.value: to_camel_case(decl.list_name) for decl in PUBLIC_DECLARATIONS.values()
}
ROLES = {
    "anonymous": Principal(Role.ANONYMOUS),
    "hub": Principal(Role.HUB, HUB),
    "other_hub": Principal(Role.HUB, OTHER_HUB),
    "coordinator": Principal(Role.COORDINATOR),
}
# Case studies in every review state but published, by two hubs, linked like real ones.
CASES = {
    "hub-draft": ("hub", True, None),
    "hub-submitted": ("hub", False, None),
    "other-draft": ("other_hub", True, None),
    "other-rejected": ("other_hub", False, "Not sourced enough."),
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _gid(kind: str, slug: str) -> str:
    return base64.b64encode(f"{kind}:{slug}".encode()).decode()


def relation_documents() -> dict[str, str]:
    """One document per record type: all its records, with every linked field of RELATIONS."""
    fields: dict[str, list[str]] = {}
    for (type_name, field), relation in RELATIONS.items():
        read = "{ id }" if relation.to_one else "(first: 100) { totalCount edges { role node { id } } }"
        fields.setdefault(type_name, []).append(f"{_camel(field)} {read}")
    return {
        type_name: f"{{ {ROOTS[type_name]}(first: 100) {{ totalCount nodes {{ id {' '.join(linked)} }} }} }}"
        for type_name, linked in fields.items()
    }


def read_documents() -> list[tuple[str, dict[str, Any]]]:
    """Every read that could show, count or reach a case study."""
    ids = [_gid("UseCase", slug) for slug in (*CASES, "never-written")]
    entry = "... on Entry { id slug }"
    docs: list[tuple[str, dict[str, Any]]] = [(doc, {}) for doc in relation_documents().values()]
    for gid in ids:
        docs.append((f"query ($id: ID!) {{ node(id: $id) {{ id {entry} }} }}", {"id": gid}))
        slug = base64.b64decode(gid).decode().split(":", 1)[1]
        docs.append(("query ($s: String!) { useCase(slug: $s) { id slug reviewState hub } }", {"s": slug}))
        for a, b in ((gid, "lyon"), ("lyon", gid), (gid, gid), (gid, "mobility")):
            docs.append(
                (
                    f"query ($a: ID!, $b: ID!) {{ path(from: $a, to: $b) {{ length nodes {{ {entry} }} }} }}",
                    {"a": a, "b": b},
                )
            )
    docs += [
        (f"query ($ids: [ID!]!) {{ nodes(ids: $ids) {{ {entry} }} }}", {"ids": ids}),
        (f'{{ search(text: "matrix", first: 100) {{ totalCount nodes {{ {entry} }} }} }}', {}),
        (f'{{ search(text: "mobility", first: 100) {{ totalCount nodes {{ {entry} }} }} }}', {}),
        (
            "{ stats { useCasesByDomain { key count } useCasesByStatus { key count } useCasesByTerritory { key count }"
            " useCasesByGovernance { key count } territoriesByStatus { key count } actorsByKind { key count }"
            " experimentsByStatus { key count } prioritiesByDomain { key count } } }",
            {},
        ),
        (
            '{ useCases(filter: {domains: ["mobility"], territories: ["la-rochelle"]}, first: 100)'
            " { totalCount pageInfo { hasNextPage endCursor } nodes { slug } } }",
            {},
        ),
        (
            '{ useCases(filter: {text: "matrix"}, sort: {by: UPDATED, descending: true}) { totalCount nodes { slug } } }',
            {},
        ),
        (
            '{ partnerCities(territory: "la-rochelle", first: 20) { score territory { slug } reasons { kind label weight'
            " domains actors values } } }",
            {},
        ),
        (
            '{ candidateExperiments(priority: "la-rochelle-sustainable-mobility", first: 50) { score useCase { slug }'
            " reasons { kind label weight } } }",
            {},
        ),
    ]
    return docs


def write_documents(slugs: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """Writes naming these case studies: on a hidden one they must fail exactly as on a missing one."""
    docs: list[tuple[str, dict[str, Any]]] = []
    for slug in (*slugs, "never-written"):
        gid = _gid("UseCase", slug)
        docs.append((UPDATE, {"id": gid, "version": 1, "input": {**CASE, "slug": slug}}))
        docs.append((UPDATE, {"id": slug, "version": 7, "input": {**CASE, "slug": slug}}))
        docs.append(
            (
                'mutation ($id: ID!) { linkRecords(input: {source: "RXhwZXJpbWVudDpsYS1yb2NoZWxsZS1jb2FjaC1jbzItdHJhY2Vtb2I=",'
                " relation: REPLICATES, target: $id}) { errors { code field message } } }",
                {"id": gid},
            )
        )
    return docs


def _build(api: Api) -> None:
    """The seeded registry, plus the matrix's case studies written through the API as hubs do."""
    for slug, (who, draft, rejection) in CASES.items():
        case = {
            **CASE,
            "slug": slug,
            "title": {"en": f"Matrix case {slug}"},
            "domains": ["mobility", "energy"],
            "territories": ["la-rochelle", "lyon"],
            "actors": [{"actor": "fing", "role": "DATA_HOLDER"}],
        }
        answer = api.post(SUBMIT, {"input": case, "draft": draft}, as_=who).json()["data"]["submitCaseStudy"]
        assert answer["errors"] == [], answer
        if rejection:
            version = answer["useCase"]["version"]
            rejected = api.post(REJECT, {"id": slug, "version": version, "reason": rejection}, as_="coordinator")
            assert rejected.json()["data"]["rejectCaseStudy"]["errors"] == []
    # the one experiment replicates a hidden case study (an experiment replicates one at most)
    linked = api.post(
        'mutation { linkRecords(input: {source: "RXhwZXJpbWVudDpsYS1yb2NoZWxsZS1jb2FjaC1jbzItdHJhY2Vtb2I=", relation: REPLICATES,'
        ' target: "VXNlQ2FzZTpodWItZHJhZnQ="}) { errors { code field message } } }',
        as_="coordinator",
    )
    assert linked.json()["data"]["linkRecords"]["errors"] == []


@contextmanager
def _world(server: Server, store: Store, records: list[Record], links: list[Link], hubs: list[Hub]) -> Iterator[Api]:
    """`store` holding exactly these records and links, served with fresh keys and caches."""
    store.clear()
    store.load(records, links, [])
    for hub in hubs:
        store.put_hub(hub)
    # Every linked record of every record in one read: far over the default cost limit, on purpose.
    yield from serve(server, store, max_query_cost=10_000_000)


served = contextmanager(serve)


def _answers(api: Api, role: str, docs: list[tuple[str, dict[str, Any]]], runs: int) -> list[bytes]:
    as_ = None if role == "anonymous" else role
    out = []
    for doc, variables in docs:
        for _ in range(runs):  # a repeated read runs on the lean executor
            response = api.post(doc, variables, as_=as_)
            assert response.status_code == 200, response.text
            out.append(response.content)
    return out


def test_the_matrix_covers_every_linked_field() -> None:
    documents = " ".join(relation_documents().values())
    for (type_name, field), _ in RELATIONS.items():
        assert ROOTS[type_name] in documents and f"{_camel(field)} " in documents


def test_hidden_case_studies_answer_like_missing_ones_for_every_role(server: Server, store: Store) -> None:
    # given the seeded registry with a hub's draft and submission, and another hub's draft and rejection
    seed(store)
    for slug in (HUB, OTHER_HUB):
        store.put_hub(Hub(slug, slug, None))
    with served(server, store) as api:
        _build(api)
    records, links, hubs = list(store.iter_records()), list(store.iter_links()), store.hubs()
    reads = read_documents()
    seen_by: dict[str, list[bytes]] = {}
    for role, principal in ROLES.items():
        seen = visibility(principal)
        kept = [r for r in records if not hidden(r.review_state.value, r.hub, seen)]
        refs = {r.ref for r in kept}
        writes = write_documents([r.slug for r in records if r.ref not in refs])
        # when the role reads, and tries writes on what it may not see, in the registry with every case study
        with _world(server, store, records, links, hubs) as api:
            got = _answers(api, role, reads, runs=2) + _answers(api, role, writes, runs=1)
        # and in the same registry without those it may not see
        with _world(server, store, kept, [x for x in links if x.source in refs and x.target in refs], hubs) as api:
            expected = _answers(api, role, reads, runs=2) + _answers(api, role, writes, runs=1)
        # then every answer is the same, byte for byte
        for n, (a, b) in enumerate(zip(got, expected, strict=True)):
            assert a == b, f"{role}: answer {n} differs:\n{a.decode()[:600]}\n!=\n{b.decode()[:600]}"
        seen_by[role] = got
        hidden_count = len(records) - len(kept)
        assert hidden_count == {"anonymous": 4, "hub": 2, "other_hub": 2, "coordinator": 0}[role]
    # and the comparison can tell: what each caller is shown differs where what it may see differs
    assert seen_by["anonymous"] != seen_by["hub"] != seen_by["other_hub"] != seen_by["coordinator"]
    assert b'"slug":"hub-draft"' in b"".join(seen_by["hub"])
    assert b'"slug":"hub-draft"' not in b"".join(seen_by["other_hub"])


@pytest.mark.parametrize("hidden_slug", ["hub-draft", "hub-submitted"])
def test_another_hubs_hidden_case_study_is_not_found_like_a_missing_one(
    server: Server, store: Store, hidden_slug: str
) -> None:
    # given a hub's unpublished case study
    seed(store)
    store.put_hub(Hub(OTHER_HUB, OTHER_HUB, None))
    with served(server, store) as api:
        draft = hidden_slug.endswith("draft")
        answer = api.post(SUBMIT, {"input": {**CASE, "slug": hidden_slug}, "draft": draft}, as_="hub")
        assert answer.json()["data"]["submitCaseStudy"]["errors"] == []

        # when another hub updates it, and updates a case study that was never written
        def update(slug: str) -> Any:
            body = api.post(UPDATE, {"id": slug, "version": 1, "input": {**CASE, "slug": "x"}}, as_="other_hub").json()
            return body["data"]["updateCaseStudy"]

        on_hidden, on_missing = update(hidden_slug), update("never-written")
    # then both are NOT_FOUND, with the same words but the slug
    assert on_hidden["errors"][0]["code"] == "NOT_FOUND"
    assert str(on_hidden).replace(hidden_slug, "S") == str(on_missing).replace("never-written", "S")
