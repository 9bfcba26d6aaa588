"""Hubs submit case studies; coordinators publish or reject them."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api

SUBMIT = """
mutation ($input: CaseStudyInput!, $key: String, $draft: Boolean! = false) {
  submitCaseStudy(input: $input, idempotencyKey: $key, draft: $draft) {
    useCase { id slug version reviewState hub title sources { url title } domains { nodes { slug } } actors { edges { role node { slug } } } }
    errors { code field fields message params }
  }
}
"""

UPDATE = """
mutation ($id: ID!, $version: Int!, $input: CaseStudyInput!, $key: String) {
  updateCaseStudy(id: $id, version: $version, input: $input, idempotencyKey: $key) {
    useCase { slug version title summary reviewState }
    errors { code field message }
  }
}
"""

PUBLISH = """
mutation ($id: ID!, $version: Int!) {
  publishCaseStudy(id: $id, version: $version) { useCase { slug version reviewState } errors { code field message } }
}
"""

REJECT = """
mutation ($id: ID!, $version: Int!, $reason: String!) {
  rejectCaseStudy(id: $id, version: $version, reason: $reason) { useCase { slug reviewState reviewNote } errors { code field message } }
}
"""

READ = "query ($slug: String!) { useCase(slug: $slug) { slug version reviewState title } }"
COUNT = "{ useCases { totalCount } }"

CASE: dict[str, Any] = {
    "slug": "helsinki-waste-sorting-data",
    "title": {"en": "Waste sorting data returned to households", "fr": "Données de tri rendues aux ménages"},
    "summary": {"en": "A hub's case study."},
    "status": "PILOT",
    "governance": "TRUSTED_THIRD_PARTY",
    "yearStart": 2021,
    "domains": ["waste"],
    "territories": ["helsinki"],
    "actors": [{"actor": "city-of-helsinki", "role": "DATA_HOLDER"}],
    "sources": [{"url": "https://example.org/case", "title": "A hub's write-up", "seen": "2026-11-01"}],
}


def submit(api: Api, as_: str | None = "hub", key: str | None = None, **changes: Any) -> dict[str, Any]:
    response = api.post(SUBMIT, {"input": {**CASE, **changes}, "key": key}, as_=as_)
    assert response.status_code == 200
    return response.json()["data"]["submitCaseStudy"]  # type: ignore[no-any-return]


def audit_size(api: Api) -> int:
    return int(api.data("{ auditTrail { totalCount } }", as_="admin")["auditTrail"]["totalCount"])


def test_an_anonymous_submission_is_refused_and_writes_nothing(api: Api) -> None:
    before = (api.data(COUNT, as_="coordinator"), audit_size(api))
    result = submit(api, as_=None)
    assert result["useCase"] is None
    assert result["errors"][0]["code"] == "UNAUTHENTICATED"
    assert (api.data(COUNT, as_="coordinator"), audit_size(api)) == before


def test_a_hub_submits_and_only_it_and_coordinators_see_the_submission(api: Api) -> None:
    # when a hub submits a case study with its sources
    result = submit(api)
    case = result["useCase"]
    assert result["errors"] == [] and case["reviewState"] == "SUBMITTED" and case["hub"] == "hub-mydata-france"
    assert case["version"] == 1 and case["sources"][0]["url"] == "https://example.org/case"
    assert case["actors"]["edges"][0] == {"role": "data_holder", "node": {"slug": "city-of-helsinki"}}
    # then anonymous readers and other hubs do not see it; its hub and coordinators do
    assert api.data(READ, {"slug": CASE["slug"]})["useCase"] is None
    assert api.data(READ, {"slug": CASE["slug"]}, as_="other_hub")["useCase"] is None
    assert api.data(READ, {"slug": CASE["slug"]}, as_="hub")["useCase"]["reviewState"] == "SUBMITTED"
    assert api.data(READ, {"slug": CASE["slug"]}, as_="coordinator")["useCase"]["slug"] == CASE["slug"]


def test_bad_input_gets_typed_errors_and_writes_nothing(api: Api) -> None:
    before = api.data(COUNT, as_="coordinator")
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"sources": []}, "REQUIRED", "input.sources"),
        ({"sources": [{"url": "ftp://nowhere", "title": "x"}]}, "INVALID", "input.sources[0].url"),
        ({"title": None}, "REQUIRED", "input.title"),
        ({"yearStart": 1500}, "INVALID", "input.yearStart"),
        ({"yearStart": 2022, "yearEnd": 2020}, "INVALID", "input.yearEnd"),
        ({"slug": "Not A Slug"}, "INVALID", "input.slug"),
        ({"domains": ["astrology"]}, "NOT_FOUND", "input.domains[0]"),
        ({"actors": [{"actor": "nobody-at-all", "role": "OPERATOR"}]}, "NOT_FOUND", "input.actors[0].actor"),
        ({"country": "France"}, "INVALID", "input.country"),
    ]
    for changes, code, field in cases:
        result = submit(api, **changes)
        assert result["useCase"] is None, changes
        assert (result["errors"][0]["code"], result["errors"][0]["field"]) == (code, field), changes
        assert result["errors"][0]["message"]
    assert api.data(COUNT, as_="coordinator") == before


def test_a_submission_with_four_mistakes_gets_four_errors_and_writes_nothing(api: Api) -> None:
    # given a hub's form with a bad domain, a bad territory, an empty source title and reversed years
    before = (api.data(COUNT, as_="coordinator"), audit_size(api))
    sources = [CASE["sources"][0], {"url": "https://example.org/other", "title": "  "}]
    result = submit(
        api,
        domains=["waste", "energie"],
        territories=["helsinki", "lyon", "atlantis"],
        sources=sources,
        yearStart=2022,
        yearEnd=2020,
    )
    # then every mistake comes back at once, each where the client wrote it, with what to word it from
    assert result["useCase"] is None
    found = {error["field"]: error for error in result["errors"]}
    assert sorted(found) == ["input.domains[1]", "input.sources[1].title", "input.territories[2]", "input.yearEnd"]
    domain, territory = found["input.domains[1]"], found["input.territories[2]"]
    assert (domain["code"], domain["params"]) == (
        "NOT_FOUND",
        {"rule": "unknown", "value": "energie", "kind": "Domain"},
    )
    assert domain["message"] == "There is no domain 'energie'."
    assert territory["code"] == "NOT_FOUND" and territory["params"]["value"] == "atlantis"
    title = found["input.sources[1].title"]
    assert (title["code"], title["params"], title["message"]) == (
        "REQUIRED",
        {"rule": "required"},
        "A source needs a title.",
    )
    years = found["input.yearEnd"]
    assert years["fields"] == ["input.yearEnd", "input.yearStart"]
    assert (years["code"], years["params"]) == ("INVALID", {"rule": "order", "start": 2022, "end": 2020})
    assert "year_end" not in years["message"] and "2020" in years["message"]
    # and nothing was written
    assert (api.data(COUNT, as_="coordinator"), audit_size(api)) == before


def test_a_submission_with_an_id_of_another_kind_hears_of_it_with_the_rest(api: Api) -> None:
    domain_id = api.data("{ domains(first: 1) { nodes { id } } }")["domains"]["nodes"][0]["id"]
    result = submit(api, territories=[domain_id], yearStart=1500)
    found = {error["field"]: error["params"]["rule"] for error in result["errors"]}
    assert found == {"input.territories[0]": "one_of", "input.yearStart": "range"}


def test_a_replayed_submission_returns_the_first_result_and_writes_nothing(api: Api) -> None:
    first = submit(api, key="hub-retry-1")
    audit = audit_size(api)
    again = submit(api, key="hub-retry-1")
    assert again == first
    assert audit_size(api) == audit
    other = submit(api, key="hub-retry-1", slug="another-case")
    assert other["errors"][0]["code"] == "INVALID" and other["errors"][0]["field"] == "idempotencyKey"


def test_a_duplicate_slug_is_refused(api: Api) -> None:
    result = submit(api, slug="ecolyo")
    assert result["errors"][0]["code"] == "DUPLICATE" and result["errors"][0]["field"] == "input.slug"


def test_a_hub_edits_its_own_submission_and_a_stale_version_overwrites_nothing(api: Api) -> None:
    case = submit(api)["useCase"]
    change = {"summary": {"en": "Updated by the hub."}}
    updated = api.post(UPDATE, {"id": case["id"], "version": 1, "input": change}, as_="hub").json()["data"][
        "updateCaseStudy"
    ]
    assert updated["errors"] == [] and updated["useCase"]["version"] == 2
    assert updated["useCase"]["summary"] == "Updated by the hub."
    assert updated["useCase"]["title"] == CASE["title"]["en"]  # untouched fields stay
    # when a second client still holds version 1
    stale = api.post(UPDATE, {"id": case["id"], "version": 1, "input": {"summary": {"en": "Lost"}}}, as_="hub").json()
    error = stale["data"]["updateCaseStudy"]["errors"][0]
    assert (error["code"], error["field"]) == ("CONFLICT", "version")
    assert api.data(READ, {"slug": CASE["slug"]}, as_="hub")["useCase"]["version"] == 2
    summary = api.data('{ useCase(slug: "helsinki-waste-sorting-data") { summary } }', as_="hub")["useCase"]["summary"]
    assert summary == "Updated by the hub."


def test_other_hubs_and_anonymous_callers_cannot_edit(api: Api) -> None:
    case = submit(api)["useCase"]
    # another hub may not even learn that an unpublished case study exists: NOT_FOUND, as a missing one
    for caller, code in (("other_hub", "NOT_FOUND"), (None, "UNAUTHENTICATED")):
        body = api.post(UPDATE, {"id": case["id"], "version": 1, "input": {"summary": {"en": "x"}}}, as_=caller).json()
        assert body["data"]["updateCaseStudy"]["errors"][0]["code"] == code
    assert api.data(READ, {"slug": CASE["slug"]}, as_="hub")["useCase"]["version"] == 1


def test_a_coordinator_publishes_and_then_everyone_sees_it(api: Api) -> None:
    case = submit(api)["useCase"]
    refused = api.post(PUBLISH, {"id": case["id"], "version": 1}, as_="hub").json()["data"]["publishCaseStudy"]
    assert refused["errors"][0]["code"] == "FORBIDDEN"
    published = api.post(PUBLISH, {"id": case["id"], "version": 1}, as_="coordinator").json()["data"][
        "publishCaseStudy"
    ]
    assert published["errors"] == [] and published["useCase"]["reviewState"] == "PUBLISHED"
    assert api.data(READ, {"slug": CASE["slug"]})["useCase"]["reviewState"] == "PUBLISHED"
    # and once published, its hub may no longer edit it
    body = api.post(UPDATE, {"id": case["id"], "version": 2, "input": {"summary": {"en": "x"}}}, as_="hub").json()
    assert body["data"]["updateCaseStudy"]["errors"][0]["code"] == "INVALID_STATE"


def test_a_rejection_needs_a_reason_and_keeps_it(api: Api) -> None:
    case = submit(api)["useCase"]
    empty = api.post(REJECT, {"id": case["id"], "version": 1, "reason": "  "}, as_="coordinator").json()
    assert empty["data"]["rejectCaseStudy"]["errors"][0]["field"] == "reason"
    rejected = api.post(
        REJECT, {"id": case["id"], "version": 1, "reason": "No public source."}, as_="coordinator"
    ).json()
    use_case = rejected["data"]["rejectCaseStudy"]["useCase"]
    assert use_case == {"slug": CASE["slug"], "reviewState": "REJECTED", "reviewNote": "No public source."}
    # a rejected case study cannot be published as is
    again = api.post(PUBLISH, {"id": case["id"], "version": 2}, as_="coordinator").json()
    assert again["data"]["publishCaseStudy"]["errors"][0]["code"] == "INVALID_STATE"


def test_drafts_stay_with_their_hub_until_submitted(api: Api) -> None:
    draft = api.post(SUBMIT, {"input": CASE, "draft": True}, as_="hub").json()["data"]["submitCaseStudy"]["useCase"]
    assert draft["reviewState"] == "DRAFT"
    publish = api.post(PUBLISH, {"id": draft["id"], "version": 1}, as_="coordinator").json()
    assert publish["data"]["publishCaseStudy"]["errors"][0]["code"] == "INVALID_STATE"


def test_replayed_updates_and_reviews_return_the_first_result(api: Api) -> None:
    case = submit(api)["useCase"]
    update_ = """mutation ($id: ID!, $key: String) { updateCaseStudy(id: $id, version: 1, input: {summary: {en: "Once"}}, idempotencyKey: $key) {
      useCase { version summary } errors { code } } }"""
    first = api.post(update_, {"id": case["id"], "key": "u-1"}, as_="hub").json()
    again = api.post(update_, {"id": case["id"], "key": "u-1"}, as_="hub").json()
    assert first == again and first["data"]["updateCaseStudy"]["useCase"]["version"] == 2  # not a CONFLICT
    publish = """mutation ($id: ID!) { publishCaseStudy(id: $id, version: 2, idempotencyKey: "p-1") { useCase { version reviewState } errors { code } } }"""
    published = api.post(publish, {"id": case["id"]}, as_="coordinator").json()
    assert published == api.post(publish, {"id": case["id"]}, as_="coordinator").json()
    assert api.data(READ, {"slug": CASE["slug"]})["useCase"]["version"] == 3


def test_hubs_and_anonymous_callers_may_not_review(api: Api) -> None:
    case = submit(api)["useCase"]
    for caller, code in (("hub", "FORBIDDEN"), (None, "UNAUTHENTICATED")):
        body = api.post(REJECT, {"id": case["id"], "version": 1, "reason": "no"}, as_=caller).json()
        assert body["data"]["rejectCaseStudy"]["errors"][0]["code"] == code
        body = api.post(PUBLISH, {"id": case["id"], "version": 1}, as_=caller).json()
        assert body["data"]["publishCaseStudy"]["errors"][0]["code"] == code
    assert api.data(READ, {"slug": CASE["slug"]}, as_="hub")["useCase"]["reviewState"] == "SUBMITTED"


def test_a_stale_review_is_a_conflict(api: Api) -> None:
    case = submit(api)["useCase"]
    api.post(UPDATE, {"id": case["id"], "version": 1, "input": {"summary": {"en": "v2"}}}, as_="hub")
    stale = api.post(PUBLISH, {"id": case["id"], "version": 1}, as_="coordinator").json()["data"]["publishCaseStudy"]
    assert stale["errors"][0]["code"] == "CONFLICT"
    assert api.data(READ, {"slug": CASE["slug"]}) == {"useCase": None}  # still unpublished


def test_an_update_hears_of_every_problem_at_once_and_changes_nothing(api: Api) -> None:
    case = submit(api)["useCase"]
    change = {"yearStart": 1500, "country": "France", "sources": [{"url": "ftp://x", "title": ""}]}
    result = api.post(
        UPDATE.replace("errors { code field message }", "errors { code field params }"),
        {"id": case["id"], "version": 1, "input": change},
        as_="hub",
    ).json()["data"]["updateCaseStudy"]
    rules = {error["field"]: error["params"]["rule"] for error in result["errors"]}
    assert rules == {
        "input.yearStart": "range",
        "input.country": "format",
        "input.sources[0].url": "format",
        "input.sources[0].title": "required",
    }
    assert api.data(READ, {"slug": CASE["slug"]}, as_="hub")["useCase"]["version"] == 1
