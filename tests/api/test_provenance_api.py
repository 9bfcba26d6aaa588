"""Over GraphQL: a source says when it is only a home page, and inferences come apart from facts."""

from __future__ import annotations

from tests.api.conftest import Api

CASE = """
query ($slug: String!) {
  useCase(slug: $slug) {
    governance
    sources { url title homePageOnly }
    inferences { field value inferred reasoning { fr en } }
  }
}
"""


def test_a_use_case_shows_its_inference_apart_from_its_facts(api: Api) -> None:
    case = api.data(CASE, {"slug": "decode-amsterdam-fairbnb"})["useCase"]
    # the field no source states is unknown; the registry's guess is labelled as one, with its reasoning
    assert case["governance"] == "UNKNOWN"
    assert case["inferences"] == [
        {
            "field": "governance",
            "value": "data_cooperative",
            "inferred": True,
            "reasoning": {
                "fr": "FairBnB est une coopérative ; aucune source ne dit que les données du pilote étaient "
                "gouvernées en coopérative de données.",
                "en": "FairBnB is a cooperative; no source states that the pilot's data were governed as a "
                "data cooperative.",
            },
        }
    ]
    # and its source is the page that states the facts
    assert [s["homePageOnly"] for s in case["sources"]] == [None]
    assert case["sources"][0]["url"] == "https://decodeproject.eu/pilots.html"


def test_a_home_page_source_says_why_and_a_sourced_record_has_no_inferences(api: Api) -> None:
    case = api.data(CASE, {"slug": "decode-barcelona-citizen-science"})["useCase"]
    assert case["inferences"] == []
    marked = {s["url"]: s["homePageOnly"] for s in case["sources"]}
    assert "not found" in marked["https://ajuntament.barcelona.cat"]
    assert marked["https://www.nesta.org.uk/me-my-data-and-I/decode"] is None


def test_the_helsinki_workshop_kind_is_unknown_and_its_guess_labelled(api: Api) -> None:
    query = """{ workshops(first: 50) { nodes { slug kind inferences { field value inferred } } } }"""
    nodes = {n["slug"]: n for n in api.data(query)["workshops"]["nodes"]}
    helsinki = nodes["helsinki-workshop-mydata"]
    assert helsinki["kind"] == "UNKNOWN"
    assert helsinki["inferences"] == [{"field": "workshop_kind", "value": "swot", "inferred": True}]
    assert nodes["la-rochelle-swot-1"]["kind"] == "SWOT" and nodes["la-rochelle-swot-1"]["inferences"] == []
