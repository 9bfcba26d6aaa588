"""Filters name what they do not know: a typo is an error, never an empty registry; review
states are a filter for hubs and coordinators."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api
from tests.api.test_case_studies import CASE, SUBMIT, submit

LIST = "query ($filter: UseCaseFilter) { useCases(filter: $filter) { totalCount nodes { slug reviewState } } }"


def errors_of(api: Api, filter: dict[str, Any], as_: str | None = None) -> list[dict[str, Any]]:
    body = api.post(LIST, {"filter": filter}, as_=as_).json()
    return body.get("errors") or []


def test_an_unknown_domain_slug_is_invalid_and_named(api: Api) -> None:
    # when a client filters by a domain that does not exist
    [error] = errors_of(api, {"domains": ["health", "energie"]})
    # then the answer says which value, where, rather than "nothing"
    assert error["extensions"]["code"] == "INVALID"
    assert error["extensions"]["field"] == "filter.domains"
    assert error["extensions"]["params"] == {
        "rule": "unknown",
        "unknown": [{"field": "filter.domains", "value": "energie"}],
    }
    assert "energie" in error["message"]


def test_every_unknown_value_of_every_filter_is_named_at_once(api: Api) -> None:
    [error] = errors_of(api, {"countries": ["France", "FR"], "territories": ["lyon", "atlantis"], "actors": ["nobody"]})
    unknown = error["extensions"]["params"]["unknown"]
    assert unknown == [
        {"field": "filter.countries", "value": "France"},
        {"field": "filter.territories", "value": "atlantis"},
        {"field": "filter.actors", "value": "nobody"},
    ]
    assert "ISO 3166-1" in error["message"]


def test_a_well_formed_country_no_record_has_is_a_true_none(api: Api) -> None:
    assert errors_of(api, {"countries": ["ZW"]}) == []
    assert api.data(LIST, {"filter": {"countries": ["ZW"]}})["useCases"]["totalCount"] == 0


def test_known_values_filter_as_before(api: Api) -> None:
    assert api.data(LIST, {"filter": {"domains": ["energy"], "countries": ["FR"]}})["useCases"]["totalCount"] > 0


def test_other_kinds_check_their_declared_filters_too(api: Api) -> None:
    body = api.post('{ actors(filter: {territories: ["atlantis"]}) { totalCount } }').json()
    assert body["errors"][0]["extensions"]["field"] == "filter.territories"
    body = api.post('{ territories(filter: {countries: ["fr"]}) { totalCount } }').json()
    assert body["errors"][0]["extensions"]["params"]["unknown"] == [{"field": "filter.countries", "value": "fr"}]


def test_an_unknown_status_is_refused_by_the_schema_naming_the_value(api: Api) -> None:
    # statuses and kinds are enums: the schema refuses an unknown one before anything runs
    response = api.post("{ useCases(filter: {statuses: [RUNNING]}) { totalCount } }")
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INVALID", "field": "filter.statuses[0]"}
    assert "RUNNING" in error["message"]


def test_review_states_filter_for_coordinators_and_hubs_and_refused_anonymously(api: Api) -> None:
    # given a hub's submission and a draft
    submit(api)
    draft = {**CASE, "slug": "a-hub-draft"}
    assert api.post(SUBMIT, {"input": draft, "draft": True}, as_="hub").json()["data"]["submitCaseStudy"]["useCase"]
    # when a coordinator asks for the submitted ones
    found = api.data(LIST, {"filter": {"reviewStates": ["SUBMITTED"]}}, as_="coordinator")["useCases"]
    # then they alone come, each saying its state
    assert found["nodes"] == [{"slug": "helsinki-waste-sorting-data", "reviewState": "SUBMITTED"}]
    # a hub sees its own draft by state, another hub nothing of it
    mine = api.data(LIST, {"filter": {"reviewStates": ["DRAFT"]}}, as_="hub")["useCases"]["nodes"]
    assert [n["slug"] for n in mine] == ["a-hub-draft"]
    assert api.data(LIST, {"filter": {"reviewStates": ["DRAFT"]}}, as_="other_hub")["useCases"]["totalCount"] == 0
    # and an anonymous caller is refused, rather than told "none"
    [error] = errors_of(api, {"reviewStates": ["SUBMITTED"]})
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("FORBIDDEN", "filter.reviewStates")


def test_unpublished_records_say_their_state_in_search_and_in_lists_of_a_coordinator(api: Api) -> None:
    submit(api)
    query = '{ search(text: "waste sorting") { nodes { ... on UseCase { slug reviewState } } } }'
    nodes = api.data(query, as_="coordinator")["search"]["nodes"]
    assert {"slug": "helsinki-waste-sorting-data", "reviewState": "SUBMITTED"} in nodes
    listed = api.data(LIST, {"filter": {}}, as_="coordinator")["useCases"]["nodes"]
    assert {n["reviewState"] for n in listed} >= {"PUBLISHED"}


def test_a_coordinators_path_marks_the_unpublished_case_study_it_runs_through(api: Api) -> None:
    # given a submitted case study in Helsinki (the path ends at Territory:helsinki, as a global ID)
    submit(api)
    case = 'useCase(slug: "helsinki-waste-sorting-data") { id }'
    start = api.data(f"{{ {case} }}", as_="coordinator")["useCase"]["id"]
    query = 'query ($from: ID!) { path(from: $from, to: "VGVycml0b3J5OmhlbHNpbmtp") { nodes { ... on Entry { slug url reviewState } } } }'
    nodes = api.data(query, {"from": start}, as_="coordinator")["path"]["nodes"]
    # then the path says the case study is submitted, and every step has its permalink
    assert nodes[0] == {
        "slug": "helsinki-waste-sorting-data",
        "url": "/explore/use-case/helsinki-waste-sorting-data",
        "reviewState": "SUBMITTED",
    }
    assert all(n["reviewState"] == "PUBLISHED" for n in nodes[1:])
