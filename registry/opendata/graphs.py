"""A record as an RDF graph: its fields, its links, its sources, and its inferences kept apart.

Record IRIs are their permalinks (absolute), so that every IRI in a graph can be dereferenced
by content negotiation.  Facts are plain triples; an inference (a value no source states, see
`registry.domain.provenance`) is never one: it is an RDF reified statement (`rdf:Statement` with
`rdf:subject`, `rdf:predicate`, `rdf:object`), which RDF does not assert, typed `reg:Inference`,
with its reasoning (`skos:note`) and `prov:wasDerivedFrom` the record's sources.  A reader who
wants only facts ignores reified statements, which every RDF tool does by default.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rdflib import Graph, Literal, URIRef

from registry.domain.records import Kind, Record, Ref, Rel
from registry.domain.vocabulary import DataCategory
from registry.kinds import DECLARATIONS, PUBLIC_DECLARATIONS, display_name, permalink
from registry.opendata.terms import (
    DCTERMS,
    DPV,
    KIND_CLASSES,
    ORG,
    PERSONAL_DATA,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
    registry_vocabulary,
)
from registry.store.codec import format_time, label
from registry.store.port import PUBLIC, LinkGroup, Store

# Fields said with a standard's term; every other field is `reg:{fieldName}`.
STANDARD_FIELDS = {"summary": SCHEMA.description, "country": SCHEMA.addressCountry, "website": SCHEMA.url}
# Links said with a standard's term (by relation and direction); the others are `reg:{linkName}`.
STANDARD_LINKS = {
    (Rel.IN_TERRITORY, "from"): SCHEMA.spatialCoverage,
    (Rel.IN_DOMAIN, "from"): DCTERMS.subject,
    (Rel.PROVIDED_BY, "from"): SCHEMA.provider,
    (Rel.AVAILABLE_IN, "from"): SCHEMA.areaServed,
}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class Describer:
    """Builds the graph of some records, under the address `base` (scheme and host, no slash)."""

    def __init__(self, base: str, hubs: dict[str, str]) -> None:
        self.base = base
        self.reg = registry_vocabulary(base)
        self.hubs = hubs  # hub slug -> name
        self.graph = Graph()
        for prefix, namespace in PREFIXES.items():
            self.graph.bind(prefix, namespace)
        self.graph.bind("reg", self.reg)

    def iri(self, ref: Ref) -> URIRef:
        return URIRef(self.base + permalink(ref))

    def add(self, records: Sequence[Record], store: Store) -> Graph:
        """Every record's triples, and its visible links, read in one round trip."""
        for record in records:
            self._record(record)
        self._links(records, store)
        return self.graph

    # -- the record itself ---------------------------------------------------------------
    def _record(self, record: Record) -> None:
        g, me = self.graph, self.iri(record.ref)
        for cls in KIND_CLASSES.get(record.kind, (SCHEMA.Thing,)):
            g.add((me, RDF.type, cls))
        g.add((me, DCTERMS.identifier, Literal(record.slug)))
        g.add((me, RDFS.label, Literal(label(record))))
        if record.updated_at is not None:
            g.add((me, DCTERMS.modified, _time(record.updated_at)))
        named = display_name(record.kind)
        for spec in DECLARATIONS[record.kind].fields:
            if not spec.stored:
                continue
            value = record.data.get(spec.name)
            if value is None:
                continue  # unknown: no triple (an RDF reader's "nothing said")
            prop = SCHEMA.name if spec.name == named else STANDARD_FIELDS.get(spec.name, self.reg[camel(spec.name)])
            self._field(me, spec.name, spec.type, prop, value)
        for source in record.sources:
            url = URIRef(source.url)
            g.add((me, DCTERMS.source, url))
            g.add((url, DCTERMS.title, Literal(source.title)))
        for inference in record.data.get("inferences") or ():
            self._inference(me, record, inference)
        if record.hub is not None:
            hub = URIRef(f"{self.base}/hubs/{record.hub}")
            g.add((me, SCHEMA.contributor, hub))
            g.add((hub, RDF.type, SCHEMA.Organization))
            g.add((hub, RDF.type, ORG.Organization))
            g.add((hub, SCHEMA.name, Literal(self.hubs.get(record.hub, record.hub))))

    def _field(self, me: URIRef, name: str, kind: str, prop: URIRef, value: Any) -> None:
        g = self.graph
        if kind == "text" and isinstance(value, dict):
            for lang, text in value.items():
                if isinstance(text, str) and text:
                    g.add((me, prop, Literal(text, lang=lang)))
        elif kind == "coordinates" and isinstance(value, dict):
            point = URIRef(f"{me}#geo")
            g.add((me, SCHEMA.geo, point))
            g.add((point, RDF.type, SCHEMA.GeoCoordinates))
            g.add((point, SCHEMA.latitude, Literal(str(value["latitude"]), datatype=XSD.decimal)))
            g.add((point, SCHEMA.longitude, Literal(str(value["longitude"]), datatype=XSD.decimal)))
        elif kind == "positions" and isinstance(value, dict):
            for position, note in sorted(value.items()):
                node = URIRef(f"{me}#position-{position}")
                g.add((me, self.reg.position, node))
                g.add((node, self.reg.positionKind, Literal(position)))
                g.add((node, SKOS.note, Literal(str(note), lang="en")))
        elif name == "data_categories":
            for item in value:
                self._category(me, item)
        elif isinstance(value, list):
            for item in value:
                g.add((me, prop, Literal(item)))
        elif name == "website":
            g.add((me, prop, URIRef(str(value))))
        elif kind == "date":
            g.add((me, prop, Literal(str(value), datatype=XSD.date)))
        elif name.startswith("year_"):
            g.add((me, prop, Literal(str(value), datatype=XSD.gYear)))
        else:
            g.add((me, prop, Literal(value)))

    def _category(self, me: URIRef, value: str) -> None:
        """The registry's category, and the DPV term it maps to: exactly, or a broader one, said so."""
        g = self.graph
        category = DataCategory(value)
        concept = self.reg[f"category-{value}"]
        g.add((me, self.reg.dataCategory, concept))
        g.add((concept, RDF.type, SKOS.Concept))
        g.add((concept, SKOS.prefLabel, Literal(value.replace("_", " "), lang="en")))
        mapped = PERSONAL_DATA.get(category)
        if mapped is None:
            return
        term, exact = mapped
        g.add((me, DPV.hasPersonalData, term))
        g.add((concept, SKOS.exactMatch if exact else SKOS.broadMatch, term))

    def _inference(self, me: URIRef, record: Record, inference: dict[str, Any]) -> None:
        g = self.graph
        name = str(inference["field"])
        statement = URIRef(f"{me}#inferred-{name}")
        g.add((statement, RDF.type, RDF.Statement))
        g.add((statement, RDF.type, self.reg.Inference))
        g.add((statement, RDF.subject, me))
        g.add((statement, RDF.predicate, self.reg[camel(name)]))
        g.add((statement, RDF.object, Literal(str(inference["value"]))))
        for lang, text in (inference.get("reasoning") or {}).items():
            g.add((statement, SKOS.note, Literal(str(text), lang=lang)))
        for source in record.sources:
            g.add((statement, PROV.wasDerivedFrom, URIRef(source.url)))

    # -- links -------------------------------------------------------------------------------
    def _links(self, records: Sequence[Record], store: Store) -> None:
        wanted: list[tuple[Kind, str, Rel, str, Kind]] = []
        groups: list[LinkGroup] = []
        for kind in dict.fromkeys(r.kind for r in records):
            refs = tuple(r.ref for r in records if r.kind is kind)
            decl = PUBLIC_DECLARATIONS.get(kind)
            for link in decl.links if decl else ():
                wanted.append((kind, link.name, link.rel, link.direction, link.target))
                groups.append(LinkGroup(refs, link.direction, link.rel, link.target))
        found = store.linked(groups, PUBLIC) if groups else []
        for (_, name, rel, direction, _), linked in zip(wanted, found, strict=True):
            for ref, group in linked.items():
                for other, role in group.records:
                    self._link(ref, name, rel, direction, other, role)

    def _link(self, ref: Ref, name: str, rel: Rel, direction: str, other: Record, role: str) -> None:
        g, me, them = self.graph, self.iri(ref), self.iri(other.ref)
        for cls in KIND_CLASSES.get(other.kind, (SCHEMA.Thing,)):
            g.add((them, RDF.type, cls))
        g.add((them, RDFS.label, Literal(label(other))))
        if rel is Rel.PRESENT_IN:
            actor, territory = (me, them) if direction == "from" else (them, me)
            self._membership(actor, territory, role)
            return
        g.add((me, STANDARD_LINKS.get((rel, direction), self.reg[camel(name)]), them))
        if role:  # the link's role (an actor's in a use case): a qualified link
            node = URIRef(f"{me}#{camel(name)}-{other.slug}")
            g.add((me, self.reg.qualifiedLink, node))
            g.add((node, self.reg.target, them))
            g.add((node, ORG.role, self._role(role)))

    def _membership(self, actor: URIRef, territory: URIRef, role: str) -> None:
        """An organisation present on a territory as what: an org:Membership of the territory's
        network (the organisations the registry lists there), and org:hasSite the territory."""
        g = self.graph
        network = URIRef(f"{territory}#network")
        g.add((network, RDF.type, ORG.Organization))
        g.add((network, ORG.hasSite, territory))
        g.add((network, RDFS.label, Literal("Organisations the registry lists as present on the territory", lang="en")))
        membership = URIRef(f"{territory}#member-{str(actor).rsplit('/', 1)[-1]}")
        g.add((membership, RDF.type, ORG.Membership))
        g.add((membership, ORG.member, actor))
        g.add((membership, ORG.organization, network))
        if role:
            g.add((membership, ORG.role, self._role(role)))
        g.add((actor, ORG.hasSite, territory))

    def _role(self, role: str) -> URIRef:
        node = self.reg[f"role-{role}"]
        self.graph.add((node, RDF.type, ORG.Role))
        self.graph.add((node, RDFS.label, Literal(role.replace("_", " "), lang="en")))
        return node


def _time(at: datetime) -> Literal:
    return Literal(format_time(at), datatype=XSD.dateTime)


def describe(store: Store, records: Sequence[Record], base: str) -> Graph:
    """The graph of `records` (public ones: the caller has checked) and their visible links."""
    hubs = {hub.slug: hub.name for hub in store.hubs()} if any(r.hub for r in records) else {}
    return Describer(base, hubs).add(records, store)
