"""A coordinator reviewing a resubmitted case study sees, from the API, what the hub changed since
the version rejected, and the hub's name; callers who may not review it see neither."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api

SUBMIT = """mutation { submitCaseStudy(input: {slug: "lyon-energy-coaching", title: {en: "Energy coaching"},
  status: PILOT, governance: PERSONAL_CLOUD, domains: ["energy"], territories: ["lyon"], yearStart: 2020,
  sources: [{url: "https://example.org/coaching", title: "Coaching notes"}]}) { useCase { id version } errors { code } } }"""
REJECT = """mutation ($id: ID!, $v: Int!) { rejectCaseStudy(id: $id, version: $v, reason: "Is the pilot running?")
  { useCase { version } errors { code } } }"""
RESUBMIT = """mutation ($id: ID!, $v: Int!) { updateCaseStudy(id: $id, version: $v, submit: true, input: {
  status: LIVE, territories: ["lyon", "grenoble"]}) { useCase { version } errors { code message } } }"""
REVIEW = """{ useCase(slug: "lyon-energy-coaching") { reviewState contributor { slug name }
  changes { field before after } } }"""


def _submit_and_reject(api: Api) -> dict[str, Any]:
    case = api.data(SUBMIT, as_="hub")["submitCaseStudy"]
    assert case["errors"] == []
    rejected = api.data(REJECT, {"id": case["useCase"]["id"], "v": case["useCase"]["version"]}, as_="coordinator")
    assert rejected["rejectCaseStudy"]["errors"] == []
    return {"id": case["useCase"]["id"], "v": rejected["rejectCaseStudy"]["useCase"]["version"]}


def test_a_first_submission_has_nothing_to_compare_and_names_its_hub(api: Api) -> None:
    # given a case study just submitted by a hub
    assert api.data(SUBMIT, as_="hub")["submitCaseStudy"]["errors"] == []
    # then the coordinator sees the hub's name, and no comparison (no version was rejected)
    seen = api.data(REVIEW, as_="coordinator")["useCase"]
    assert seen["contributor"] == {"slug": "hub-mydata-france", "name": "Hub MyData France"}
    assert seen["changes"] is None


def test_a_resubmission_says_what_changed_since_the_rejected_version(api: Api) -> None:
    # given a rejected case study, when the hub changes its status, adds a territory and submits it again
    at = _submit_and_reject(api)
    again = api.data(RESUBMIT, at, as_="hub")["updateCaseStudy"]
    assert again["errors"] == []
    # then the coordinator sees those two facts, before and after, and only those
    seen = api.data(REVIEW, as_="coordinator")["useCase"]
    assert seen["reviewState"] == "SUBMITTED"
    assert seen["changes"] == [
        {"field": "status", "before": "PILOT", "after": "LIVE"},
        {"field": "territories", "before": ["lyon"], "after": ["grenoble", "lyon"]},
    ]
    # and the hub that wrote it sees the same
    assert api.data(REVIEW, as_="hub")["useCase"]["changes"] == seen["changes"]


def test_right_after_a_rejection_nothing_has_changed(api: Api) -> None:
    _submit_and_reject(api)
    assert api.data(REVIEW, as_="coordinator")["useCase"]["changes"] == []


def test_callers_who_may_not_review_it_see_neither(api: Api) -> None:
    at = _submit_and_reject(api)
    assert api.data(RESUBMIT, at, as_="hub")["updateCaseStudy"]["errors"] == []
    # another hub and an anonymous caller do not see the unpublished case study at all
    assert api.data(REVIEW, as_="other_hub")["useCase"] is None
    assert api.data(REVIEW)["useCase"] is None
    # and once published, anyone sees it, but neither the hub nor the comparison
    published = api.data(
        "mutation ($id: ID!, $v: Int!) { publishCaseStudy(id: $id, version: $v) { errors { code } } }",
        {"id": at["id"], "v": at["v"] + 1},
        as_="coordinator",
    )
    assert published["publishCaseStudy"]["errors"] == []
    public = api.data(REVIEW)["useCase"]
    assert public == {"reviewState": "PUBLISHED", "contributor": None, "changes": None}
    assert api.data(REVIEW, as_="other_hub")["useCase"]["changes"] is None
