"""Global IDs: base64 of "Kind:slug", the same whatever the store."""

from __future__ import annotations

import base64
import binascii

from registry.domain.errors import ErrorCode, RegistryError, Rule
from registry.domain.records import Kind, Ref
from registry.kinds import PUBLIC_KINDS


def global_id(ref: Ref) -> str:
    return base64.b64encode(str(ref).encode()).decode()


def decode(value: str) -> Ref | None:
    """The ref behind a global ID, or None when it is not one."""
    try:
        text = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    kind, sep, slug = text.partition(":")
    if not sep or kind not in Kind._value2member_map_ or not slug or Kind(kind) not in PUBLIC_KINDS:
        return None  # the method's records are no nodes of the public schema: such an ID names nothing
    return Ref(Kind(kind), slug)


def ref_of(value: str, kind: Kind, field: str) -> Ref:
    """A global ID of `kind`, or a plain slug of that kind (handy in GraphiQL)."""
    ref = decode(value)
    if ref is None:
        if value and all(c.isalnum() or c == "-" for c in value) and value == value.lower():
            return Ref(kind, value)
        raise RegistryError(
            ErrorCode.INVALID,
            f"{value!r} is neither a {kind.value} ID nor a slug.",
            field,
            {"rule": Rule.FORMAT.value, "format": "id", "value": value, "kind": kind.value},
        )
    if ref.kind is not kind:
        raise RegistryError(
            ErrorCode.INVALID,
            f"Expected a {kind.value} ID, got a {ref.kind.value} ID.",
            field,
            {"rule": Rule.ONE_OF.value, "value": ref.kind.value, "allowed": [kind.value]},
        )
    return ref
