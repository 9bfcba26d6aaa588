"""Facet counts of a filtered list: how many of its records have each domain, country, status…,
computed by the store in one round trip (`Store.facet_counts`) from the kinds' declarations.

Keys are the values as the list's filter takes them (enum names, slugs, codes).  Every facet
ends with an explicit `unknown` bucket: the records whose value no source states (a stated
"unknown", which the API shows as UNKNOWN, counts there too).  A single-valued facet's counts
add up to `totalCount`; a multi-valued one (domains, territory kinds, data categories) counts
a record once under each of its values, so its counts add up to at least `totalCount`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import strawberry

from registry.kinds import PUBLIC_DECLARATIONS, Facet
from registry.kinds.completeness import BANDS, band

UNKNOWN = "unknown"


@strawberry.type(description="How many records of the filtered list have this value.")
class FacetCount:
    key: str = strawberry.field(description="The value as the list's filter takes it, or `unknown`.")
    count: int


# Every facet some kind declares, in declaration order: one field of `Facets` each.
FACET_NAMES: tuple[str, ...] = tuple(
    dict.fromkeys(facet.name for decl in PUBLIC_DECLARATIONS.values() for facet in decl.facets)
)


def _facets_type() -> type:
    annotations: dict[str, Any] = {name: list[FacetCount] | None for name in FACET_NAMES}
    namespace: dict[str, Any] = {"__module__": __name__, "__annotations__": annotations}
    namespace.update({name: strawberry.field(default=None) for name in FACET_NAMES})
    built: type = strawberry.type(
        type("Facets", (), namespace),
        description="Counts of the filtered list's records by value, each with an `unknown` bucket. "
        "Null for a facet the list's kind does not have. Single-valued facets add up to totalCount; "
        "multi-valued ones (domains, territoryKinds, dataCategories, territories) count a record under each of its values.",
    )
    return built


if TYPE_CHECKING:

    class Facets:
        def __init__(self, **counts: list[FacetCount] | None) -> None: ...

else:
    Facets = _facets_type()


def _key(facet: Facet, value: str | None) -> str:
    if value is None or value == UNKNOWN:
        return UNKNOWN
    if facet.banded:
        return band(int(value))
    if facet.vocabulary is not None:
        try:
            return facet.vocabulary(value).name
        except ValueError:  # a value the vocabulary no longer has: shown as stored
            return value
    return value


def bucketed(facet: Facet, rows: Sequence[tuple[str | None, int]]) -> list[FacetCount]:
    """A store's rows as the API's buckets: most frequent first, then by key, `unknown` last."""
    # Every band is listed, even at 0, in its own order (0-24 first), so a chart keeps its axis.
    counts: dict[str, int] = {band(b): 0 for b in BANDS} if facet.banded else {}
    for value, count in rows:
        key = _key(facet, value)
        counts[key] = counts.get(key, 0) + count
    unknown = counts.pop(UNKNOWN, 0)
    ordered = list(counts.items()) if facet.banded else sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [FacetCount(key=k, count=n) for k, n in ordered] + [FacetCount(key=UNKNOWN, count=unknown)]


def facets_of(facets: Sequence[Facet], rows: Sequence[Sequence[tuple[str | None, int]]]) -> Facets:
    return Facets(**{facet.name: bucketed(facet, found) for facet, found in zip(facets, rows, strict=True)})
