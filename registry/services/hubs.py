"""Hubs are created on purpose, by an operator: never as a side effect of a key."""

from __future__ import annotations

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import Hub
from registry.services.validation import check_slug
from registry.store.codec import now
from registry.store.port import AuditDraft, Store, WriteBatch

MAX_NAME = 200


def create_hub(store: Store, slug: str, name: str, who: str = "cli") -> Hub:
    """A new hub, audited as done by `who`; an existing slug is DUPLICATE and changes nothing."""
    check_slug(slug, "slug")
    name = name.strip()
    if not name:
        raise RegistryError(ErrorCode.REQUIRED, "A hub has a name (--name).", "name")
    if len(name) > MAX_NAME:
        raise RegistryError(ErrorCode.INVALID, f"A hub's name has at most {MAX_NAME} characters.", "name")
    if slug in {h.slug for h in store.hubs()}:
        raise RegistryError(ErrorCode.DUPLICATE, f"The hub {slug!r} already exists.", "slug")
    hub = Hub(slug, name, now())
    detail = {"slug": slug, "name": name}
    # One transaction: the hub exists exactly when the audit trail names it (DUPLICATE is
    # decided again there, under the writers' lock, should two operators race).
    audit = AuditDraft(who, "createHub", f"Hub:{slug}", None, None, detail)
    store.write(WriteBatch(audit=[audit], at=hub.created_at, new_hubs=[hub]))
    return hub
