"""The programme's controlled vocabularies and the fields of each record kind.

One table says, for every kind, which fields it has, their type and their
allowed values.  Validation (services), the GraphQL enums (api) and the
seed loader all read it, so a new value is added in one place.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from registry.domain.records import Kind


class TerritoryKind(enum.StrEnum):
    CITY = "city"
    METROPOLIS = "metropolis"
    AGGLOMERATION = "agglomeration"
    REGION = "region"
    COUNTRY = "country"


TERRITORY_KINDS = tuple(v.value for v in TerritoryKind)


class ProgrammeStatus(enum.StrEnum):
    PILOT_CITY = "pilot_city"
    ROADMAP_PARTICIPANT = "roadmap_participant"
    FIRST_WORKSHOP_DONE = "first_workshop_done"
    IN_DISCUSSION = "in_discussion"
    PEER = "peer"
    UNKNOWN = "unknown"


PROGRAMME_STATUSES = tuple(v.value for v in ProgrammeStatus)


class Position(enum.StrEnum):
    DATA_CONTROLLER = "data_controller"
    INNOVATION_SUPPORTER = "innovation_supporter"
    DEMOCRATIC_ORGANISATION = "democratic_organisation"


POSITIONS = tuple(v.value for v in Position)


class ActorKind(enum.StrEnum):
    LOCAL_AUTHORITY = "local_authority"
    NATIONAL_BODY = "national_body"
    INSURER = "insurer"
    ENERGY_SUPPLIER = "energy_supplier"
    ENERGY_GRID_OPERATOR = "energy_grid_operator"
    TELECOM_OPERATOR = "telecom_operator"
    BANK = "bank"
    RETAILER = "retailer"
    MOBILITY_OPERATOR = "mobility_operator"
    WATER_UTILITY = "water_utility"
    WASTE_SERVICE = "waste_service"
    PERSONAL_CLOUD_OPERATOR = "personal_cloud_operator"
    THINK_TANK = "think_tank"
    NETWORK_OR_HUB = "network_or_hub"
    NGO = "ngo"
    RESEARCH = "research"
    COOPERATIVE = "cooperative"
    DEVELOPER = "developer"
    FUNDER = "funder"
    COMPANY = "company"


ACTOR_KINDS = tuple(v.value for v in ActorKind)


class GovernanceModel(enum.StrEnum):
    PERSONAL_CLOUD = "personal_cloud"
    DIRECT_TRANSFER = "direct_transfer"
    TRUSTED_THIRD_PARTY = "trusted_third_party"
    DATA_COOPERATIVE = "data_cooperative"
    CIVIC_DATA_TRUST = "civic_data_trust"
    UNKNOWN = "unknown"


GOVERNANCE_MODELS = tuple(v.value for v in GovernanceModel)


class UseCaseStatus(enum.StrEnum):
    IDEA = "idea"
    STUDY = "study"
    DESIGNED = "designed"
    PROTOTYPE = "prototype"
    PILOT = "pilot"
    LIVE = "live"
    COMPLETED = "completed"
    ADOPTED = "adopted"
    ABANDONED = "abandoned"
    UNKNOWN = "unknown"


USE_CASE_STATUSES = tuple(v.value for v in UseCaseStatus)


class ExperimentStatus(enum.StrEnum):
    CANDIDATE = "candidate"
    PLANNED = "planned"
    RUNNING = "running"
    DONE = "done"
    DROPPED = "dropped"


EXPERIMENT_STATUSES = tuple(v.value for v in ExperimentStatus)


class PriorityKind(enum.StrEnum):
    SELF_DATA = "self_data"
    POLITICAL = "political"


PRIORITY_KINDS = tuple(v.value for v in PriorityKind)


class PriorityStatus(enum.StrEnum):
    PROPOSED = "proposed"
    VALIDATED = "validated"
    IN_PROGRESS = "in_progress"
    ACHIEVED = "achieved"
    DROPPED = "dropped"
    UNKNOWN = "unknown"


PRIORITY_STATUSES = tuple(v.value for v in PriorityStatus)


class SwotQuadrant(enum.StrEnum):
    STRENGTH = "strength"
    WEAKNESS = "weakness"
    OPPORTUNITY = "opportunity"
    THREAT = "threat"


SWOT_QUADRANTS = tuple(v.value for v in SwotQuadrant)


class WorkshopKind(enum.StrEnum):
    SWOT = "swot"
    INTERVIEW = "interview"
    USE_CASE_WATCH = "use_case_watch"
    POOLING = "pooling"
    USE_CASE_DESIGN = "use_case_design"
    SHARING = "sharing"
    AWARENESS = "awareness"
    UNKNOWN = "unknown"  # the API's answer when no source states a workshop's kind (stored as null)


WORKSHOP_KINDS = tuple(v.value for v in WorkshopKind)
METHOD_PHASES = (1, 2)


# Roles an actor plays in a use case, an experiment or on a territory.
class ActorRole(enum.StrEnum):
    DATA_HOLDER = "data_holder"
    OPERATOR = "operator"
    PLATFORM = "platform"
    FUNDER = "funder"
    SPONSOR = "sponsor"
    DEVELOPER = "developer"
    PARTNER = "partner"
    LEAD = "lead"
    RESEARCH = "research"
    MEMBER = "member"
    SIGNATORY = "signatory"
    COMMONS_STEWARD = "commons_steward"
    UNKNOWN = "unknown"


ACTOR_ROLES = tuple(v.value for v in ActorRole)


class DataCategory(enum.StrEnum):
    ENERGY_CONSUMPTION = "energy_consumption"
    WATER_CONSUMPTION = "water_consumption"
    MOBILITY = "mobility"
    LOCATION = "location"
    HEALTH = "health"
    BANKING = "banking"
    PURCHASES = "purchases"
    TELECOM = "telecom"
    INSURANCE = "insurance"
    HOUSING = "housing"
    SOCIAL_BENEFITS = "social_benefits"
    IDENTITY = "identity"
    ENVIRONMENT_SENSORS = "environment_sensors"
    PARTICIPATION = "participation"
    PUBLIC_RECORDS = "public_records"
    UNKNOWN = "unknown"


DATA_CATEGORIES = tuple(v.value for v in DataCategory)


@dataclass(frozen=True)
class FieldSpec:
    """One field of a record kind.

    `type` is one of: text (a French/English pair), str, int, bool, date,
    enum, enum_list, str_list, positions, inferences (values no source states,
    each labelled with its reasoning; see `registry.domain.provenance`), float.  `column` names the
    indexed column a store keeps it in, for filters, sorts and counts: every store makes its
    columns, indexes and conditions from these (see `registry.store.columns`).  `indexed` says
    whether that column gets a database index (None: text columns do, numbers, compared as
    ranges, do not).
    """

    name: str
    type: str
    values: tuple[str, ...] = ()
    required: bool = False
    column: str | None = None
    indexed: bool | None = None


def _f(
    name: str, type_: str, values: tuple[str, ...] = (), *, required: bool = False, column: str | None = None
) -> FieldSpec:
    return FieldSpec(name, type_, values, required, column)


_BASE_FIELDS: dict[Kind, tuple[FieldSpec, ...]] = {
    Kind.TERRITORY: (
        _f("name", "text", required=True),
        _f("summary", "text"),
        _f("territory_kind", "enum", TERRITORY_KINDS, required=True, column="subkind"),
        _f("country", "str", required=True, column="country"),
        _f("population", "int"),
        _f("languages", "str_list"),
        _f("programme_status", "enum", PROGRAMME_STATUSES, required=True, column="status"),
        _f("priorities_defined", "bool"),
        _f("positions", "positions"),
    ),
    Kind.ACTOR: (
        _f("name", "text", required=True),
        _f("summary", "text"),
        _f("actor_kind", "enum", ACTOR_KINDS, required=True, column="subkind"),
        _f("country", "str", column="country"),
        _f("website", "str"),
    ),
    Kind.DOMAIN: (
        _f("name", "text", required=True),
        _f("summary", "text"),
    ),
    Kind.USE_CASE: (
        _f("title", "text", required=True),
        _f("summary", "text"),
        _f("data_categories", "enum_list", DATA_CATEGORIES),
        _f("governance", "enum", GOVERNANCE_MODELS, column="governance"),
        _f("status", "enum", USE_CASE_STATUSES, required=True, column="status"),
        _f("year_start", "int", column="year_start"),
        _f("year_end", "int", column="year_end"),
        _f("outcomes", "text"),
        _f("country", "str", column="country"),
        _f("review_note", "str"),  # why a coordinator rejected it
    ),
    Kind.PRIORITY: (
        _f("title", "text", required=True),
        _f("summary", "text"),
        _f("priority_kind", "enum", PRIORITY_KINDS, required=True, column="subkind"),
        _f("rank", "int"),
        _f("status", "enum", PRIORITY_STATUSES, required=True, column="status"),
    ),
    Kind.EXPERIMENT: (
        _f("title", "text", required=True),
        _f("summary", "text"),
        _f("status", "enum", EXPERIMENT_STATUSES, required=True, column="status"),
        _f("start_date", "date"),
        _f("end_date", "date"),
    ),
    Kind.SWOT_ITEM: (
        _f("quadrant", "enum", SWOT_QUADRANTS, required=True, column="subkind"),
        _f("text", "text", required=True),
    ),
    Kind.WORKSHOP: (
        _f("title", "text", required=True),
        _f("workshop_kind", "enum", WORKSHOP_KINDS, column="subkind"),  # null when no source states it
        _f("date", "date"),
        _f("online", "bool"),
        _f("phase", "int"),
        _f("participants_count", "int"),
        _f("summary", "text"),
    ),
    Kind.ROADMAP_ACTION: (
        _f("title", "text", required=True),
        _f("summary", "text"),
        _f("number", "int"),
    ),
}


# Every kind may keep labelled inferences beside its sourced fields.
KIND_FIELDS: dict[Kind, tuple[FieldSpec, ...]] = {
    kind: (*fields, _f("inferences", "inferences")) for kind, fields in _BASE_FIELDS.items()
}


def spec(kind: Kind, name: str) -> FieldSpec | None:
    for field_spec in KIND_FIELDS[kind]:
        if field_spec.name == name:
            return field_spec
    return None


def display_name(kind: Kind) -> str:
    """The field that names a record of this kind in sentences and search."""
    return (
        "name" if kind in (Kind.TERRITORY, Kind.ACTOR, Kind.DOMAIN) else ("text" if kind is Kind.SWOT_ITEM else "title")
    )
