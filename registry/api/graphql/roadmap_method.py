"""The roadmap method (phases, workshop kinds, the two cases), as the store holds it.

`registry seed` stores seeds/method.toml as records of the method's kinds (see
registry.services.seeding); they travel in exports like any record.  The API reads
them from the store only, so every server of a shared database answers the same method.
These kinds are not entries of the public schema: only `method` serves them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from registry.api.execution.context import context_of
from registry.api.graphql.types import Language, Source
from registry.domain.records import Kind
from registry.domain.records import Source as StoredSource
from registry.domain.vocabulary import WorkshopKind
from registry.kinds.method import METHOD_KINDS
from registry.store.port import RecordQuery


def _pick(text: dict[str, str], lang: Language) -> str | None:
    return text.get(lang.value) or text.get("en" if lang is Language.FR else "fr")


def _sources(items: tuple[StoredSource, ...]) -> list[Source]:
    return [
        Source(
            url=s.url,
            title=s.title,
            seen=date.fromisoformat(s.seen) if s.seen else None,
            page=s.page,
            home_page_only=s.home_page_only,
        )
        for s in items
    ]


@strawberry.type
class MethodPhase:
    number: int
    periods: list[str] = strawberry.field(description="The periods as the presentation's timelines state them.")
    steps: list[str] = strawberry.field(description="The steps, in French as stated.")
    sources: list[Source]
    titles: strawberry.Private[dict[str, str]]

    @strawberry.field
    def title(self, lang: Language = Language.EN) -> str | None:
        return _pick(self.titles, lang)


@strawberry.type
class MethodWorkshopKind:
    kind: WorkshopKind
    phase: int | None
    sources: list[Source]
    labels: strawberry.Private[dict[str, str]]

    @strawberry.field
    def label(self, lang: Language = Language.EN) -> str | None:
        return _pick(self.labels, lang)


@strawberry.type
class MethodCase:
    number: int
    priorities_defined: bool
    sources: list[Source]
    titles: strawberry.Private[dict[str, str]]

    @strawberry.field
    def title(self, lang: Language = Language.EN) -> str | None:
        return _pick(self.titles, lang)


@strawberry.type(description="The roadmap method in two phases, as Fing's 2020 presentation states it.")
class Method:
    phases: list[MethodPhase]
    workshop_kinds: list[MethodWorkshopKind]
    cases: list[MethodCase]


# Eleven records today: one page holds them all, whatever the store.
_ALL = 1000


def _texts(value: object) -> dict[str, str]:
    return dict(value) if isinstance(value, dict) else {}


async def load_method(info: Info[Any, Any]) -> Method:
    """The method as the store holds it (seeded from seeds/method.toml), in the method's order."""
    ctx = context_of(info)
    query = RecordQuery(kinds=tuple(sorted(METHOD_KINDS)), visibility=ctx.visibility, limit=_ALL)
    records = (await ctx.call(ctx.store.query, query)).records
    of = {kind: [r for r in records if r.kind is kind] for kind in METHOD_KINDS}
    phases = sorted(of[Kind.METHOD_PHASE], key=lambda r: (r.data["number"], r.slug))
    kinds = sorted(
        of[Kind.METHOD_WORKSHOP_KIND], key=lambda r: (r.data.get("rank") is None, r.data.get("rank"), r.slug)
    )
    cases = sorted(of[Kind.METHOD_CASE], key=lambda r: (r.data["number"], r.slug))
    return Method(
        phases=[
            MethodPhase(
                number=r.data["number"],
                periods=list(r.data.get("periods") or []),
                steps=list(r.data.get("steps") or []),
                sources=_sources(r.sources),
                titles=_texts(r.data.get("title")),
            )
            for r in phases
        ],
        workshop_kinds=[
            MethodWorkshopKind(
                kind=WorkshopKind(r.data["kind"]),
                phase=r.data.get("phase"),
                sources=_sources(r.sources),
                labels=_texts(r.data.get("label")),
            )
            for r in kinds
        ],
        cases=[
            MethodCase(
                number=r.data["number"],
                priorities_defined=bool(r.data.get("priorities_defined")),
                sources=_sources(r.sources),
                titles=_texts(r.data.get("title")),
            )
            for r in cases
        ],
    )
