"""The one way records are written: validated, versioned, audited, idempotent.

Every mutation builds one WriteBatch that the store applies atomically, so a
failure at any step leaves the registry as it was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace

from registry.domain.errors import Collector, ErrorCode, RegistryError, Rule
from registry.domain.records import JSON, Kind, Link, Principal, Record, Ref, Rel, ReviewState, Source
from registry.kinds import KIND_LABELS
from registry.services.access import visibility
from registry.services.validation import check_fields, check_link, check_slug, links_for
from registry.services.versions import facts, kept_facts, stored_links
from registry.store.codec import dump_json, now, record_from_row, record_to_row
from registry.store.port import AuditDraft, Put, Replayed, Store, WriteBatch

LinkSpec = tuple[Rel, list[tuple[Ref, str]]]  # a relation and its (target, role) pairs
MAX_KEY = 200


def _first_result(stored: str, fingerprint: str) -> Record:
    """The record a key's first run returned, if this run asks the same thing."""
    first = json.loads(stored)
    if first["fingerprint"] != fingerprint:
        raise RegistryError(
            ErrorCode.INVALID, "This idempotency key was already used for a different request.", "idempotencyKey"
        )
    return record_from_row(first["record"])


class Writer:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- idempotency ---------------------------------------------------------------
    def run(
        self,
        principal: Principal,
        action: str,
        key: str | None,
        request: JSON,
        build: Callable[[], tuple[Record, WriteBatch]],
    ) -> Record:
        """Run `build` and write its batch once per idempotency key.

        A replay with the same key and the same input returns the first result
        and writes nothing; the same key with other input is refused.
        """
        if key is None:
            record, batch = build()
            self.store.write(batch)
            return record
        if not key or len(key) > MAX_KEY:
            raise RegistryError(
                ErrorCode.INVALID, f"An idempotency key has 1 to {MAX_KEY} characters.", "idempotencyKey"
            )
        scoped = f"{principal.actor}|{key}"
        fingerprint = hashlib.sha256(dump_json({"action": action, "request": request}).encode()).hexdigest()
        stored = self.store.idempotent_result(scoped)
        if stored is not None:
            return _first_result(stored, fingerprint)
        try:
            record, batch = build()
            batch.idempotency = (scoped, dump_json({"fingerprint": fingerprint, "record": record_to_row(record)}))
            self.store.write(batch)
        except Replayed as replayed:  # a concurrent replay wrote first (the store checks under its lock)
            return _first_result(replayed.result, fingerprint)
        except RegistryError as error:
            # A concurrent replay may have committed between our check and `build`, which then
            # saw its change (a stale version, a taken slug): the caller gets the first result.
            stored = None if error.code is ErrorCode.STORE_UNAVAILABLE else self.store.idempotent_result(scoped)
            if stored is None:
                raise
            return _first_result(stored, fingerprint)
        return record

    # -- records ---------------------------------------------------------------------
    def load(self, principal: Principal, ref: Ref) -> Record:
        """The record as `principal` may see it: one it may not see is NOT_FOUND, as a missing one."""
        found = self.store.get([ref], visibility(principal)).get(ref)
        if found is None:
            raise RegistryError(ErrorCode.NOT_FOUND, f"No {ref.kind.value} {ref.slug!r}.", "id")
        return found

    def create_batch(
        self,
        principal: Principal,
        kind: Kind,
        slug: str | None,
        fields: JSON,
        sources: tuple[Source, ...],
        links: list[LinkSpec],
        *,
        review_state: ReviewState = ReviewState.PUBLISHED,
        hub: str | None = None,
        action: str = "create",
        found: Collector | None = None,
    ) -> tuple[Record, WriteBatch]:
        """The batch creating a record; `found` holds the input's problems found so far (a None
        slug was one of them): every problem of the input is raised at once."""
        found = found or Collector()
        if slug is not None:
            with found.catch():
                check_slug(slug)
        data: JSON = {}
        with found.catch():
            data = check_fields(kind, fields)
        at = now()
        record = Record(kind, slug or "-", data, sources, 1, at, at, review_state, hub)
        batch = WriteBatch(puts=[Put(record, None)], at=at)
        with found.catch():
            self._add_links(principal, batch, record.ref, links)
        found.check()
        detail: JSON = {"fields": sorted(fields), "facts": facts(record, batch.add_links)}
        if kind is Kind.USE_CASE:  # the state after each write, for live subscribers (api/live.py)
            detail["review_state"] = review_state.value
        batch.audit.append(AuditDraft(principal.actor, action, str(record.ref), None, 1, detail))
        return record, batch

    def update_batch(
        self,
        principal: Principal,
        current: Record,
        version: int,
        fields: JSON,
        sources: tuple[Source, ...] | None,
        links: list[LinkSpec],
        *,
        review_state: ReviewState | None = None,
        action: str = "update",
        detail: JSON | None = None,
        found: Collector | None = None,
    ) -> tuple[Record, WriteBatch]:
        if version != current.version:
            raise RegistryError(
                ErrorCode.CONFLICT,
                f"{current.ref} is at version {current.version}, not {version}: reload it and apply your change again.",
                "version",
            )
        found = found or Collector()
        data = current.data
        with found.catch():
            data = check_fields(current.kind, fields, base=current.data)
        at = now()
        record = replace(
            current,
            data=data,
            sources=current.sources if sources is None else sources,
            version=current.version + 1,
            updated_at=at,
            review_state=review_state or current.review_state,
        )
        batch = WriteBatch(puts=[Put(record, version)], at=at)
        for rel, _ in links:
            batch.replace_links.append((current.ref, rel))
        with found.catch():
            self._add_links(principal, batch, current.ref, links)
        found.check()
        # The facts after the write (services/versions.py): the links it replaces, and the others as stored;
        # the version checked under the store's lock makes the fields and sources those of this version.
        stored = stored_links(self.store, current)
        replaced = {rel for rel, _ in links}
        held = [*(x for x in stored if x.rel not in replaced), *batch.add_links]
        changed: JSON = {"fields": sorted(fields), **(detail or {}), **kept_facts(current, stored, record, held)}
        if current.kind is Kind.USE_CASE:  # the state after each write, for live subscribers (api/live.py)
            changed["review_state"] = record.review_state.value
            if record.review_state is not current.review_state:
                changed["review_state_before"] = current.review_state.value
        if links:
            changed["links"] = sorted(rel.value for rel, _ in links)
        batch.audit.append(AuditDraft(principal.actor, action, str(current.ref), version, record.version, changed))
        return record, batch

    def _add_links(self, principal: Principal, batch: WriteBatch, source: Ref, links: list[LinkSpec]) -> None:
        wanted = [link for rel, targets in links for link in links_for(source, rel, targets, rel.value.lower())]
        known = self.store.get([link.target for link in wanted], visibility(principal))  # one round trip
        missing = Collector()
        for link in wanted:
            if link.target not in known:
                target = link.target
                label = KIND_LABELS.get(target.kind, target.kind.value).lower()
                missing.add(
                    RegistryError(
                        ErrorCode.NOT_FOUND,
                        f"There is no {label} {target.slug!r}.",
                        link.rel.value.lower(),
                        {"rule": Rule.UNKNOWN.value, "value": target.slug, "kind": target.kind.value},
                    )
                )
        missing.check()
        batch.add_links.extend(wanted)

    def link_batch(self, principal: Principal, link: Link, *, remove: bool) -> tuple[Record, WriteBatch]:
        check_link(link, "rel")
        found = self.store.get([link.source, link.target], visibility(principal))
        for end, name in ((link.source, "source"), (link.target, "target")):
            if end not in found:
                raise RegistryError(ErrorCode.NOT_FOUND, f"No {end.kind.value} {end.slug!r}.", name)
        source = found[link.source]
        batch = WriteBatch(at=now())
        (batch.remove_links if remove else batch.add_links).append(link)
        detail: JSON = {"rel": link.rel.value, "target": str(link.target), "role": link.role}
        # The facts after it (services/versions.py).  A link is not versioned: two link writes racing on one
        # record may each keep facts without the other's link; the next write of the record keeps them right.
        stored = stored_links(self.store, source)
        held = [x for x in stored if (x.rel, x.target) != (link.rel, link.target)]
        detail.update(kept_facts(source, stored, source, held if remove else [*held, link]))
        if source.kind is Kind.USE_CASE:  # the state it stays in, for the history's visibility
            detail["review_state"] = source.review_state.value
        action = "unlink" if remove else "link"
        batch.audit.append(
            AuditDraft(principal.actor, action, str(link.source), source.version, source.version, detail)
        )
        return source, batch
