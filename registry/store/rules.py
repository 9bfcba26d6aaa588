"""Small rules every store applies the same way, so that their answers agree."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import ReviewState
from registry.store.port import Visibility

# An actor counts as a shared platform when it plays one of these roles or is of one of these kinds.
PLATFORM_ROLES = frozenset({"platform", "operator"})
PLATFORM_ACTOR_KINDS = frozenset({"personal_cloud_operator"})

# What `Store.count_by` groups records by: a column or property, or a link's far end.
COUNT_DIMENSIONS = frozenset({"status", "subkind", "governance", "country", "domain", "territory"})


def require_count_dimension(dimension: str) -> None:
    """INVALID unless records may be counted by `dimension`: no store groups by any other name."""
    if dimension not in COUNT_DIMENSIONS:
        raise RegistryError(ErrorCode.INVALID, f"Records cannot be counted by {dimension!r}.", "dimension")


def hidden(review_state: str, hub: str | None, visibility: Visibility) -> bool:
    """Whether a record in this review state is hidden from this caller."""
    if visibility.everything or review_state == ReviewState.PUBLISHED.value:
        return False
    return visibility.hub is None or hub != visibility.hub


def best_path(
    start: str,
    end: str,
    max_hops: int,
    neighbours: Callable[[list[str]], list[tuple[str, str]]],
    key_order: Callable[[str], Any],
) -> list[str] | None:
    """Breadth-first search keeping, for each node, its smallest shortest path.

    Among paths of equal length the one whose sequence of nodes sorts first
    (by `key_order`) wins: the smallest path to a node extends the smallest
    path to one of its parents, so one pass per level is enough.
    """
    if start == end:
        return [start]
    best: dict[str, list[str]] = {start: [start]}
    frontier = [start]
    for _ in range(max_hops):
        candidates: dict[str, list[str]] = {}
        for parent, child in neighbours(frontier):
            if child in best:
                continue
            path = [*best[parent], child]
            current = candidates.get(child)
            if current is None or [key_order(k) for k in path] < [key_order(k) for k in current]:
                candidates[child] = path
        if not candidates:
            return None
        best.update(candidates)
        if end in candidates:
            return candidates[end]
        frontier = sorted(candidates)
    return None
