"""The roadmap method (phases, workshop kinds, the two cases): reference text from seeds/method.toml.

It describes how the programme works rather than records that change, so it is
read from the seed file once and served as it is, on every store alike.
"""

from __future__ import annotations

import tomllib
from functools import cache
from typing import Any

import strawberry

from registry.api.graphql.types import Language, Source
from registry.domain.vocabulary import WorkshopKind
from registry.services.seeding import DEFAULT_SEEDS


def _pick(text: dict[str, str], lang: Language) -> str | None:
    return text.get(lang.value) or text.get("en" if lang is Language.FR else "fr")


def _sources(items: list[dict[str, Any]]) -> list[Source]:
    return [
        Source(url=s["url"], title=s["title"], seen=None, page=s.get("page"), home_page_only=s.get("home_page_only"))
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


@cache
def load_method() -> Method:
    data = tomllib.loads((DEFAULT_SEEDS / "method.toml").read_text(encoding="utf-8"))
    return Method(
        phases=[
            MethodPhase(
                number=p["number"],
                periods=p["period"],
                steps=p["steps"],
                sources=_sources(p["sources"]),
                titles=p["title"],
            )
            for p in data.get("phase", [])
        ],
        workshop_kinds=[
            MethodWorkshopKind(
                kind=WorkshopKind(w["slug"]), phase=w.get("phase"), sources=_sources(w["sources"]), labels=w["label"]
            )
            for w in data.get("workshop_kind", [])
        ],
        cases=[
            MethodCase(
                number=c["number"],
                priorities_defined=c["priorities_defined"],
                sources=_sources(c["sources"]),
                titles=c["title"],
            )
            for c in data.get("case", [])
        ],
    )
