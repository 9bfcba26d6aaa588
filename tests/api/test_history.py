"""A record's `history` through the API: what changed, field by field, with its sources then, and
only the versions the caller may see (anonymous, the owning hub, another hub, a coordinator)."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api

SUBMIT = """mutation { submitCaseStudy(input: {slug: "lyon-energy-coaching", title: {en: "Energy coaching"},
  status: PILOT, domains: ["energy"], territories: ["lyon"],
  sources: [{url: "https://example.org/coaching", title: "Coaching notes"}]}) { useCase { id version } errors { code } } }"""
UPDATE = """mutation ($id: ID!, $v: Int!, $input: CaseStudyInput!, $submit: Boolean!) {
  updateCaseStudy(id: $id, version: $v, submit: $submit, input: $input) { useCase { version } errors { code message } } }"""
REJECT = """mutation ($id: ID!, $v: Int!) { rejectCaseStudy(id: $id, version: $v, reason: "Which year?")
  { useCase { version } errors { code } } }"""
PUBLISH = """mutation ($id: ID!, $v: Int!) { publishCaseStudy(id: $id, version: $v) { useCase { version } errors { code } } }"""
HISTORY = """{ useCase(slug: "lyon-energy-coaching") { history { version action changes { field before after }
  sources { url title } } } }"""
TERRITORY = """mutation ($v: Int!, $input: TerritoryInput!) { updateTerritory(id: "lyon", version: $v, input: $input)
  { territory { version } errors { code message } } }"""
TERRITORY_HISTORY = """{ territory(slug: "lyon") { version history { version action changes { field before after }
  sources { url } } } }"""


def _fields(version: dict[str, Any]) -> list[str]:
    return [c["field"] for c in version["changes"]]


def test_a_territory_after_two_updates_shows_both_changes(api: Api) -> None:
    # given Lyon, seeded before writes kept facts (so no version of it is shown yet)
    lyon = api.data(TERRITORY_HISTORY)["territory"]
    assert lyon["history"] == []
    # when a coordinator gives its population, then adds a language
    one = api.data(TERRITORY, {"v": lyon["version"], "input": {"population": 522250}}, as_="coordinator")
    assert one["updateTerritory"]["errors"] == []
    two = api.data(TERRITORY, {"v": lyon["version"] + 1, "input": {"languages": ["fr", "en"]}}, as_="coordinator")
    assert two["updateTerritory"]["errors"] == []
    # then anyone sees both versions, newest first, each with its one change and the sources then
    history = api.data(TERRITORY_HISTORY)["territory"]["history"]
    assert [v["version"] for v in history] == [lyon["version"] + 2, lyon["version"] + 1]
    assert history[0]["changes"] == [{"field": "languages", "before": ["fr"], "after": ["en", "fr"]}]
    assert history[1]["changes"] == [{"field": "population", "before": None, "after": 522250}]
    assert history[0]["sources"] and history[0]["sources"] == history[1]["sources"]


def _case_through_review(api: Api) -> dict[str, Any]:
    """Submitted, rejected, changed and resubmitted by its hub, then published, then edited by a coordinator."""
    case = api.data(SUBMIT, as_="hub")["submitCaseStudy"]["useCase"]
    v = api.data(REJECT, {"id": case["id"], "v": case["version"]}, as_="coordinator")["rejectCaseStudy"]["useCase"]
    draft = {"yearStart": 2019, "territories": ["lyon", "grenoble"]}
    sent = api.data(UPDATE, {"id": case["id"], "v": v["version"], "input": draft, "submit": True}, as_="hub")
    assert sent["updateCaseStudy"]["errors"] == []
    v = api.data(PUBLISH, {"id": case["id"], "v": v["version"] + 1}, as_="coordinator")["publishCaseStudy"]["useCase"]
    later = {"status": "LIVE", "sources": [{"url": "https://example.org/coaching/2021", "title": "Results"}]}
    edited = api.data(UPDATE, {"id": case["id"], "v": v["version"], "input": later, "submit": False}, as_="coordinator")
    assert edited["updateCaseStudy"]["errors"] == []
    return {"id": case["id"]}


def test_staff_and_the_owning_hub_see_every_version_of_a_case_study(api: Api) -> None:
    _case_through_review(api)
    for caller in ("coordinator", "hub"):
        history = api.data(HISTORY, as_=caller)["useCase"]["history"]
        assert [v["action"] for v in history] == ["update", "publish", "update", "reject", "submit"], caller
        submitted = history[-1]
        assert {"field": "status", "before": None, "after": "PILOT"} in submitted["changes"]
        assert {"field": "territories", "before": None, "after": ["lyon"]} in submitted["changes"]
        assert {"field": "reviewState", "before": None, "after": "SUBMITTED"} in submitted["changes"]
        resubmitted = history[2]
        assert {"field": "territories", "before": ["lyon"], "after": ["grenoble", "lyon"]} in resubmitted["changes"]
        assert {"field": "yearStart", "before": None, "after": 2019} in resubmitted["changes"]
        assert history[3]["changes"] == [{"field": "reviewState", "before": "SUBMITTED", "after": "REJECTED"}]


def test_anonymous_callers_and_other_hubs_see_published_versions_only(api: Api) -> None:
    _case_through_review(api)
    coordinator = api.data(HISTORY, as_="coordinator")["useCase"]["history"]
    for caller in (None, "other_hub"):
        history = api.data(HISTORY, as_=caller)["useCase"]["history"]
        # the publication shows every fact as published (no draft, submission or rejection left a trace)
        assert [v["action"] for v in history] == ["update", "publish"], caller
        first = history[1]
        published = {c["field"]: c["after"] for c in first["changes"]}
        assert sorted(published) == ["domains", "sources", "status", "territories", "title", "yearStart"]
        assert published["territories"] == ["grenoble", "lyon"]  # as published, not as first submitted
        assert published["yearStart"] == 2019 and published["status"] == "PILOT"
        assert published["sources"] == [{"url": "https://example.org/coaching", "title": "Coaching notes"}]
        assert all(c["before"] is None for c in first["changes"])
        assert "reviewState" not in {c["field"] for v in history for c in v["changes"]}
        # and the coordinator's later edit: the status and the sources, with the sources then
        assert history[0]["changes"] == [c for c in coordinator[0]["changes"] if c["field"] in ("status", "sources")]
        assert history[0]["sources"] == [{"url": "https://example.org/coaching/2021", "title": "Results"}]


def test_an_unpublished_case_study_has_no_history_for_others(api: Api) -> None:
    api.data(SUBMIT, as_="hub")
    # the record itself is missing for them, so is its history
    assert api.data(HISTORY)["useCase"] is None
    assert api.data(HISTORY, as_="other_hub")["useCase"] is None
    assert [v["action"] for v in api.data(HISTORY, as_="hub")["useCase"]["history"]] == ["submit"]


def test_a_history_longer_than_asked_is_cut_and_a_bad_limit_is_typed(api: Api) -> None:
    _case_through_review(api)
    one = api.data('{ useCase(slug: "lyon-energy-coaching") { history(limit: 1) { action } } }', as_="coordinator")
    assert one["useCase"]["history"] == [{"action": "update"}]
    body = api.post('{ useCase(slug: "lyon-energy-coaching") { history(limit: 500) { action } } }').json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID"
    assert body["errors"][0]["extensions"]["field"] == "limit"
