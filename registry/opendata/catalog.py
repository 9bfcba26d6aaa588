"""/catalog: the registry described as a DCAT-AP 3 catalogue, for data portals to harvest.

One dataset (the public records) with its distributions: the public JSON Lines export, the JSON-LD
dump, a CSV per kind (each takes the list's filters, see `csv_export`), and the GraphQL endpoint as
a `dcat:DataService` serving it.  Addresses are absolute, under the address the catalogue was asked
at.  Only what the registry knows of itself is said: no licence, publisher or contact is invented —
the publisher is the registry itself, named as its pages name it.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from starlette.requests import Request
from starlette.responses import Response

from registry.kinds import PUBLIC_DECLARATIONS
from registry.opendata.csv_export import csv_path
from registry.opendata.negotiation import JSON_LD, TURTLE, choose, graph_response, not_acceptable
from registry.opendata.records import base_of
from registry.opendata.terms import DCAT, DCTERMS, FOAF, PREFIXES, RDF

IANA = "http://www.iana.org/assignments/media-types/"
TITLE = "Self Data Territorial registry"
DESCRIPTION = (
    "Territories, organisations, policy domains, documented use cases, roadmap priorities, workshops, "
    "experiments and data services of the Self Data Territorial programme, each fact with its sources; "
    "what no source states is left unknown, and inferences are kept apart from facts."
)


def catalog_graph(base: str) -> Graph:
    g = Graph()
    for prefix, namespace in PREFIXES.items():
        g.bind(prefix, namespace)
    catalog, dataset = URIRef(f"{base}/catalog"), URIRef(f"{base}/catalog#records")
    publisher, service = URIRef(f"{base}/catalog#publisher"), URIRef(f"{base}/catalog#graphql")
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal(TITLE, lang="en")))
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((catalog, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((catalog, DCTERMS.publisher, publisher))
    explorer = URIRef(f"{base}/explore/")  # the explorer: the human-readable pages
    g.add((explorer, RDF.type, FOAF.Document))
    g.add((catalog, FOAF.homepage, explorer))
    g.add((catalog, DCAT.dataset, dataset))
    g.add((catalog, DCAT.service, service))

    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, Literal(f"{TITLE}: public records", lang="en")))
    g.add((dataset, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((dataset, DCTERMS.publisher, publisher))
    g.add((dataset, DCAT.landingPage, explorer))
    for word in ("self data", "personal data", "MyData", "territories", "use cases"):
        g.add((dataset, DCAT.keyword, Literal(word, lang="en")))

    def distribution(name: str, path: str, media: str, title: str) -> None:
        node = URIRef(f"{base}/catalog#{name}")
        g.add((dataset, DCAT.distribution, node))
        g.add((node, RDF.type, DCAT.Distribution))
        g.add((node, DCTERMS.title, Literal(title, lang="en")))
        g.add((node, DCAT.accessURL, URIRef(base + path)))
        g.add((node, DCAT.downloadURL, URIRef(base + path)))
        g.add((node, DCAT.mediaType, URIRef(IANA + media)))
        g.add((URIRef(IANA + media), RDF.type, DCTERMS.MediaType))

    distribution("jsonl", "/records.jsonl", "application/jsonl", "Public records and their links, JSON Lines")
    distribution("jsonld", "/records.jsonld", "application/ld+json", "Public records as linked data, JSON-LD")
    for decl in PUBLIC_DECLARATIONS.values():
        distribution(f"csv-{decl.url_segment}", csv_path(decl), "text/csv", f"{decl.label_en[1]}, CSV")

    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCTERMS.title, Literal(f"{TITLE}: GraphQL API", lang="en")))
    g.add((service, DCAT.endpointURL, URIRef(f"{base}/graphql")))
    g.add((service, DCAT.servesDataset, dataset))
    api = URIRef(f"{base}/catalog#graphql-access")
    g.add((dataset, DCAT.distribution, api))
    g.add((api, RDF.type, DCAT.Distribution))
    g.add((api, DCTERMS.title, Literal("GraphQL API", lang="en")))
    g.add((api, DCAT.accessURL, URIRef(f"{base}/graphql")))
    g.add((api, DCAT.accessService, service))
    return g


OFFERED = (JSON_LD, TURTLE)


async def catalog(request: Request) -> Response:
    """The catalogue as JSON-LD (the default) or Turtle, by Accept; 406 for anything else."""
    media = choose(request.headers.get("accept"), OFFERED)
    if media is None:
        return not_acceptable(OFFERED)
    return graph_response(catalog_graph(base_of(request)), media)
