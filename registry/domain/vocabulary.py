"""The programme's controlled vocabularies.

Each vocabulary is one enum; the kinds' declarations (`registry.kinds`) name the
vocabulary of each field, and validation, the GraphQL enums and the seed loader
read the values from there, so a new value is added in one place.
"""

from __future__ import annotations

import enum


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


class AccessMode(enum.StrEnum):
    """How people reach a service that gives them their own data."""

    API = "api"  # a portability API, for them or a service they choose
    DOWNLOAD = "download"  # a copy to download
    CONSENT_SHARING = "consent_sharing"  # sharing with a third party on their consent


ACCESS_MODES = tuple(v.value for v in AccessMode)
