"""Small rules every store applies the same way, so that their answers agree."""

from __future__ import annotations

from registry.domain.records import ReviewState
from registry.store.port import Visibility

# An actor counts as a shared platform when it plays one of these roles or is of one of these kinds.
PLATFORM_ROLES = frozenset({"platform", "operator"})
PLATFORM_ACTOR_KINDS = frozenset({"personal_cloud_operator"})


def hidden(review_state: str, hub: str | None, visibility: Visibility) -> bool:
    """Whether a record in this review state is hidden from this caller."""
    if visibility.everything or review_state == ReviewState.PUBLISHED.value:
        return False
    return visibility.hub is None or hub != visibility.hub
