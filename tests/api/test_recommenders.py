"""Partner cities and candidate experiments on the real seed data: order, scores and reasons."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api

PARTNERS = """
query ($territory: ID!, $first: Int) {
  partnerCities(territory: $territory, first: $first) {
    score
    territory { slug country kind }
    reasons { kind label weight domains actors territories values }
  }
}
"""

CANDIDATES = """
query ($priority: ID!, $first: Int) {
  candidateExperiments(priority: $priority, first: $first) {
    score
    useCase { slug status governance territories { nodes { slug } } domains { nodes { slug } } }
    reasons { kind label weight domains actors territories values inferred }
  }
}
"""


def _check_ranked(matches: list[Any]) -> None:  # answers as JSON decoded them
    """Every score is the sum of its reasons' weights; the list is by score, then slug."""
    for match in matches:
        assert match["reasons"], match
        assert abs(match["score"] - sum(r["weight"] for r in match["reasons"])) < 1e-9
        assert all(r["label"] and r["kind"] for r in match["reasons"])
    keys = [(-m["score"], (m.get("territory") or m.get("useCase"))["slug"]) for m in matches]
    assert keys == sorted(keys)


def test_partner_cities_for_lyon_are_ranked_with_reasons(api: Api) -> None:
    # given the seeded programme, when Lyon's coordinator asks for partner cities
    matches = api.data(PARTNERS, {"territory": "lyon", "first": 10})["partnerCities"]
    # then other territories come back ranked, never Lyon itself nor a whole country
    _check_ranked(matches)
    ranked = [m["territory"]["slug"] for m in matches]
    assert "lyon" not in ranked
    assert all(m["territory"]["kind"] != "COUNTRY" for m in matches)
    # and La Rochelle's reasons name the personal cloud both territories already run
    rochelle = next(m for m in matches if m["territory"]["slug"] == "la-rochelle")
    platform = next(r for r in rochelle["reasons"] if r["kind"] == "SHARED_PLATFORM")
    assert platform["actors"] == ["cozy-cloud"] and "Cozy Cloud" in platform["label"]
    # and French cities share a country, said in words and in data
    same_country = [r for r in rochelle["reasons"] if r["kind"] == "SAME_COUNTRY"]
    assert same_country and same_country[0]["values"] == ["FR"]
    # and cities with shared partners rank above those that share only a language
    assert ranked.index("rennes") < ranked.index("geneva") if "geneva" in ranked else True


def test_partner_cities_accept_a_global_id_and_give_the_same_order_every_time(api: Api) -> None:
    lyon_id = api.data('{ territory(slug: "lyon") { id } }')["territory"]["id"]
    by_slug = api.data(PARTNERS, {"territory": "lyon", "first": 5})
    by_id = api.data(PARTNERS, {"territory": lyon_id, "first": 5})
    assert by_slug == by_id
    assert len(by_id["partnerCities"]) == 5


def test_shared_priority_domain_weighs_on_partners(api: Api) -> None:
    # given Geneva adopts a priority in social welfare, Lyon's theme
    created = api.data(
        """mutation { createPriority(input: {slug: "geneva-social", title: {en: "Social welfare"}, kind: SELF_DATA,
             status: PROPOSED, territory: "geneva", domains: ["social-welfare"]}) { errors { code } } }""",
        as_="coordinator",
    )
    assert created["createPriority"]["errors"] == []
    # when Lyon asks again, then Geneva's match names the shared priority domain
    matches = api.data(PARTNERS, {"territory": "lyon", "first": 20})["partnerCities"]
    geneva = next(m for m in matches if m["territory"]["slug"] == "geneva")
    shared = next(r for r in geneva["reasons"] if r["kind"] == "SHARED_PRIORITY_DOMAIN")
    assert shared["domains"] == ["social-welfare"] and "Social welfare" in shared["label"]


def test_candidate_experiments_for_la_rochelle_mobility(api: Api) -> None:
    # when La Rochelle's coordinator asks which use cases could serve its mobility priority
    matches = api.data(CANDIDATES, {"priority": "la-rochelle-sustainable-mobility", "first": 10})[
        "candidateExperiments"
    ]
    _check_ranked(matches)
    # then every candidate covers mobility, and the reasons say so in data
    for match in matches:
        assert "mobility" in [d["slug"] for d in match["useCase"]["domains"]["nodes"]]
        assert next(r for r in match["reasons"] if r["kind"] == "DOMAIN_MATCH")["domains"] == ["mobility"]
    # and the use case that already ran there with the same partners comes first, with those partners named
    first = matches[0]
    assert first["useCase"]["slug"] == "coach-co2-tracemob"
    on_site = next(r for r in first["reasons"] if r["kind"] == "ACTOR_ON_TERRITORY")
    assert "cozy-cloud" in on_site["actors"]
    status = next(r for r in first["reasons"] if r["kind"] == "STATUS")
    assert status["values"] == ["completed"] and status["territories"] == ["la-rochelle"]


def test_candidate_experiments_for_lyon_social_welfare_reach_beyond_lyon(api: Api) -> None:
    matches = api.data(CANDIDATES, {"priority": "lyon-social-welfare"})["candidateExperiments"]
    _check_ranked(matches)
    places = {t["slug"] for m in matches for t in m["useCase"]["territories"]["nodes"]}
    assert "amsterdam" in places  # the Gebiedonline cooperative, in social welfare
    gebiedonline = next(m for m in matches if m["useCase"]["slug"] == "decode-amsterdam-gebiedonline")
    # no source states its governance: the model is the registry's inference, and the reason says so
    assert gebiedonline["useCase"]["governance"] == "UNKNOWN"
    governance = next(r for r in gebiedonline["reasons"] if r["kind"] == "DOCUMENTED_GOVERNANCE")
    assert governance["values"] == ["data_cooperative"] and governance["inferred"] is True
    assert "infers" in governance["label"] and "data cooperative" in governance["label"]
    # and reasons resting on sourced facts are not flagged
    assert not any(r["inferred"] for m in matches for r in m["reasons"] if r["kind"] != "DOCUMENTED_GOVERNANCE")


def test_the_readme_answers_for_lyon_and_la_rochelle(api: Api) -> None:
    # the README's example answers, asserted exactly: Rennes, then La Rochelle, then Nantes…
    partners = api.data(PARTNERS, {"territory": "lyon", "first": 5})["partnerCities"]
    assert [m["territory"]["slug"] for m in partners] == ["rennes", "la-rochelle", "nantes", "grenoble", "amsterdam"]
    rennes = {r["kind"]: r for r in partners[0]["reasons"]}
    assert rennes["SHARED_USE_CASE_DOMAIN"]["domains"] == ["energy", "water"]
    assert rennes["SHARED_PARTNER"]["actors"] == ["enedis", "fing", "grdf"]
    rochelle = {r["kind"]: r for r in partners[1]["reasons"]}
    assert rochelle["SHARED_PLATFORM"]["actors"] == ["cozy-cloud"] and rochelle["SHARED_PARTNER"]["actors"] == ["fing"]
    assert {"SAME_COUNTRY", "SHARED_LANGUAGE"} <= set(rochelle)
    # …and Coach CO2 / TraceMob first, the Tracemob commons second, RUDI third
    candidates = api.data(CANDIDATES, {"priority": "la-rochelle-sustainable-mobility", "first": 3})
    ranked = candidates["candidateExperiments"]
    assert [m["useCase"]["slug"] for m in ranked] == [
        "coach-co2-tracemob",
        "tracemob-commons",
        "rudi-rennes-urban-data-interface",
    ]
    coach = {r["kind"]: r for r in ranked[0]["reasons"]}
    assert coach["ACTOR_ON_TERRITORY"]["actors"] == [
        "cozy-cloud",
        "fabrique-des-mobilites",
        "la-rochelle-agglomeration",
        "numericite",
    ]
    commons = {r["kind"]: r for r in ranked[1]["reasons"]}
    assert commons["ACTOR_ON_TERRITORY"]["actors"] == ["cozy-cloud", "fabrique-des-mobilites"]
    assert commons["STATUS"]["values"] == ["unknown"] and "ALREADY_ON_TERRITORY" in commons
    assert ranked[2]["useCase"]["status"] == "LIVE"


def test_drafts_never_become_candidates(api: Api) -> None:
    # given a hub's submitted (unpublished) case study in mobility
    api.data(
        """mutation { submitCaseStudy(input: {slug: "draft-mobility", title: {en: "Draft mobility"}, status: IDEA,
             domains: ["mobility"], sources: [{url: "https://example.org/a", title: "A"}]}) { errors { code } } }""",
        as_="hub",
    )
    # then it is not proposed to coordinators as a candidate
    matches = api.data(CANDIDATES, {"priority": "la-rochelle-sustainable-mobility", "first": 100}, as_="coordinator")
    assert "draft-mobility" not in [m["useCase"]["slug"] for m in matches["candidateExperiments"]]


def test_unknown_territory_or_priority_is_a_not_found_error(api: Api) -> None:
    body = api.post(PARTNERS, {"territory": "atlantis"}).json()
    assert body["errors"][0]["extensions"] == {"code": "NOT_FOUND", "field": "territory"}
    body = api.post(CANDIDATES, {"priority": "lyon"}).json()
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    body = api.post(CANDIDATES, {"priority": "VGVycml0b3J5Omx5b24="}).json()  # a Territory's ID
    assert body["errors"][0]["extensions"] == {
        "code": "INVALID",
        "field": "priority",
        "params": {"rule": "one_of", "value": "Territory", "allowed": ["Priority"]},  # a form words it from these
    }


def test_a_write_shows_in_the_next_ranking_of_the_same_server(api: Api) -> None:
    # given Lyon's partners and La Rochelle's candidates, asked once (the server now holds their facts)
    before = api.data(PARTNERS, {"territory": "lyon", "first": 20})["partnerCities"]
    geneva = next(m for m in before if m["territory"]["slug"] == "geneva")
    assert "SHARED_PRIORITY_DOMAIN" not in [r["kind"] for r in geneva["reasons"]]
    candidates = api.data(CANDIDATES, {"priority": "la-rochelle-sustainable-mobility", "first": 100})
    assert "helsinki-bike-data" not in [m["useCase"]["slug"] for m in candidates["candidateExperiments"]]
    # when Geneva adopts Lyon's social-welfare theme, and a mobility case study is published
    created = api.data(
        """mutation { createPriority(input: {slug: "geneva-social", title: {en: "Social welfare"}, kind: SELF_DATA,
             status: PROPOSED, territory: "geneva", domains: ["social-welfare"]}) { errors { code } } }""",
        as_="coordinator",
    )
    assert created["createPriority"]["errors"] == []
    submitted = api.data(
        """mutation { submitCaseStudy(input: {slug: "helsinki-bike-data", title: {en: "Bike trips returned to riders"},
             status: PILOT, governance: PERSONAL_CLOUD, domains: ["mobility"], territories: ["helsinki"],
             sources: [{url: "https://example.org/bikes", title: "A synthetic test case"}]}) { useCase { id } } }""",
        as_="hub",
    )
    published = api.data(
        "mutation ($id: ID!) { publishCaseStudy(id: $id, version: 1) { errors { code } } }",
        {"id": submitted["submitCaseStudy"]["useCase"]["id"]},
        as_="coordinator",
    )
    assert published["publishCaseStudy"]["errors"] == []
    # then the very next rankings show both changes
    after = api.data(PARTNERS, {"territory": "lyon", "first": 20})["partnerCities"]
    geneva = next(m for m in after if m["territory"]["slug"] == "geneva")
    shared = next(r for r in geneva["reasons"] if r["kind"] == "SHARED_PRIORITY_DOMAIN")
    assert shared["domains"] == ["social-welfare"]
    candidates = api.data(CANDIDATES, {"priority": "la-rochelle-sustainable-mobility", "first": 100})
    new = next(m for m in candidates["candidateExperiments"] if m["useCase"]["slug"] == "helsinki-bike-data")
    assert next(r for r in new["reasons"] if r["kind"] == "DOMAIN_MATCH")["domains"] == ["mobility"]
    # and nothing else moved: the rest of Lyon's ranking is as it was
    unchanged = [m for m in after if m["territory"]["slug"] != "geneva"]
    assert unchanged == [m for m in before if m["territory"]["slug"] != "geneva"][: len(unchanged)]
