"""Filter and sort inputs of the root lists, turned into store queries."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import replace

import strawberry

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import Kind
from registry.domain.vocabulary import (
    ActorKind,
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
from registry.store.codec import words
from registry.store.port import RecordQuery, SortKey


@strawberry.enum
class SortBy(enum.Enum):
    SLUG = "slug"
    NAME = "name"
    CREATED = "created"
    UPDATED = "updated"
    YEAR = "year"


@strawberry.input(description="How to order a list; ties are broken by slug.")
class Sort:
    by: SortBy = SortBy.SLUG
    descending: bool = False


def _values(items: Sequence[enum.Enum] | None) -> tuple[str, ...]:
    return tuple(str(item.value) for item in items or [])


def _slugs(items: list[str] | None) -> tuple[str, ...]:
    return tuple(items or [])


# Every word of a search costs a containment test on each candidate record: bounded, so that no
# anonymous request can make the store work for seconds.
MAX_TEXT_CHARACTERS = 200
MAX_TEXT_WORDS = 12


def text_words(text: str | None) -> tuple[str, ...]:
    """The words to search for, or INVALID when the text is over the limits."""
    if text is not None and len(text) > MAX_TEXT_CHARACTERS:
        raise RegistryError(ErrorCode.INVALID, f"Search for at most {MAX_TEXT_CHARACTERS} characters.", "text")
    found = words(text or "")
    if len(found) > MAX_TEXT_WORDS:
        raise RegistryError(ErrorCode.INVALID, f"Search for at most {MAX_TEXT_WORDS} words.", "text")
    return found


def base_query(kind: Kind, text: str | None, sort: Sort | None) -> RecordQuery:
    sort = sort or Sort()
    return RecordQuery(
        kinds=(kind,),
        words=text_words(text),
        sort=SortKey(sort.by.value),
        descending=sort.descending,
    )


@strawberry.input
class TerritoryFilter:
    kinds: list[TerritoryKind] | None = None
    countries: list[str] | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2 codes.")
    statuses: list[ProgrammeStatus] | None = None
    text: str | None = None

    def query(self, sort: Sort | None) -> RecordQuery:
        return replace(
            base_query(Kind.TERRITORY, self.text, sort),
            subkinds=_values(self.kinds),
            countries=_slugs(self.countries),
            statuses=_values(self.statuses),
        )


@strawberry.input
class ActorFilter:
    kinds: list[ActorKind] | None = None
    countries: list[str] | None = None
    territories: list[str] | None = strawberry.field(default=None, description="Territory slugs.")
    text: str | None = None

    def query(self, sort: Sort | None) -> RecordQuery:
        return replace(
            base_query(Kind.ACTOR, self.text, sort),
            subkinds=_values(self.kinds),
            countries=_slugs(self.countries),
            territories=_slugs(self.territories),
        )


@strawberry.input
class UseCaseFilter:
    domains: list[str] | None = strawberry.field(default=None, description="Domain slugs.")
    territories: list[str] | None = strawberry.field(default=None, description="Territory slugs.")
    countries: list[str] | None = None
    actors: list[str] | None = strawberry.field(default=None, description="Actor slugs.")
    actor_kinds: list[ActorKind] | None = None
    statuses: list[UseCaseStatus] | None = None
    governance: list[GovernanceModel] | None = None
    year_from: int | None = strawberry.field(
        default=None, description="Active in or after this year (use cases whose years are unknown are left out)."
    )
    year_to: int | None = strawberry.field(
        default=None, description="Started in or before this year (use cases whose years are unknown are left out)."
    )
    text: str | None = None

    def query(self, sort: Sort | None) -> RecordQuery:
        return replace(
            base_query(Kind.USE_CASE, self.text, sort),
            domains=_slugs(self.domains),
            territories=_slugs(self.territories),
            countries=_slugs(self.countries),
            actors=_slugs(self.actors),
            actor_kinds=_values(self.actor_kinds),
            statuses=_values(self.statuses),
            governance=_values(self.governance),
            year_from=self.year_from,
            year_to=self.year_to,
        )


@strawberry.input
class PriorityFilter:
    territories: list[str] | None = None
    domains: list[str] | None = None
    kinds: list[PriorityKind] | None = None
    statuses: list[PriorityStatus] | None = None
    text: str | None = None

    def query(self, sort: Sort | None) -> RecordQuery:
        return replace(
            base_query(Kind.PRIORITY, self.text, sort),
            territories=_slugs(self.territories),
            domains=_slugs(self.domains),
            subkinds=_values(self.kinds),
            statuses=_values(self.statuses),
        )


@strawberry.input
class ExperimentFilter:
    territories: list[str] | None = None
    domains: list[str] | None = None
    statuses: list[ExperimentStatus] | None = None
    text: str | None = None

    def query(self, sort: Sort | None) -> RecordQuery:
        return replace(
            base_query(Kind.EXPERIMENT, self.text, sort),
            territories=_slugs(self.territories),
            domains=_slugs(self.domains),
            statuses=_values(self.statuses),
        )


@strawberry.input
class SwotItemFilter:
    territories: list[str] | None = None
    domains: list[str] | None = None
    quadrants: list[SwotQuadrant] | None = None
    text: str | None = None

    def query(self, sort: Sort | None) -> RecordQuery:
        return replace(
            base_query(Kind.SWOT_ITEM, self.text, sort),
            territories=_slugs(self.territories),
            domains=_slugs(self.domains),
            subkinds=_values(self.quadrants),
        )


@strawberry.input
class WorkshopFilter:
    territories: list[str] | None = None
    kinds: list[WorkshopKind] | None = None
    text: str | None = None

    def query(self, sort: Sort | None) -> RecordQuery:
        return replace(
            base_query(Kind.WORKSHOP, self.text, sort),
            territories=_slugs(self.territories),
            subkinds=_values(self.kinds),
        )


@strawberry.input
class TextFilter:
    text: str | None = None

    def query(self, kind: Kind, sort: Sort | None) -> RecordQuery:
        return base_query(kind, self.text, sort)
