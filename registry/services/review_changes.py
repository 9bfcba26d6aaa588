"""What changed in a case study since a coordinator last rejected it.

A rejection keeps, in its audit entry, the facts of the version the coordinator saw (`seen`):
its fields, sources and links.  A resubmission is compared with that copy, field by field, so
any coordinator, in any browser, sees what the hub changed.  Nothing else keeps an earlier
version of a record: the audit trail is where the registry's history lives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from registry.domain.records import JSON, Kind, Record, Ref
from registry.kinds import PUBLIC_DECLARATIONS
from registry.store.port import Store

_DECL = PUBLIC_DECLARATIONS[Kind.USE_CASE]
# The facts a hub edits: stored fields (not the review note, which is the coordinator's) and the links it sets.
_FIELDS = tuple(f for f in _DECL.fields if f.stored and f.editable)
_LINKS = tuple(link for link in _DECL.links if link.direction == "from")
_LOOK_BACK = 200  # audit entries of one case study read at most: far more than its review rounds


@dataclass(frozen=True)
class FieldChange:
    field: str  # the field's GraphQL name: status, yearStart, territories, sources…
    before: Any
    after: Any


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _value(kind: str, value: Any) -> Any:
    """A stored value as the API writes it: enums in capitals, lists sorted, unknown as null."""
    if kind == "enum":
        return None if value is None else str(value).upper()
    if kind == "enum_list":
        return sorted(str(v).upper() for v in value or ())
    return value


def seen(store: Store, record: Record) -> JSON:
    """The facts of `record` as a coordinator sees them, kept with a rejection (one read per link)."""
    facts: JSON = {_camel(f.graphql_name or f.python_name): _value(f.type, record.data.get(f.name)) for f in _FIELDS}
    facts["sources"] = [{"url": s.url, "title": s.title} for s in record.sources]
    for link in _LINKS:
        facts[_camel(link.name)] = sorted(x.target.slug for x in store.links_from([record.ref], link.rel))
    return facts


def last_seen(store: Store, ref: Ref) -> JSON | None:
    """The facts kept by the last rejection of `ref`, or None when none was rejected with them."""
    _, total = store.audit_page(0, 0, str(ref))
    entries, _ = store.audit_page(max(0, total - _LOOK_BACK), _LOOK_BACK, str(ref))
    for entry in reversed(entries):
        if entry.action == "reject" and isinstance(entry.detail.get("seen"), dict):
            kept: JSON = entry.detail["seen"]
            return kept
    return None


def changes_since_rejection(store: Store, record: Record) -> list[FieldChange] | None:
    """Each fact that differs from the version last rejected, in the declaration's order; None
    when no rejection kept one (a first submission: there is nothing to compare with)."""
    before = last_seen(store, record.ref)
    if before is None:
        return None
    now = seen(store, record)
    return [FieldChange(key, before.get(key), value) for key, value in now.items() if before.get(key) != value]
