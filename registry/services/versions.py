"""A record's facts at each version, kept in the audit trail, and its history as a caller may see it.

Every write of a record (create, update, submit, publish, reject, link, unlink) keeps in its audit
entry the record's `facts` right after it: its editable fields as the API writes them, its sources
and the slugs of the records its own links reach (territories, domains, actors…).  Before this,
an entry named the fields a write touched, not their values, so a record's history starts at
its first write carrying facts: nothing before it is rebuilt or guessed (seeded and older
records show no version from before that change).  The review card's "what changed since the
rejection" reads the same facts (review_changes.py): one mechanism for both.

What a caller sees (`history`): coordinators and admins every version; a hub every version of
its own case studies; anyone else the published versions only, each compared with the previous
published one, so no draft, submission or rejection leaves a trace.  The review note is the
coordinator's and is not a fact; a link to a case study the caller may not see is left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from registry.domain.records import JSON, AuditEntry, Kind, Link, Record, Ref, ReviewState
from registry.kinds import DECLARATIONS
from registry.kinds.completeness import api_name
from registry.kinds.spec import KindDecl
from registry.kinds.spec import Link as LinkDecl
from registry.store.port import Store, Visibility

LOOK_BACK = 200  # audit entries of one record read at most: far more than its versions in practice
REVIEW_STATE = "reviewState"  # a case study's review state, compared as a fact for those who see drafts


@dataclass(frozen=True)
class FieldChange:
    field: str  # the field's GraphQL name: status, yearStart, territories, sources…
    before: Any
    after: Any


@dataclass(frozen=True)
class Version:
    version: int
    at: datetime
    action: str  # create, update, submit, publish, reject, link, unlink
    changes: tuple[FieldChange, ...]
    sources: tuple[JSON, ...]  # {url, title} at that version


def _links(decl: KindDecl) -> tuple[LinkDecl, ...]:
    """The links a record states itself (it is their source): its own facts."""
    return tuple(link for link in decl.links if link.direction == "from")


def _value(kind: str, value: Any) -> Any:
    """A stored value as the API writes it: enums in capitals, lists sorted, unknown as null."""
    if kind == "enum":
        return None if value is None else str(value).upper()
    if kind == "enum_list":
        return sorted(str(v).upper() for v in value or ())
    return value


def facts(record: Record, links: Iterable[Link]) -> JSON:
    """The record's facts, given every link it is the source of (no store read)."""
    decl = DECLARATIONS[record.kind]
    out: JSON = {api_name(f): _value(f.type, record.data.get(f.name)) for f in decl.fields if f.stored and f.editable}
    out["sources"] = [{"url": s.url, "title": s.title} for s in record.sources]
    held = list(links)
    for link in _links(decl):
        out[api_name_of(link)] = sorted(
            x.target.slug for x in held if x.rel is link.rel and x.target.kind is link.target
        )
    return out


def api_name_of(link: LinkDecl) -> str:
    head, *rest = link.name.split("_")
    return head + "".join(part.title() for part in rest)


def kept_facts(current: Record, held: Iterable[Link], record: Record, holds: Iterable[Link]) -> JSON:
    """What a write keeps in its audit entry: the facts after it, and the earlier value of each fact
    it changed (`before`), so the first write that keeps facts tells what it changed, even on a
    record written before any write kept them."""
    before, after = facts(current, held), facts(record, holds)
    return {"facts": after, "before": {k: before.get(k) for k, v in after.items() if before.get(k) != v}}


def stored_links(store: Store, record: Record, *, skip: Iterable[Any] = ()) -> list[Link]:
    """The links `record` is the source of, as stored, but for the relations in `skip` (one read per relation)."""
    skipped = set(skip)
    rels = dict.fromkeys(link.rel for link in _links(DECLARATIONS[record.kind]) if link.rel not in skipped)
    return [x for rel in rels for x in store.links_from([record.ref], rel)]


def _published(entry: AuditEntry, kind: Kind) -> bool:
    """Whether the record was published right after this entry (every kind but case studies always is)."""
    if kind is not Kind.USE_CASE:
        return True
    return entry.detail.get("review_state") == ReviewState.PUBLISHED.value


def _sees_all(visibility: Visibility, record: Record) -> bool:
    return visibility.everything or (visibility.hub is not None and record.hub == visibility.hub)


def _compared(entry: AuditEntry, kind: Kind, everything: bool) -> JSON:
    kept: JSON = dict(entry.detail["facts"])
    state = entry.detail.get("review_state")
    if everything and kind is Kind.USE_CASE and isinstance(state, str):
        kept[REVIEW_STATE] = state.upper()
    return kept


def _hidden_targets(store: Store, record: Record, entries: list[JSON], visibility: Visibility) -> dict[str, set[str]]:
    """For each link fact reaching case studies, the slugs the caller may not see (one read)."""
    names = [api_name_of(x) for x in _links(DECLARATIONS[record.kind]) if x.target is Kind.USE_CASE]
    slugs = {slug for kept in entries for name in names for slug in kept.get(name) or ()}
    if not slugs:
        return {}
    seen = store.get([Ref(Kind.USE_CASE, s) for s in sorted(slugs)], visibility)
    hidden = {s for s in slugs if Ref(Kind.USE_CASE, s) not in seen}
    return {name: hidden for name in names}


def _prior(first: AuditEntry, kind: Kind, everything: bool) -> tuple[JSON, bool]:
    """The facts just before the first entry keeping facts (none before a creation), and whether
    that earlier version was published: a record written before entries kept facts has its facts
    back from that entry's `before`, never guessed."""
    if first.version_before is None:
        return {}, False
    prior: JSON = {**first.detail["facts"], **(first.detail.get("before") or {})}
    state = first.detail.get("review_state_before", first.detail.get("review_state"))
    if everything and kind is Kind.USE_CASE and isinstance(state, str):
        prior[REVIEW_STATE] = state.upper()
    return prior, kind is not Kind.USE_CASE or state == ReviewState.PUBLISHED.value


def history(store: Store, record: Record, visibility: Visibility, limit: int) -> list[Version]:
    """The versions of `record` the caller may see, newest first, at most `limit`; each says what
    changed since the previous one the caller may see (the first shown after a creation or an
    unpublished past: every fact it states)."""
    _, total = store.audit_page(0, 0, str(record.ref))
    entries, _ = store.audit_page(max(0, total - LOOK_BACK), LOOK_BACK, str(record.ref))
    kept = [e for e in entries if isinstance(e.detail.get("facts"), dict)]
    if not kept:
        return []
    everything = _sees_all(visibility, record)
    states = [_compared(e, record.kind, everything) for e in kept]
    prior, was_published = _prior(kept[0], record.kind, everything)
    hidden = _hidden_targets(store, record, [prior, *states], visibility)
    for item in (prior, *states):
        for name, slugs in hidden.items():
            if name in item:
                item[name] = [s for s in item.get(name) or () if s not in slugs]
    before: JSON = prior if everything or was_published else {}
    versions: list[Version] = []
    for entry, now in zip(kept, states, strict=True):
        if not (everything or _published(entry, record.kind)):
            continue  # an unpublished state: no trace of it, and the next published one is compared with the last shown
        changes = tuple(
            FieldChange(key, before.get(key), value)
            for key, value in now.items()
            if before.get(key) != value and not (key not in before and value in (None, []))
        )
        versions.append(Version(entry.version_after or 0, entry.at, entry.action, changes, tuple(now["sources"])))
        before = now
    return list(reversed(versions))[:limit]
