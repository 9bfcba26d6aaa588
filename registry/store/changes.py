"""What changed since a mark, from the audit trail: one rule for every store.

Caches (the recommenders' facts, anonymous answers) keep the mark they were read at.  When
the counter moves, the entries numbered after the mark say which records changed, so a cache
re-reads only those, or nothing when no reader of it can see them.  The trail answers only
when every bump of the counter since the mark was a write it describes (`ChangeMark`).
"""

from __future__ import annotations

from collections.abc import Callable

from registry.domain.records import AuditEntry, Kind, ReviewState
from registry.store.port import ChangeMark, Changes, Store, WriteBatch


def since(store: Store, mark: ChangeMark, limit: int) -> Changes:
    """`Store.changes_since`: the mark now, then the entries between the two marks, if complete."""
    return between(mark, store.change_mark(), limit, lambda count: store.audit_after(mark.audit, count))


def between(mark: ChangeMark, now: ChangeMark, limit: int, read: Callable[[int], list[AuditEntry]]) -> Changes:
    """The rule of `since`, given the mark `now` (read before the entries) and how to read at
    most `count` entries numbered after `mark.audit`: a store that reads both in one round
    trip (Neo4j) applies the same rule to what it read."""
    if now == mark:
        return Changes(now, [])
    bumps, described, entries = now.generation - mark.generation, now.described - mark.described, now.audit - mark.audit
    if bumps <= 0 or bumps != described or entries < 0 or entries > limit:
        return Changes(now, None)  # a change the trail does not describe, a counter gone back, or too many
    # Audit numbers follow commit order and entries never change, so those up to `now.audit`
    # are all committed and are exactly the changes between the marks.
    found = [entry for entry in read(max(entries, 1)) if mark.audit < entry.seq <= now.audit]
    if len(found) != entries:
        return Changes(now, None)  # the trail was cleared or reloaded in between
    return Changes(now, found)


def described(batch: WriteBatch) -> bool:
    """Whether the batch's audit entries name every record it puts and every link's source,
    and it changes no hub or key: then the trail says all it changed."""
    if not batch.audit or batch.new_hubs or batch.new_keys or batch.revoke_keys:
        return False
    named = {draft.ref for draft in batch.audit}
    sources = [
        *(put.record.ref for put in batch.puts),
        *(ref for ref, _ in batch.replace_links),
        *(link.source for link in (*batch.add_links, *batch.remove_links)),
    ]
    return all(str(ref) in named for ref in sources)


def public(entry: AuditEntry) -> bool:
    """Whether the change an entry records may be seen by a caller without a key (so by the
    recommenders, which read published records only).

    A case study that was not published before the write and is not after it is seen by its hub
    and the staff alone: its drafts, submissions and rejections.  The writer states both
    states in the entry (`review_state`, and `review_state_before` when it changed); an entry
    that does not say counts as public.
    """
    if not entry.ref.startswith(f"{Kind.USE_CASE.value}:"):
        return True
    after = entry.detail.get("review_state")
    before = entry.detail.get("review_state_before", after)
    return after is None or ReviewState.PUBLISHED.value in (after, before)
