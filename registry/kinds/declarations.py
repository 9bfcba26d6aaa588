"""The nine kinds of records, each declared once.

Fields are listed in the order the GraphQL type and input show them; descriptions
are the API's.  The interface's own fields (name or title, summary) come first.
"""

from __future__ import annotations

from dataclasses import replace

from registry.domain.records import Kind, Rel, ReviewState
from registry.domain.vocabulary import (
    AccessMode,
    ActorKind,
    DataCategory,
    ExperimentStatus,
    GovernanceModel,
    PriorityKind,
    PriorityStatus,
    ProgrammeStatus,
    SwotQuadrant,
    TerritoryKind,
    UseCaseStatus,
    WorkshopKind,
)
from registry.kinds.completeness import COMPLETENESS_FACET, COMPLETENESS_FILTER
from registry.kinds.method import METHOD_CASE, METHOD_PHASE, METHOD_WORKSHOP_KIND
from registry.kinds.spec import Facet, Field, Filter, KindDecl, Link, LinkSetter, RoleFlag, Vocabulary

_NAME = Field("name", "text", required=True)
_TITLE = Field("title", "text", required=True)
_SUMMARY = Field("summary", "text")
_TERRITORY = Link("territory", Rel.IN_TERRITORY, "from", Kind.TERRITORY, to_one=True)
_DOMAINS = Link("domains", Rel.IN_DOMAIN, "from", Kind.DOMAIN)
_SET_TERRITORY = LinkSetter("territory", Rel.IN_TERRITORY, Kind.TERRITORY, many=False)
_SET_DOMAINS = LinkSetter("domains", Rel.IN_DOMAIN, Kind.DOMAIN)
_SET_ACTORS = LinkSetter("actors", Rel.INVOLVES, Kind.ACTOR, roles=True)
_WITHIN = Filter("within", "fields", "within", description="Records whose coordinates lie in the box.")
_DATA_CATEGORIES = Filter(
    "data_categories",
    "fields",
    "has",
    DataCategory,
    description="Records giving access to at least one of these categories of personal data.",
    column="data_categories",
)
_BY_TERRITORIES = Filter("territories", "territories", "slugs", target=Kind.TERRITORY)
_BY_DOMAINS = Filter("domains", "domains", "slugs", target=Kind.DOMAIN)
_DOMAIN_COUNTS = Facet("domains", rels=(Rel.IN_DOMAIN,))
_COUNTRY_COUNTS = Facet("countries", column="country")


def _counts(name: str, column: str, vocabulary: Vocabulary) -> Facet:
    return Facet(name, column=column, vocabulary=vocabulary)


_BY_COUNTRIES = Filter("countries", "countries", "slugs", description="ISO 3166-1 alpha-2 codes.", format="country")


TERRITORY = KindDecl(
    Kind.TERRITORY,
    "Named",
    ("Territory", "Territories"),
    ("Territoire", "Territoires"),
    fields=(
        _NAME,
        _SUMMARY,
        Field("territory_kind", "enum", TerritoryKind, required=True, attribute="kind", column="subkind"),
        Field("country", "str", required=True, description="ISO 3166-1 alpha-2 code.", column="country"),
        Field(
            "coordinates",
            "coordinates",
            description="Where it is (WGS84), as its cited source states it; null when unknown.",
            column="coordinates",
        ),
        Field("population", "int", description="Null when the sources do not give it.", bounds=(0, 2_000_000_000)),
        Field("languages", "str_list", description="ISO 639-1 codes."),
        Field("programme_status", "enum", ProgrammeStatus, required=True, column="status"),
        Field(
            "priorities_defined",
            "bool",
            description="Whether its Self Data priorities are already defined; null when unknown.",
        ),
        Field(
            "positions",
            "positions",
            description="Its positions (data controller, innovation supporter, democratic organisation), with notes.",
        ),
    ),
    links=(
        Link("priorities", Rel.IN_TERRITORY, "to", Kind.PRIORITY),
        Link(
            "actors",
            Rel.PRESENT_IN,
            "to",
            Kind.ACTOR,
            description="Organisations present on the territory; the edge's role says as what.",
        ),
        Link("use_cases", Rel.IN_TERRITORY, "to", Kind.USE_CASE),
        Link("experiments", Rel.IN_TERRITORY, "to", Kind.EXPERIMENT),
        Link("swot_items", Rel.IN_TERRITORY, "to", Kind.SWOT_ITEM),
        Link("workshops", Rel.IN_TERRITORY, "to", Kind.WORKSHOP),
        Link(
            "data_services",
            Rel.AVAILABLE_IN,
            "to",
            Kind.DATA_SERVICE,
            description="Services through which people here get their own data (those of its country are listed there).",
        ),
    ),
    filters=(
        Filter("kinds", "subkinds", "values", TerritoryKind),
        _BY_COUNTRIES,
        Filter("statuses", "statuses", "values", ProgrammeStatus),
        _WITHIN,
    ),
    facets=(
        _counts("kinds", "subkind", TerritoryKind),
        _COUNTRY_COUNTS,
        _counts("statuses", "status", ProgrammeStatus),
    ),
    seed_file="territories.toml",
    seed_table="territory",
    plural="territories",
    lookup=True,
)

ACTOR = KindDecl(
    Kind.ACTOR,
    "Named",
    ("Organisation", "Organisations"),
    ("Organisation", "Organisations"),
    fields=(
        _NAME,
        _SUMMARY,
        Field("actor_kind", "enum", ActorKind, required=True, attribute="kind", column="subkind"),
        Field("country", "str", column="country"),
        Field("website", "str"),
    ),
    links=(
        Link(
            "territories",
            Rel.PRESENT_IN,
            "from",
            Kind.TERRITORY,
            description="Territories it works on; the edge's role says as what.",
        ),
        Link(
            "use_cases",
            Rel.INVOLVES,
            "to",
            Kind.USE_CASE,
            description="Use cases it takes part in; the edge's role says as what.",
        ),
        Link(
            "data_services",
            Rel.PROVIDED_BY,
            "to",
            Kind.DATA_SERVICE,
            description="Services it runs through which people get their own data.",
        ),
    ),
    link_inputs=(
        LinkSetter(
            "present_in",
            Rel.PRESENT_IN,
            Kind.TERRITORY,
            roles=True,
            description="Replaces the territories it works on.",
        ),
    ),
    filters=(
        Filter("kinds", "subkinds", "values", ActorKind),
        _BY_COUNTRIES,
        Filter("territories", "territories", "slugs", description="Territory slugs.", target=Kind.TERRITORY),
    ),
    facets=(_counts("kinds", "subkind", ActorKind), _COUNTRY_COUNTS, Facet("territories", rels=(Rel.PRESENT_IN,))),
    seed_file="actors.toml",
    seed_table="actor",
    lookup=True,
)

DOMAIN = KindDecl(
    Kind.DOMAIN,
    "Named",
    ("Domain", "Domains"),
    ("Domaine", "Domaines"),
    fields=(_NAME, _SUMMARY),
    links=(
        Link("use_cases", Rel.IN_DOMAIN, "to", Kind.USE_CASE),
        Link("priorities", Rel.IN_DOMAIN, "to", Kind.PRIORITY),
    ),
    editable=False,
    seed_file="domains.toml",
    seed_table="domain",
)

USE_CASE = KindDecl(
    Kind.USE_CASE,
    "Titled",
    ("Use case", "Use cases"),
    ("Cas d'usage", "Cas d'usage"),
    fields=(
        _TITLE,
        _SUMMARY,
        Field("outcomes", "text"),
        Field("status", "enum", UseCaseStatus, required=True, column="status"),
        Field("governance", "enum", GovernanceModel, column="governance", null_as=GovernanceModel.UNKNOWN),
        Field("data_categories", "enum_list", DataCategory, column="data_categories"),
        Field("year_start", "int", column="year_start", bounds=(1900, 2100)),
        Field("year_end", "int", column="year_end", bounds=(1900, 2100)),
        Field("country", "str", column="country"),
        Field(
            "review_state",
            "review_state",
            description="Review state: drafts and submissions are seen by their hub and coordinators only.",
            editable=False,
            stored=False,
        ),
        Field("review_note", "str", description="Why a coordinator rejected it.", editable=False),
        Field("hub", "hub", description="The hub that contributed it.", editable=False, stored=False),
    ),
    links=(
        _DOMAINS,
        Link("territories", Rel.IN_TERRITORY, "from", Kind.TERRITORY),
        Link(
            "actors",
            Rel.INVOLVES,
            "from",
            Kind.ACTOR,
            description="Organisations involved; the edge's role says as what (data holder, platform…).",
        ),
        Link(
            "experiments",
            Rel.REPLICATES,
            "to",
            Kind.EXPERIMENT,
            description="Experiments that replicate or adapt it.",
        ),
        Link(
            "data_services",
            Rel.RELIES_ON,
            "from",
            Kind.DATA_SERVICE,
            description="The services through which it gets people's own data.",
        ),
    ),
    link_inputs=(
        _SET_DOMAINS,
        LinkSetter("territories", Rel.IN_TERRITORY, Kind.TERRITORY),
        _SET_ACTORS,
        LinkSetter("data_services", Rel.RELIES_ON, Kind.DATA_SERVICE, description="The services it relies on."),
    ),
    filters=(
        Filter("domains", "domains", "slugs", description="Domain slugs.", target=Kind.DOMAIN),
        Filter("territories", "territories", "slugs", description="Territory slugs.", target=Kind.TERRITORY),
        _BY_COUNTRIES,
        Filter("actors", "actors", "slugs", description="Actor slugs.", target=Kind.ACTOR),
        Filter("actor_kinds", "actor_kinds", "values", ActorKind),
        Filter("statuses", "statuses", "values", UseCaseStatus),
        Filter("governance", "governance", "values", GovernanceModel),
        Filter(
            "year_from",
            "year_from",
            "int",
            description="Active in or after this year (use cases whose years are unknown are left out).",
        ),
        Filter(
            "year_to",
            "year_to",
            "int",
            description="Started in or before this year (use cases whose years are unknown are left out).",
        ),
        _DATA_CATEGORIES,
        Filter(
            "data_services",
            "links",
            "linked",
            description="Data service slugs: use cases relying on one of them.",
            rels=(Rel.RELIES_ON,),
            target=Kind.DATA_SERVICE,
        ),
        Filter(
            "within",
            "links",
            "linked_within",
            description="Use cases on a territory whose coordinates lie in the box.",
            rels=(Rel.IN_TERRITORY,),
        ),
        Filter(
            "review_states",
            "review_states",
            "values",
            ReviewState,
            description="Hubs and coordinators only (anonymous callers get FORBIDDEN): case studies in these review "
            "states, among those the caller may see.",
            restricted=True,
        ),
    ),
    facets=(
        _DOMAIN_COUNTS,
        _COUNTRY_COUNTS,
        _counts("statuses", "status", UseCaseStatus),
        _counts("governance", "governance", GovernanceModel),
        Facet("territory_kinds", rels=(Rel.IN_TERRITORY,), by="subkind", vocabulary=TerritoryKind),
        Facet("data_categories", items="data_categories", vocabulary=DataCategory),
        _counts("review_states", "review_state", ReviewState),
    ),
    editable=False,  # hubs submit case studies; coordinators publish them (see `mutations`)
    hub_editable=True,
    input_name="CaseStudyInput",
    payload_name="CaseStudyPayload",
    seed_file="use_cases.toml",
    seed_table="use_case",
    lookup=True,
)

PRIORITY = KindDecl(
    Kind.PRIORITY,
    "Titled",
    ("Priority", "Priorities"),
    ("Priorité", "Priorités"),
    fields=(
        _TITLE,
        _SUMMARY,
        Field("priority_kind", "enum", PriorityKind, required=True, attribute="kind", column="subkind"),
        Field("rank", "int", bounds=(1, 1000)),
        Field("status", "enum", PriorityStatus, required=True, column="status"),
    ),
    links=(
        _TERRITORY,
        _DOMAINS,
        Link(
            "linked_priorities",
            Rel.LINKED_TO,
            "from",
            Kind.PRIORITY,
            description="The political priorities an interview linked this Self Data priority to (and back).",
        ),
        Link("experiments", Rel.SERVES, "to", Kind.EXPERIMENT),
    ),
    link_inputs=(
        _SET_TERRITORY,
        _SET_DOMAINS,
        LinkSetter(
            "linked_to",
            Rel.LINKED_TO,
            Kind.PRIORITY,
            description="Political priorities this Self Data priority serves.",
        ),
        LinkSetter("workshop", Rel.FROM_WORKSHOP, Kind.WORKSHOP, many=False),
    ),
    filters=(
        _BY_TERRITORIES,
        _BY_DOMAINS,
        Filter("kinds", "subkinds", "values", PriorityKind),
        Filter("statuses", "statuses", "values", PriorityStatus),
    ),
    facets=(_DOMAIN_COUNTS, _counts("kinds", "subkind", PriorityKind), _counts("statuses", "status", PriorityStatus)),
    seed_file="priorities.toml",
    seed_table="priority",
    plural="priorities",
)

EXPERIMENT = KindDecl(
    Kind.EXPERIMENT,
    "Titled",
    ("Experiment", "Experiments"),
    ("Expérimentation", "Expérimentations"),
    fields=(
        _TITLE,
        _SUMMARY,
        Field("status", "enum", ExperimentStatus, required=True, column="status"),
        Field("start_date", "date"),
        Field("end_date", "date"),
    ),
    links=(
        _TERRITORY,
        Link(
            "use_case",
            Rel.REPLICATES,
            "from",
            Kind.USE_CASE,
            to_one=True,
            description="The use case it replicates or adapts.",
        ),
        Link("priorities", Rel.SERVES, "from", Kind.PRIORITY),
        Link("actors", Rel.INVOLVES, "from", Kind.ACTOR),
    ),
    link_inputs=(
        _SET_TERRITORY,
        LinkSetter("serves", Rel.SERVES, Kind.PRIORITY, description="The priorities it serves."),
        LinkSetter(
            "replicates",
            Rel.REPLICATES,
            Kind.USE_CASE,
            many=False,
            description="The use case it replicates or adapts.",
            flag=RoleFlag("adapts", "True when it adapts rather than replicates the use case.", "adapts", "replicates"),
        ),
        _SET_DOMAINS,
        _SET_ACTORS,
    ),
    filters=(_BY_TERRITORIES, _BY_DOMAINS, Filter("statuses", "statuses", "values", ExperimentStatus)),
    facets=(_DOMAIN_COUNTS, _counts("statuses", "status", ExperimentStatus)),
    seed_file="experiments.toml",
    seed_table="experiment",
)

SWOT_ITEM = KindDecl(
    Kind.SWOT_ITEM,
    "Entry",
    ("SWOT item", "SWOT items"),
    ("Élément AFOM", "Éléments AFOM"),
    fields=(
        Field("quadrant", "enum", SwotQuadrant, required=True, column="subkind"),
        Field("text", "text", required=True),
    ),
    links=(
        _TERRITORY,
        Link("actor", Rel.ABOUT_ACTOR, "from", Kind.ACTOR, to_one=True),
        Link("domain", Rel.IN_DOMAIN, "from", Kind.DOMAIN, to_one=True),
        Link("workshop", Rel.FROM_WORKSHOP, "from", Kind.WORKSHOP, to_one=True),
    ),
    link_inputs=(
        _SET_TERRITORY,
        LinkSetter("actor", Rel.ABOUT_ACTOR, Kind.ACTOR, many=False),
        LinkSetter("domain", Rel.IN_DOMAIN, Kind.DOMAIN, many=False),
        LinkSetter("workshop", Rel.FROM_WORKSHOP, Kind.WORKSHOP, many=False),
    ),
    filters=(_BY_TERRITORIES, _BY_DOMAINS, Filter("quadrants", "subkinds", "values", SwotQuadrant)),
    facets=(_DOMAIN_COUNTS, _counts("quadrants", "subkind", SwotQuadrant)),
)

WORKSHOP = KindDecl(
    Kind.WORKSHOP,
    "Titled",
    ("Workshop", "Workshops"),
    ("Atelier", "Ateliers"),
    fields=(
        _TITLE,
        _SUMMARY,
        # UNKNOWN when no source states the kind (see `inferences` for a labelled guess), as for
        # governance: the field stays non-null, as released (a null would break typed clients).
        Field("workshop_kind", "enum", WorkshopKind, attribute="kind", column="subkind", null_as=WorkshopKind.UNKNOWN),
        Field("date", "date", attribute="held_on", graphql_name="date"),
        Field("online", "bool"),
        Field(
            "phase",
            "int",
            description="Method phase: 1 explore, analyse, connect; 2 share, formulate, elaborate.",
            bounds=(1, 2),
        ),
        Field("participants_count", "int", bounds=(0, 100_000)),
    ),
    links=(
        _TERRITORY,
        Link("participating_actors", Rel.PARTICIPANT, "from", Kind.ACTOR),
        Link("participating_territories", Rel.PARTICIPANT, "from", Kind.TERRITORY),
    ),
    link_inputs=(
        _SET_TERRITORY,
        LinkSetter("participating_actors", Rel.PARTICIPANT, Kind.ACTOR, seed_key="participants"),
        LinkSetter("participating_territories", Rel.PARTICIPANT, Kind.TERRITORY, seed_key="participants"),
    ),
    filters=(_BY_TERRITORIES, Filter("kinds", "subkinds", "values", WorkshopKind)),
    facets=(_counts("kinds", "subkind", WorkshopKind),),
    seed_file="workshops.toml",
    seed_table="workshop",
)

ROADMAP_ACTION = KindDecl(
    Kind.ROADMAP_ACTION,
    "Titled",
    ("Roadmap action", "Roadmap actions"),
    ("Action de la feuille de route", "Actions de la feuille de route"),
    fields=(_TITLE, _SUMMARY, Field("number", "int", bounds=(1, 1000))),
    links=(_DOMAINS,),
    link_inputs=(_SET_DOMAINS,),  # set by the seed files only
    editable=False,
    seed_file="roadmap_actions.toml",
    seed_table="roadmap_action",
)

DATA_SERVICE = KindDecl(
    Kind.DATA_SERVICE,
    "Named",
    ("Data service", "Data services"),
    ("Service de données", "Services de données"),
    fields=(
        _NAME,
        _SUMMARY,
        Field("access_modes", "enum_list", AccessMode, description="How people reach it."),
        Field(
            "data_categories",
            "enum_list",
            DataCategory,
            description="The categories of personal data it gives people access to.",
            column="data_categories",
        ),
        Field("standard", "str", description="A named standard it follows; null when no source names one."),
        Field("website", "str"),
        Field("year_start", "int", description="The year it opened, when a source states it.", bounds=(1900, 2100)),
    ),
    links=(
        Link("provider", Rel.PROVIDED_BY, "from", Kind.ACTOR, to_one=True, description="The organisation running it."),
        Link(
            "territories",
            Rel.AVAILABLE_IN,
            "from",
            Kind.TERRITORY,
            description="Where people can use it: territories or whole countries.",
        ),
        Link("use_cases", Rel.RELIES_ON, "to", Kind.USE_CASE, description="Use cases that rely on it."),
    ),
    link_inputs=(
        LinkSetter("provider", Rel.PROVIDED_BY, Kind.ACTOR, many=False),
        LinkSetter("available_in", Rel.AVAILABLE_IN, Kind.TERRITORY, description="Replaces where it is available."),
    ),
    filters=(
        _DATA_CATEGORIES,
        Filter(
            "countries",
            "links",
            "linked_values",
            description="ISO 3166-1 alpha-2 codes: services available in one of these countries, or on one of their territories.",
            rels=(Rel.AVAILABLE_IN,),
            column="country",
        ),
    ),
    seed_file="data_services.toml",
    seed_table="data_service",
)


def _measured(decl: KindDecl) -> KindDecl:
    """Every public kind whose list has filters and facets also filters and counts by completeness
    (registry.kinds.completeness): a new kind gets them with nothing to declare."""
    if not decl.public:
        return decl
    return replace(
        decl,
        filters=(*decl.filters, COMPLETENESS_FILTER) if decl.filters else (),
        facets=(*decl.facets, COMPLETENESS_FACET) if decl.facets else (),
    )


# Every kind, in `Kind` order: the order of the lists and mutations in the schema.
KINDS = tuple(
    _measured(decl)
    for decl in (
        TERRITORY,
        ACTOR,
        DOMAIN,
        USE_CASE,
        PRIORITY,
        EXPERIMENT,
        SWOT_ITEM,
        WORKSHOP,
        ROADMAP_ACTION,
        DATA_SERVICE,
        METHOD_PHASE,
        METHOD_WORKSHOP_KIND,
        METHOD_CASE,
    )
)

# The seed files in the order that lets links find their targets (a workshop's participants
# are told apart by the territories read before them).
SEED_ORDER = (DOMAIN, TERRITORY, ACTOR, DATA_SERVICE, WORKSHOP, PRIORITY, USE_CASE, EXPERIMENT, ROADMAP_ACTION)
