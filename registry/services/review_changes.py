"""What changed in a case study since a coordinator last rejected it.

Every write keeps the record's facts in its audit entry (`versions.facts`), a rejection too: the
version the coordinator saw.  A resubmission is compared with those facts, field by field, so
any coordinator, in any browser, sees what the hub changed.  Rejections written before every
write kept facts kept them as `seen`, in the same form; both are read.
"""

from __future__ import annotations

from registry.domain.records import JSON, Record, Ref
from registry.services.versions import LOOK_BACK, FieldChange, facts, stored_links
from registry.store.port import Store

__all__ = ["FieldChange", "changes_since_rejection", "last_seen", "seen"]


def seen(store: Store, record: Record) -> JSON:
    """The facts of `record` as they are now (one read per relation it states)."""
    return facts(record, stored_links(store, record))


def last_seen(store: Store, ref: Ref) -> JSON | None:
    """The facts kept by the last rejection of `ref`, or None when none was rejected with them."""
    _, total = store.audit_page(0, 0, str(ref))
    entries, _ = store.audit_page(max(0, total - LOOK_BACK), LOOK_BACK, str(ref))
    for entry in reversed(entries):
        if entry.action != "reject":
            continue
        kept = entry.detail.get("facts", entry.detail.get("seen"))
        if isinstance(kept, dict):
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
