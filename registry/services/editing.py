"""Coordinators' and hubs' changes to the registry, with their permissions."""

from __future__ import annotations

from dataclasses import dataclass, field

from registry.domain.errors import Collector, ErrorCode, RegistryError, Rule
from registry.domain.records import JSON, Kind, Link, Principal, Record, Ref, Rel, ReviewState, Role, Source
from registry.kinds import display_name
from registry.services.access import STAFF, require
from registry.services.validation import check_sources, slug_from
from registry.services.writer import LinkSpec, Writer
from registry.store.codec import label
from registry.store.port import Store, WriteBatch

# What coordinators create and edit directly (case studies go through review).
EDITABLE = frozenset({Kind.TERRITORY, Kind.ACTOR, Kind.PRIORITY, Kind.EXPERIMENT, Kind.SWOT_ITEM, Kind.WORKSHOP})


@dataclass
class Change:
    """A mutation's input, once the API layer has decoded ids into refs."""

    fields: JSON = field(default_factory=dict)
    sources: list[JSON] | None = None
    links: list[LinkSpec] = field(default_factory=list)
    slug: str | None = None
    # Problems the API met decoding the input (an ID of another kind): reported with all the others.
    problems: list[RegistryError] = field(default_factory=list)
    # Where the client named each link target (the API's own path), for the API's errors.
    origins: dict[tuple[Rel, Ref], str] = field(default_factory=dict)

    def request(self) -> JSON:
        """A canonical form of the input, for idempotency fingerprints."""
        return {
            "fields": self.fields,
            "sources": self.sources,
            "links": [[rel.value, [[str(ref), role] for ref, role in targets]] for rel, targets in self.links],
            "slug": self.slug,
        }


def _slug(kind: Kind, change: Change) -> str:
    if change.slug:
        return change.slug
    named = change.fields.get(display_name(kind))
    text = ""
    if isinstance(named, dict):
        text = str(named.get("en") or named.get("fr") or "")
    slug = slug_from(text)
    if not slug:
        raise RegistryError(
            ErrorCode.REQUIRED, "Give a slug, or a name from which to make one.", "slug", {"rule": Rule.REQUIRED.value}
        )
    return slug


def _start(kind: Kind, change: Change, *, sources_required: bool) -> tuple[Collector, str | None, tuple[Source, ...]]:
    """The slug and sources of a new record, and the problems found so far (the others follow)."""
    found = Collector(change.problems)
    slug: str | None = None
    sources: tuple[Source, ...] = ()
    with found.catch():
        slug = _slug(kind, change)
    with found.catch():
        sources = check_sources(change.sources or [], required=sources_required)
    return found, slug, sources


def _sources(change: Change, found: Collector, *, required: bool) -> tuple[Source, ...] | None:
    """An update's new sources (None: unchanged), their problems kept in `found`."""
    if change.sources is None:
        return None
    with found.catch():
        return check_sources(change.sources, required=required)
    return None


class Editing:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.writer = Writer(store)

    def create(self, principal: Principal, kind: Kind, change: Change, key: str | None) -> Record:
        """Create a territory, actor, priority, experiment, SWOT item or workshop (staff only)."""
        require(principal, *STAFF)
        if kind not in EDITABLE:
            raise RegistryError(ErrorCode.FORBIDDEN, f"{kind.value} records are not created through the API.")
        found, slug, sources = _start(kind, change, sources_required=False)
        return self.writer.run(
            principal,
            f"create{kind.value}",
            key,
            change.request(),
            lambda: self.writer.create_batch(
                principal, kind, slug, change.fields, sources, change.links, found=Collector(found.problems)
            ),
        )

    def update(self, principal: Principal, ref: Ref, version: int, change: Change, key: str | None) -> Record:
        """Update a record the caller may edit, if `version` is still the current one."""
        require(principal, *STAFF)
        if ref.kind not in EDITABLE:
            raise RegistryError(ErrorCode.FORBIDDEN, f"{ref.kind.value} records are not edited through the API.", "id")

        def build() -> tuple[Record, WriteBatch]:
            current = self.writer.load(principal, ref)
            found = Collector(change.problems)
            sources = _sources(change, found, required=False)
            return self.writer.update_batch(
                principal, current, version, change.fields, sources, change.links, found=found
            )

        request = {"ref": str(ref), "version": version, **change.request()}
        return self.writer.run(principal, f"update{ref.kind.value}", key, request, build)

    def link(self, principal: Principal, link: Link, key: str | None, *, remove: bool) -> Record:
        require(principal, *STAFF)
        request = {"source": str(link.source), "rel": link.rel.value, "target": str(link.target), "role": link.role}
        action = "unlink" if remove else "link"
        return self.writer.run(
            principal, action, key, request, lambda: self.writer.link_batch(principal, link, remove=remove)
        )

    # -- case studies ----------------------------------------------------------------------
    def submit_case_study(self, principal: Principal, change: Change, key: str | None, *, draft: bool) -> Record:
        """A hub (or staff) adds a case study; it stays unpublished until a coordinator publishes it."""
        require(principal, Role.HUB, *STAFF)
        found, slug, sources = _start(Kind.USE_CASE, change, sources_required=True)
        state = ReviewState.DRAFT if draft else ReviewState.SUBMITTED
        return self.writer.run(
            principal,
            "submitCaseStudy",
            key,
            {**change.request(), "draft": draft},
            lambda: self.writer.create_batch(
                principal,
                Kind.USE_CASE,
                slug,
                change.fields,
                sources,
                change.links,
                review_state=state,
                hub=principal.hub,
                action="submit",
                found=Collector(found.problems),
            ),
        )

    def update_case_study(
        self, principal: Principal, slug: str, version: int, change: Change, key: str | None, *, submit: bool
    ) -> Record:
        """A hub edits its own case study before publication; staff may edit any."""
        require(principal, Role.HUB, *STAFF)
        ref = Ref(Kind.USE_CASE, slug)

        def build() -> tuple[Record, WriteBatch]:
            current = self.writer.load(principal, ref)
            if principal.role is Role.HUB:
                # Another hub's unpublished case study is NOT_FOUND (load); a published one is visible.
                if current.hub != principal.hub:
                    raise RegistryError(ErrorCode.FORBIDDEN, "A hub edits only its own case studies.", "id")
                if current.review_state is ReviewState.PUBLISHED:
                    raise RegistryError(
                        ErrorCode.INVALID_STATE, "A published case study is edited by coordinators only.", "id"
                    )
            found = Collector(change.problems)
            sources = _sources(change, found, required=True)
            state = ReviewState.SUBMITTED if submit and current.review_state is not ReviewState.PUBLISHED else None
            return self.writer.update_batch(
                principal, current, version, change.fields, sources, change.links, review_state=state, found=found
            )

        request = {"ref": str(ref), "version": version, "submit": submit, **change.request()}
        return self.writer.run(principal, "updateCaseStudy", key, request, build)

    def review_case_study(
        self,
        principal: Principal,
        slug: str,
        version: int,
        key: str | None,
        *,
        publish: bool,
        reason: str | None = None,
    ) -> Record:
        """A coordinator publishes a submitted case study, or rejects it with a reason."""
        require(principal, *STAFF)
        ref = Ref(Kind.USE_CASE, slug)
        reason = (reason or "").strip()
        if not publish and not reason:
            raise RegistryError(
                ErrorCode.REQUIRED, "Say why the case study is rejected.", "reason", {"rule": Rule.REQUIRED.value}
            )

        def build() -> tuple[Record, WriteBatch]:
            current = self.writer.load(principal, ref)
            if current.review_state is not ReviewState.SUBMITTED:
                raise RegistryError(
                    ErrorCode.INVALID_STATE,
                    f"{label(current)!r} is {current.review_state.value}; only submitted case studies are reviewed.",
                    "id",
                )
            state = ReviewState.PUBLISHED if publish else ReviewState.REJECTED
            detail: JSON = {"review_state": state.value}
            if reason:
                detail["reason"] = reason
            # The version the coordinator saw is kept as every write's facts (services/versions.py), which
            # "what changed" on resubmission reads from this entry.
            action = "publish" if publish else "reject"
            note = {"review_note": None if publish else reason}
            return self.writer.update_batch(
                principal, current, version, note, None, [], review_state=state, action=action, detail=detail
            )

        name = "publishCaseStudy" if publish else "rejectCaseStudy"
        return self.writer.run(principal, name, key, {"ref": str(ref), "version": version, "reason": reason}, build)
