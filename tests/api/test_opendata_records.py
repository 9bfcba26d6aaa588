"""Each record's permalink answers linked data by content negotiation (issue 17, item 1)."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS

from registry.opendata.terms import DPV, PD, SCHEMA
from tests.api.conftest import Api
from tests.api.test_case_studies import CASE, SUBMIT

TURTLE = {"Accept": "text/turtle"}
JSON_LD = {"Accept": "application/ld+json"}


def graphs(api: Api, path: str) -> tuple[Graph, Graph]:
    turtle = api.client.get(path, headers=TURTLE)
    jsonld = api.client.get(path, headers=JSON_LD)
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    assert jsonld.status_code == 200 and jsonld.headers["content-type"].startswith("application/ld+json")
    assert turtle.headers["vary"] == "Accept"
    return Graph().parse(data=turtle.text, format="turtle"), Graph().parse(data=jsonld.text, format="json-ld")


def test_a_seeded_territory_as_json_ld_and_turtle_is_one_graph_with_its_memberships_and_sources(api: Api) -> None:
    # given Lyon, whose sources and organisations the registry lists
    lyon = api.data('{ territory(slug: "lyon") { sources { url } actors { edges { role node { slug } } } } }')[
        "territory"
    ]
    # when a client asks its permalink for JSON-LD, then for Turtle
    from_turtle, from_jsonld = graphs(api, "/explore/territory/lyon")
    # then both parse into the same graph
    assert isomorphic(from_turtle, from_jsonld)
    g = from_turtle
    me = URIRef(str(api.client.base_url).rstrip("/") + "/explore/territory/lyon")
    assert (me, RDF.type, SCHEMA.Place) in g and (me, RDF.type, ORG.Site) in g
    assert (me, SCHEMA.name, Literal("Grand Lyon (Métropole de Lyon)", lang="fr")) in g
    # every source, as dcterms:source
    assert {str(o) for o in g.objects(me, DCTERMS.source)} == {s["url"] for s in lyon["sources"]}
    # and each organisation's role on it, as an org:Membership
    edge = next(e for e in lyon["actors"]["edges"] if e["node"]["slug"] == "cozy-cloud")
    memberships = {  # actor slug -> the role's label
        str(g.value(m, ORG.member)).rsplit("/", 1)[-1]: str(g.value(g.value(m, ORG.role), RDFS.label))
        for m in g.subjects(RDF.type, ORG.Membership)
    }
    assert memberships["cozy-cloud"] == edge["role"].lower().replace("_", " ")
    assert len(memberships) == len(lyon["actors"]["edges"])


def test_an_inference_is_a_reified_statement_never_a_plain_triple(api: Api) -> None:
    # given Lyon, whose priorities_defined no source states (a labelled inference, "true")
    g, _ = graphs(api, "/explore/territory/lyon")
    me = next(g.subjects(DCTERMS.identifier, Literal("lyon")))
    statement = next(s for s in g.subjects(RDF.subject, me) if (s, RDF.type, RDF.Statement) in g)
    predicate = g.value(statement, RDF.predicate)
    # then the inference is stated about, with its reasoning and what it was derived from
    assert str(predicate).endswith("#prioritiesDefined")
    assert g.value(statement, RDF.object) == Literal("true")
    assert g.value(statement, SKOS.note) is not None
    assert set(g.objects(statement, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))) == set(
        g.objects(me, DCTERMS.source)
    )
    # and never asserted as a fact of the record
    assert (me, predicate, None) not in g


def test_a_use_case_names_its_personal_data_with_dpv(api: Api) -> None:
    # given a use case of location data
    nodes = api.data("{ useCases(filter: {dataCategories: [LOCATION]}, first: 1) { nodes { url } } }")["useCases"]
    g, _ = graphs(api, nodes["nodes"][0]["url"])
    me = next(g.subjects(RDF.type, SCHEMA.CreativeWork))
    # then its category is DPV's Location, an exact match of the registry's own concept
    assert (me, DPV.hasPersonalData, PD.Location) in g
    concept = next(c for c in g.objects(me, URIRef(str(me).split("/explore/")[0] + "/vocab#dataCategory")))
    assert (concept, SKOS.exactMatch, PD.Location) in g


def test_a_draft_has_no_public_permalink(api: Api) -> None:
    # given a hub's draft case study
    draft = api.post(SUBMIT, {"input": CASE, "draft": True}, as_="hub").json()["data"]["submitCaseStudy"]["useCase"]
    path = f"/explore/use-case/{draft['slug']}"
    # then an anonymous client finds nothing there, whatever it asks for
    for headers in (TURTLE, JSON_LD, {"Accept": "text/html"}):
        assert api.client.get(path, headers=headers).status_code == 404
    # while a published record's page is there
    assert api.client.get("/explore/use-case/ecolyo", headers={"Accept": "text/html"}).status_code == 200


def test_an_accept_header_naming_nothing_offered_is_answered_406_and_a_browser_gets_the_page(api: Api) -> None:
    refused = api.client.get("/explore/territory/lyon", headers={"Accept": "application/xml"})
    assert refused.status_code == 406 and "text/turtle" in refused.text
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = api.client.get("/explore/territory/lyon", headers={"Accept": browser})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    # a client preferring Turtle over JSON-LD by weight gets Turtle
    weighted = api.client.get("/explore/territory/lyon", headers={"Accept": "application/ld+json;q=0.5, text/turtle"})
    assert weighted.headers["content-type"].startswith("text/turtle")


def test_the_json_ld_dump_holds_every_public_record(api: Api) -> None:
    # given the count of public territories
    total = api.data("{ territories { totalCount } }")["territories"]["totalCount"]
    # when a client reads the dump
    dump = api.client.get("/records.jsonld")
    g = Graph().parse(data=dump.text, format="json-ld")
    # then every territory is in it, once
    assert len(set(g.subjects(RDF.type, SCHEMA.Place))) == total
