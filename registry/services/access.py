"""API keys and roles: who may read and write what.

A key reads `sdr_<id>_<secret>`.  Only a SHA-256 hash of the secret is
stored: the secret is 32 random bytes, so a slow password hash adds nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import ANONYMOUS, ApiKey, Principal, Role
from registry.services.validation import check_slug
from registry.store.codec import now
from registry.store.port import EVERYTHING, AuditDraft, Store, Visibility, WriteBatch

PREFIX = "sdr"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    store: Store, role: Role, hub: str | None = None, label: str = "", who: str = "cli"
) -> tuple[ApiKey, str]:
    """Store a new key, audited as done by `who`, and return it with the only copy of its token.

    A hub key names a hub that exists: a typo must not create a hub (hubs are created on
    purpose, `registry hubs create`)."""
    if role is Role.ANONYMOUS:
        raise RegistryError(ErrorCode.INVALID, "Anonymous callers need no key.", "role")
    if role is Role.HUB:
        if hub is None:
            raise RegistryError(ErrorCode.REQUIRED, "A hub key names its hub (--hub).", "hub")
        check_slug(hub, "hub")
        if hub not in {h.slug for h in store.hubs()}:
            raise RegistryError(
                ErrorCode.NOT_FOUND,
                f"No hub {hub!r}: see 'registry hubs list', or create it with 'registry hubs create {hub} --name ...'.",
                "hub",
            )
    elif hub is not None:
        raise RegistryError(ErrorCode.INVALID, "Only hub keys belong to a hub.", "hub")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(key_id, _hash(secret), role, hub, now(), None, label)
    # One transaction: the key exists exactly when the audit trail names it.
    store.write(
        WriteBatch(
            audit=[_audit(who, "createKey", key, {"role": role.value, "hub": hub, "label": label})],
            at=key.created_at,
            new_keys=[key],
        )
    )
    return key, f"{PREFIX}_{key_id}_{secret}"


def revoke_key(store: Store, key_id: str, who: str = "cli") -> bool:
    """Revoke an active key, audited as done by `who`; False when there is no active key by that id."""
    key = store.api_key(key_id)
    if key is None or key.revoked_at is not None:
        return False
    audit = _audit(who, "revokeKey", key, {"role": key.role.value, "hub": key.hub})
    try:  # one transaction: the revocation and its audit entry
        store.write(WriteBatch(audit=[audit], at=now(), revoke_keys=[key_id]))
    except RegistryError as error:
        if error.code is ErrorCode.NOT_FOUND:  # revoked by someone else meanwhile
            return False
        raise
    return True


def _audit(who: str, action: str, key: ApiKey, detail: dict[str, str | None]) -> AuditDraft:
    """An audit entry for a key: who, when, its role and hub; never its secret or its hash."""
    return AuditDraft(who, action, f"ApiKey:{key.key_id}", None, None, dict(detail))


def authenticate(store: Store, authorization: str | None) -> Principal:
    """The caller behind an `Authorization: Bearer …` header (anonymous without one)."""
    if not authorization:
        return ANONYMOUS
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise RegistryError(ErrorCode.UNAUTHENTICATED, "Send the key as 'Authorization: Bearer <key>'.")
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise RegistryError(ErrorCode.UNAUTHENTICATED, "This is not a registry API key.")
    key = store.api_key(parts[1])
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(parts[2])):
        raise RegistryError(ErrorCode.UNAUTHENTICATED, "Unknown API key.")
    if key.revoked_at is not None:
        raise RegistryError(ErrorCode.UNAUTHENTICATED, "This API key has been revoked.")
    return Principal(key.role, key.hub, key.key_id)


def require(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        if principal.role is Role.ANONYMOUS:
            raise RegistryError(ErrorCode.UNAUTHENTICATED, "This needs an API key: send 'Authorization: Bearer <key>'.")
        raise RegistryError(ErrorCode.FORBIDDEN, f"A {principal.role.value} key may not do this.")


STAFF = (Role.COORDINATOR, Role.ADMIN)


def visibility(principal: Principal) -> Visibility:
    """Coordinators and admins see every case study; a hub also sees its own drafts."""
    if principal.role in STAFF:
        return EVERYTHING
    return Visibility(hub=principal.hub if principal.role is Role.HUB else None)
