"""Plain records of the Self Data Territorial programme: no ORM, no GraphQL.

Every record shares one envelope (`Record`): a kind, a stable slug, a version,
its times, its sources and its kind-specific fields in `data`.  Links between
records (`Link`) carry the relation and, where it matters, a role.  The field
specifications of each kind live in `registry.kinds` (its vocabularies in `registry.domain.vocabulary`).
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

JSON = dict[str, Any]


class Kind(enum.StrEnum):
    TERRITORY = "Territory"
    ACTOR = "Actor"
    DOMAIN = "Domain"
    USE_CASE = "UseCase"
    PRIORITY = "Priority"
    EXPERIMENT = "Experiment"
    SWOT_ITEM = "SwotItem"
    WORKSHOP = "Workshop"
    ROADMAP_ACTION = "RoadmapAction"
    DATA_SERVICE = "DataService"
    # The roadmap method (seeds/method.toml): stored like any record so every server answers from
    # the store, but not (yet) entries of the public schema.
    METHOD_PHASE = "MethodPhase"
    METHOD_WORKSHOP_KIND = "MethodWorkshopKind"
    METHOD_CASE = "MethodCase"


class Rel(enum.StrEnum):
    """Relations between records, always stored from `source` to `target`."""

    PRESENT_IN = "PRESENT_IN"  # Actor -> Territory (role)
    IN_DOMAIN = "IN_DOMAIN"  # UseCase | Priority | SwotItem | RoadmapAction -> Domain
    IN_TERRITORY = "IN_TERRITORY"  # UseCase | Experiment | Priority | SwotItem | Workshop -> Territory
    INVOLVES = "INVOLVES"  # UseCase | Experiment -> Actor (role)
    SERVES = "SERVES"  # Experiment -> Priority
    REPLICATES = "REPLICATES"  # Experiment -> UseCase (role: replicates | adapts)
    LINKED_TO = "LINKED_TO"  # Priority -> Priority (a Self Data priority to a political one)
    ABOUT_ACTOR = "ABOUT_ACTOR"  # SwotItem -> Actor
    FROM_WORKSHOP = "FROM_WORKSHOP"  # SwotItem | Priority -> Workshop
    PARTICIPANT = "PARTICIPANT"  # Workshop -> Actor | Territory
    PROVIDED_BY = "PROVIDED_BY"  # DataService -> Actor: who runs it
    AVAILABLE_IN = "AVAILABLE_IN"  # DataService -> Territory: where people can use it (a city, a country)
    RELIES_ON = "RELIES_ON"  # UseCase -> DataService: the use case gets people's data through it


# Which kinds each relation may join: (source kinds, target kinds).
REL_KINDS: dict[Rel, tuple[frozenset[Kind], frozenset[Kind]]] = {
    Rel.PRESENT_IN: (frozenset({Kind.ACTOR}), frozenset({Kind.TERRITORY})),
    Rel.IN_DOMAIN: (
        frozenset({Kind.USE_CASE, Kind.PRIORITY, Kind.SWOT_ITEM, Kind.ROADMAP_ACTION, Kind.EXPERIMENT}),
        frozenset({Kind.DOMAIN}),
    ),
    Rel.IN_TERRITORY: (
        frozenset({Kind.USE_CASE, Kind.EXPERIMENT, Kind.PRIORITY, Kind.SWOT_ITEM, Kind.WORKSHOP}),
        frozenset({Kind.TERRITORY}),
    ),
    Rel.INVOLVES: (frozenset({Kind.USE_CASE, Kind.EXPERIMENT}), frozenset({Kind.ACTOR})),
    Rel.SERVES: (frozenset({Kind.EXPERIMENT}), frozenset({Kind.PRIORITY})),
    Rel.REPLICATES: (frozenset({Kind.EXPERIMENT}), frozenset({Kind.USE_CASE})),
    Rel.LINKED_TO: (frozenset({Kind.PRIORITY}), frozenset({Kind.PRIORITY})),
    Rel.ABOUT_ACTOR: (frozenset({Kind.SWOT_ITEM}), frozenset({Kind.ACTOR})),
    Rel.FROM_WORKSHOP: (frozenset({Kind.SWOT_ITEM, Kind.PRIORITY}), frozenset({Kind.WORKSHOP})),
    Rel.PARTICIPANT: (frozenset({Kind.WORKSHOP}), frozenset({Kind.ACTOR, Kind.TERRITORY})),
    Rel.PROVIDED_BY: (frozenset({Kind.DATA_SERVICE}), frozenset({Kind.ACTOR})),
    Rel.AVAILABLE_IN: (frozenset({Kind.DATA_SERVICE}), frozenset({Kind.TERRITORY})),
    Rel.RELIES_ON: (frozenset({Kind.USE_CASE}), frozenset({Kind.DATA_SERVICE})),
}


class ReviewState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    REJECTED = "rejected"


class Role(enum.StrEnum):
    ANONYMOUS = "anonymous"
    HUB = "hub"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


@dataclass(frozen=True, order=True)
class Ref:
    """The identity of a record: its kind and its slug (store-independent)."""

    kind: Kind
    slug: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.slug}"

    @classmethod
    def parse(cls, text: str) -> Ref:
        """The ref written as "Kind:slug" (the inverse of str())."""
        return _parse_ref(text)


@functools.lru_cache(maxsize=1 << 16)
def _parse_ref(text: str) -> Ref:
    # Refs are immutable: every link read parses two, so the same ones are shared.
    kind, _, slug = text.partition(":")
    return Ref(Kind(kind), slug)


@dataclass(frozen=True)
class Source:
    url: str
    title: str
    seen: str | None = None  # ISO date the source was read, when known
    page: str | None = None  # where in the document the fact is stated (slide, page, section)
    # Why only a site's home page is cited (the page stating the fact has no address of its own,
    # or it was not found); None for a deep link.  `registry check-sources` lists these.
    home_page_only: str | None = None


@dataclass(frozen=True)
class Record:
    kind: Kind
    slug: str
    data: JSON
    sources: tuple[Source, ...] = ()
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None
    review_state: ReviewState = ReviewState.PUBLISHED
    hub: str | None = None  # the hub that contributed it (case studies)

    @property
    def ref(self) -> Ref:
        return Ref(self.kind, self.slug)


@dataclass(frozen=True, order=True)
class Link:
    source: Ref
    rel: Rel
    target: Ref
    role: str = ""


@dataclass(frozen=True)
class Hub:
    slug: str
    name: str
    created_at: datetime | None = None


@dataclass(frozen=True)
class ApiKey:
    key_id: str  # the public prefix, shown in listings
    secret_hash: str
    role: Role
    hub: str | None
    created_at: datetime
    revoked_at: datetime | None = None
    label: str = ""


@dataclass(frozen=True)
class Principal:
    """Who is calling: resolved from the API key of a request."""

    role: Role
    hub: str | None = None
    key_id: str | None = None

    @property
    def actor(self) -> str:
        if self.key_id is None:
            return "anonymous"
        return f"{self.role.value}:{self.key_id}"


ANONYMOUS = Principal(Role.ANONYMOUS)


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    who: str
    action: str
    ref: str
    version_before: int | None
    version_after: int | None
    detail: JSON = field(default_factory=dict)
