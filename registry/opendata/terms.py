"""The vocabularies the linked data speaks, and how the registry's kinds and values map onto them.

schema.org names what things are (Place, Organization, CreativeWork, Project), W3C ORG an
organisation's role on a territory (`org:Membership`), DPV's personal-data extension (PD) the
categories of personal data, Dublin Core the sources, PROV the derivation of an inference.  What
none of them has a term for is said in the registry's own vocabulary, `REG`, served under the
registry's address (/vocab#…), so that no term of ours poses as a standard's.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, XSD

from registry.domain.records import Kind
from registry.domain.vocabulary import DataCategory

SCHEMA = Namespace("https://schema.org/")
DPV = Namespace("https://w3id.org/dpv#")
# DPV 2's personal-data extension; DPV 1 called it `dpv-pd` (https://w3id.org/dpv/dpv-pd#).
PD = Namespace("https://w3id.org/dpv/pd#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

__all__ = [
    "DCAT",
    "DCTERMS",
    "DPV",
    "FOAF",
    "KIND_CLASSES",
    "ORG",
    "PD",
    "PERSONAL_DATA",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SKOS",
    "VCARD",
    "XSD",
    "registry_vocabulary",
]


def registry_vocabulary(base: str) -> Namespace:
    """The registry's own terms, under the address it is served at."""
    return Namespace(f"{base}/vocab#")


# What a record of each kind is.  A territory is a place where organisations are present (org:Site
# is "a premise at which an organization is located", the nearest ORG has); an organisation is both
# a schema.org and an ORG organisation; a use case is a documented work, an experiment a project.
KIND_CLASSES: dict[Kind, tuple[URIRef, ...]] = {
    Kind.TERRITORY: (SCHEMA.Place, ORG.Site),
    Kind.ACTOR: (SCHEMA.Organization, ORG.Organization),
    Kind.DOMAIN: (SKOS.Concept,),
    Kind.USE_CASE: (SCHEMA.CreativeWork,),
    Kind.EXPERIMENT: (SCHEMA.Project,),
    Kind.PRIORITY: (SCHEMA.CreativeWork,),
    Kind.SWOT_ITEM: (SCHEMA.CreativeWork,),
    Kind.WORKSHOP: (SCHEMA.Event,),
    Kind.ROADMAP_ACTION: (SCHEMA.CreativeWork,),
    Kind.DATA_SERVICE: (SCHEMA.Service,),
}


# Each category of personal data as a DPV PD concept (terms checked against the PD extension's
# concept list, pd/pd.csv of the DPV repository).  (term, exact): where PD has no term of that
# meaning, the closest broader one, and `exact` False says so (the graph labels it, see graphs.py).
PERSONAL_DATA: dict[DataCategory, tuple[URIRef, bool]] = {
    # No consumption-of-energy term: "information about the consumption of a service".
    DataCategory.ENERGY_CONSUMPTION: (PD.ServiceConsumptionBehavior, False),
    DataCategory.WATER_CONSUMPTION: (PD.ServiceConsumptionBehavior, False),
    # No mobility term: travel history ("information about travel history", under Location).
    DataCategory.MOBILITY: (PD.TravelHistory, False),
    DataCategory.LOCATION: (PD.Location, True),
    # The services behind this category (My Kanta, Blue Button…) give people their health records.
    DataCategory.HEALTH: (PD.HealthRecord, True),
    DataCategory.BANKING: (PD.BankAccount, True),
    DataCategory.PURCHASES: (PD.Purchase, True),
    # No telecom term: communication ("information communicated from or to an individual").
    DataCategory.TELECOM: (PD.Communication, False),
    DataCategory.INSURANCE: (PD.Insurance, True),
    # No housing term: ownership ("ownership and history, including renting").
    DataCategory.HOUSING: (PD.Ownership, False),
    # No social-benefits term: income ("financial income e.g. for individual or household").
    DataCategory.SOCIAL_BENEFITS: (PD.Income, False),
    DataCategory.IDENTITY: (PD.Identifying, True),
    # No sensor term: the broadest, personal data itself.
    DataCategory.ENVIRONMENT_SENSORS: (DPV.PersonalData, False),
    # No civic-participation term: public life ("information about public life").
    DataCategory.PARTICIPATION: (PD.PublicLife, False),
    # No public-records term: official identifiers and documents are the closest.
    DataCategory.PUBLIC_RECORDS: (PD.OfficialID, False),
    # UNKNOWN says nothing: no triple.
}

PREFIXES = {
    "schema": SCHEMA,
    "org": ORG,
    "dpv": DPV,
    "pd": PD,
    "dcterms": DCTERMS,
    "prov": PROV,
    "skos": SKOS,
    "dcat": DCAT,
    "foaf": FOAF,
    "vcard": VCARD,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
}
