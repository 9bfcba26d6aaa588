"""Coordinators create, update and link territories, actors, priorities, experiments, SWOT items and workshops."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.api.conftest import Api

# kind -> (mutation suffix, payload field, a valid input, a bad input with the (code, field) it must give, a patch)
KINDS: dict[str, tuple[str, str, dict[str, Any], dict[str, Any], tuple[str, str], dict[str, Any]]] = {
    "territory": (
        "Territory",
        "territory",
        {
            "slug": "ghent-test",
            "name": {"en": "Test Ghent"},
            "kind": "CITY",
            "country": "BE",
            "programmeStatus": "PEER",
            "languages": ["nl"],
        },
        {"slug": "bad-country", "name": {"en": "X"}, "kind": "CITY", "country": "belgium", "programmeStatus": "PEER"},
        ("INVALID", "input.country"),
        {"population": 263000},
    ),
    "actor": (
        "Actor",
        "actor",
        {
            "slug": "test-water-utility",
            "name": {"fr": "Régie des eaux"},
            "kind": "WATER_UTILITY",
            "presentIn": [{"territory": "nantes", "role": "DATA_HOLDER"}],
        },
        {"slug": "no-kind", "name": {"fr": "Sans type"}},
        ("REQUIRED", "input.kind"),
        {"website": "https://example.org"},
    ),
    "priority": (
        "Priority",
        "priority",
        {
            "slug": "rennes-waste",
            "title": {"en": "Waste reduction"},
            "kind": "SELF_DATA",
            "status": "PROPOSED",
            "territory": "rennes",
            "domains": ["waste"],
        },
        {"slug": "bad-rank", "title": {"en": "X"}, "kind": "SELF_DATA", "status": "PROPOSED", "rank": 0},
        ("INVALID", "input.rank"),
        {"rank": 1},
    ),
    "experiment": (
        "Experiment",
        "experiment",
        {
            "slug": "lyon-gebiedonline",
            "title": {"en": "Neighbourhood platform in Lyon"},
            "status": "CANDIDATE",
            "territory": "lyon",
            "serves": ["lyon-social-welfare"],
            "replicates": "decode-amsterdam-gebiedonline",
            "adapts": True,
            "actors": [{"actor": "metropole-de-lyon", "role": "LEAD"}],
        },
        {
            "slug": "bad-dates",
            "title": {"en": "X"},
            "status": "PLANNED",
            "startDate": "2025-05-01",
            "endDate": "2024-01-01",
        },
        ("INVALID", "input.endDate"),
        {"status": "PLANNED", "startDate": "2027-01-15"},
    ),
    "swotItem": (
        "SwotItem",
        "swotItem",
        {
            "slug": "test-swot",
            "quadrant": "STRENGTH",
            "text": {"en": "A test strength"},
            "territory": "la-rochelle",
            "domain": "mobility",
        },
        {"slug": "no-quadrant", "text": {"en": "X"}},
        ("REQUIRED", "input.quadrant"),
        {"quadrant": "OPPORTUNITY"},
    ),
    "workshop": (
        "Workshop",
        "workshop",
        {
            "slug": "test-workshop",
            "title": {"fr": "Atelier SWOT"},
            "kind": "SWOT",
            "date": "2026-12-01",
            "online": True,
            "phase": 1,
            "territory": "rennes",
        },
        {"slug": "bad-phase", "title": {"fr": "X"}, "kind": "SWOT", "phase": 3},
        ("INVALID", "input.phase"),
        {"participantsCount": 12},
    ),
}


def create(
    api: Api, kind: str, input_: dict[str, Any], as_: str | None = "coordinator", key: str | None = None
) -> dict[str, Any]:
    suffix, field = KINDS[kind][0], KINDS[kind][1]
    query = f"""mutation ($input: {suffix}Input!, $key: String) {{
      create{suffix}(input: $input, idempotencyKey: $key) {{ {field} {{ id slug version label }} errors {{ code field message }} }}
    }}"""
    body = api.post(query, {"input": input_, "key": key}, as_=as_).json()
    assert "errors" not in body, body
    return body["data"][f"create{suffix}"]  # type: ignore[no-any-return]


def update(
    api: Api, kind: str, id_: str, version: int, patch: dict[str, Any], as_: str | None = "coordinator"
) -> dict[str, Any]:
    suffix, field = KINDS[kind][0], KINDS[kind][1]
    query = f"""mutation ($id: ID!, $version: Int!, $input: {suffix}Input!) {{
      update{suffix}(id: $id, version: $version, input: $input) {{ {field} {{ id slug version }} errors {{ code field message }} }}
    }}"""
    body = api.post(query, {"id": id_, "version": version, "input": patch}, as_=as_).json()
    assert "errors" not in body, body
    return body["data"][f"update{suffix}"]  # type: ignore[no-any-return]


def exists(api: Api, kind: str, slug: str) -> bool:
    id_ = base64.b64encode(f"{KINDS[kind][0]}:{slug}".encode()).decode()
    return node(api, id_) is not None


def node(api: Api, id_: str) -> Any:
    return api.data(
        "query ($id: ID!) { node(id: $id) { ... on Entry { slug version } } }", {"id": id_}, as_="coordinator"
    )["node"]


@pytest.mark.parametrize("kind", KINDS)
def test_create_then_update_with_the_current_version(api: Api, kind: str) -> None:
    _, field, good, _, _, patch = KINDS[kind]
    created = create(api, kind, good)
    assert created["errors"] == [] and created[field]["version"] == 1 and created[field]["slug"] == good["slug"]
    updated = update(api, kind, created[field]["id"], 1, patch)
    assert updated["errors"] == [] and updated[field]["version"] == 2


@pytest.mark.parametrize("kind", KINDS)
def test_bad_input_is_a_typed_error_and_writes_nothing(api: Api, kind: str) -> None:
    _, field, _, bad, (code, where), _ = KINDS[kind]
    result = create(api, kind, bad)
    assert result[field] is None
    assert (result["errors"][0]["code"], result["errors"][0]["field"]) == (code, where)
    assert not exists(api, kind, bad["slug"])


@pytest.mark.parametrize("kind", KINDS)
def test_a_stale_version_is_a_conflict_and_overwrites_nothing(api: Api, kind: str) -> None:
    _, field, good, _, _, patch = KINDS[kind]
    id_ = create(api, kind, good)[field]["id"]
    assert update(api, kind, id_, 1, patch)["errors"] == []
    stale = update(api, kind, id_, 1, patch)
    assert stale[field] is None and stale["errors"][0]["code"] == "CONFLICT"
    assert node(api, id_)["version"] == 2


@pytest.mark.parametrize("kind", KINDS)
def test_a_replayed_creation_returns_the_first_result(api: Api, kind: str) -> None:
    _, field, good, _, _, _ = KINDS[kind]
    first = create(api, kind, good, key=f"create-{kind}")
    again = create(api, kind, good, key=f"create-{kind}")
    assert again == first
    assert node(api, first[field]["id"])["version"] == 1


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("caller", "code"), [(None, "UNAUTHENTICATED"), ("hub", "FORBIDDEN")])
def test_hubs_and_anonymous_callers_may_not_create(api: Api, kind: str, caller: str | None, code: str) -> None:
    _, field, good, _, _, _ = KINDS[kind]
    result = create(api, kind, good, as_=caller)
    assert result[field] is None and result["errors"][0]["code"] == code
    assert not exists(api, kind, good["slug"])


def test_an_update_naming_a_missing_link_target_rolls_everything_back(api: Api) -> None:
    _, _, good, _, _, _ = KINDS["priority"]
    id_ = create(api, "priority", good)["priority"]["id"]
    result = update(api, "priority", id_, 1, {"rank": 3, "domains": ["waste", "no-such-domain"]})
    assert result["errors"][0]["code"] == "NOT_FOUND"
    after = api.data(
        "query ($id: ID!) { node(id: $id) { ... on Priority { version rank domains { nodes { slug } } } } }",
        {"id": id_},
        as_="coordinator",
    )["node"]
    assert after == {"version": 1, "rank": None, "domains": {"nodes": [{"slug": "waste"}]}}


def test_link_and_unlink_records(api: Api) -> None:
    ids = api.data('{ a: actor(slug: "cozy-cloud") { id } t: territory(slug: "nantes") { id } }')
    link = {"source": ids["a"]["id"], "relation": "PRESENT_IN", "target": ids["t"]["id"], "role": "platform"}
    query = "mutation ($input: LinkInput!) { %s(input: $input) { source { id } errors { code field } } }"
    nantes_actors = '{ territory(slug: "nantes") { actors(first: 100) { edges { role node { slug } } } } }'
    assert api.data(query % "linkRecords", {"input": link}, as_="coordinator")["linkRecords"]["errors"] == []
    edges = api.data(nantes_actors)["territory"]["actors"]["edges"]
    assert {"role": "platform", "node": {"slug": "cozy-cloud"}} in edges
    wrong = {**link, "relation": "SERVES"}
    assert (
        api.data(query % "linkRecords", {"input": wrong}, as_="coordinator")["linkRecords"]["errors"][0]["code"]
        == "INVALID"
    )
    refused = api.data(query % "linkRecords", {"input": link}, as_="hub")["linkRecords"]["errors"][0]["code"]
    assert refused == "FORBIDDEN"
    assert api.data(query % "unlinkRecords", {"input": link}, as_="coordinator")["unlinkRecords"]["errors"] == []
    assert "cozy-cloud" not in [e["node"]["slug"] for e in api.data(nantes_actors)["territory"]["actors"]["edges"]]


def test_admins_read_the_audit_trail_of_every_write(api: Api) -> None:
    _, _, good, _, _, patch = KINDS["territory"]
    id_ = create(api, "territory", good)["territory"]["id"]
    update(api, "territory", id_, 1, patch)
    query = "query ($id: ID) { auditTrail(record: $id) { totalCount nodes { who action record versionBefore versionAfter detail } } }"
    trail = api.data(query, {"id": id_}, as_="admin")["auditTrail"]
    assert trail["totalCount"] == 2
    created, updated = trail["nodes"]
    assert (created["action"], created["versionBefore"], created["versionAfter"]) == ("create", None, 1)
    assert (updated["action"], updated["versionBefore"], updated["versionAfter"]) == ("update", 1, 2)
    assert created["who"].startswith("coordinator:") and updated["detail"]["fields"] == ["population"]
    refused = api.post(query, {"id": id_}, as_="coordinator").json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_a_replayed_link_writes_once(api: Api) -> None:
    ids = api.data('{ a: actor(slug: "maif") { id } t: territory(slug: "rennes") { id } }')
    link = {"source": ids["a"]["id"], "relation": "PRESENT_IN", "target": ids["t"]["id"], "role": "partner"}
    query = 'mutation ($input: LinkInput!) { linkRecords(input: $input, idempotencyKey: "l-1") { source { id } errors { code } } }'
    audit = "{ auditTrail { totalCount } }"
    first = api.data(query, {"input": link}, as_="coordinator")
    size = api.data(audit, as_="admin")["auditTrail"]["totalCount"]
    assert api.data(query, {"input": link}, as_="coordinator") == first
    assert api.data(audit, as_="admin")["auditTrail"]["totalCount"] == size
