"""/catalog describes the registry in DCAT-AP, and validates against DCAT-AP's own SHACL shapes (issue 17, item 2)."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF

import registry.opendata
from tests.api.conftest import Api

SHAPES = Path(registry.opendata.__file__).parent / "shapes"


@pytest.fixture(scope="module")
def shapes() -> Graph:
    g = Graph()
    for name in ("shapes.ttl", "range.ttl"):  # DCAT-AP 3.0.1 (see shapes/README.md)
        g.parse(SHAPES / name, format="turtle")
    return g


def catalog(api: Api, accept: str) -> Graph:
    answer = api.client.get("/catalog", headers={"Accept": accept})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(accept)
    return Graph().parse(data=answer.text, format="turtle" if accept == "text/turtle" else "json-ld")


def test_the_catalogue_conforms_to_dcat_ap(api: Api, shapes: Graph) -> None:
    # given the catalogue as Turtle and as JSON-LD
    g = catalog(api, "text/turtle")
    assert isomorphic(g, catalog(api, "application/ld+json"))
    # when it is validated against DCAT-AP's shapes
    conforms, _, report = pyshacl.validate(g, shacl_graph=shapes)
    # then it conforms
    assert conforms, report


def test_a_catalogue_missing_what_dcat_ap_requires_does_not_conform(api: Api, shapes: Graph) -> None:
    # given the catalogue without its dataset's title and a distribution's access address
    g = catalog(api, "text/turtle")
    dataset = next(g.subjects(RDF.type, DCAT.Dataset))
    g.remove((dataset, DCTERMS.title, None))
    g.remove((next(g.objects(dataset, DCAT.distribution)), DCAT.accessURL, None))
    # then the shapes say so
    conforms, _, report = pyshacl.validate(g, shacl_graph=shapes)
    assert not conforms
    assert "dct:title" in report and "dcat:accessURL" in report


def test_its_distributions_are_the_exports_and_the_graphql_service(api: Api) -> None:
    g = catalog(api, "application/ld+json")
    base = str(api.client.base_url).rstrip("/")
    dataset = next(g.subjects(RDF.type, DCAT.Dataset))
    urls = {str(g.value(d, DCAT.accessURL)) for d in g.objects(dataset, DCAT.distribution)}
    assert {f"{base}/records.jsonl", f"{base}/records.jsonld", f"{base}/export/use-cases.csv"} <= urls
    service = next(g.subjects(RDF.type, DCAT.DataService))
    assert g.value(service, DCAT.endpointURL) == URIRef(f"{base}/graphql")
    assert (service, DCAT.servesDataset, dataset) in g
    # and every download address it gives answers
    for url in sorted(u for u in urls if not u.endswith("/graphql")):
        assert api.client.get(url.removeprefix(base)).status_code == 200, url
