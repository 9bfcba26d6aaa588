"""The root Mutation: every result is a payload with the record or typed errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from registry.api.execution.context import Loaders, context_of
from registry.api.graphql.ids import decode, ref_of
from registry.api.graphql.inputs import (
    ActorInput,
    CaseStudyInput,
    ExperimentInput,
    LinkInput,
    PriorityInput,
    SwotItemInput,
    TerritoryInput,
    WorkshopInput,
)
from registry.api.graphql.types import Actor, Experiment, Node, Priority, SwotItem, Territory, UseCase, Workshop, wrap
from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import Kind, Link, Principal, Record
from registry.services.editing import Change, Editing

IDEMPOTENCY = "Send the same key to retry safely: a replay returns the first result and writes nothing."
VERSION = "The version you last saw: a stale version gets a CONFLICT error and changes nothing."


ErrorCodeType = strawberry.enum(ErrorCode, name="ErrorCode")


@strawberry.type(description="An expected failure: what went wrong, on which input field, and why.")
class UserError:
    code: ErrorCodeType  # type: ignore[valid-type]
    field: str | None
    message: str


@strawberry.type
class TerritoryPayload:
    territory: Territory | None
    errors: list[UserError]


@strawberry.type
class ActorPayload:
    actor: Actor | None
    errors: list[UserError]


@strawberry.type
class PriorityPayload:
    priority: Priority | None
    errors: list[UserError]


@strawberry.type
class ExperimentPayload:
    experiment: Experiment | None
    errors: list[UserError]


@strawberry.type
class SwotItemPayload:
    swot_item: SwotItem | None
    errors: list[UserError]


@strawberry.type
class WorkshopPayload:
    workshop: Workshop | None
    errors: list[UserError]


@strawberry.type
class CaseStudyPayload:
    use_case: UseCase | None
    errors: list[UserError]


@strawberry.type
class LinkPayload:
    source: Node | None
    errors: list[UserError]


async def _attempt(info: Info[Any, Any], work: Callable[[Editing, Principal], Record]) -> tuple[Any, list[UserError]]:
    """Run a service call; expected failures become the payload's errors."""
    ctx = context_of(info)
    try:
        record = await ctx.call(work, ctx.editing, ctx.principal)
    except RegistryError as error:
        if error.code in (ErrorCode.STORE_UNAVAILABLE, ErrorCode.TIMEOUT):  # the request's, not the input's
            raise
        return None, [UserError(code=error.code, field=error.field, message=error.message)]
    ctx.loaders = Loaders(ctx.store, ctx.visibility)  # what was cached before the write may be stale
    return wrap(record), []


def _editable(id: str, kind: Kind) -> Any:
    return ref_of(id, kind, "id")


async def _create(
    info: Info[Any, Any], kind: Kind, change: Callable[[], Change], key: str | None
) -> tuple[Any, list[UserError]]:
    return await _attempt(info, lambda editing, who: editing.create(who, kind, change(), key))


async def _update(
    info: Info[Any, Any], kind: Kind, id: str, version: int, change: Callable[[], Change], key: str | None
) -> tuple[Any, list[UserError]]:
    return await _attempt(info, lambda editing, who: editing.update(who, _editable(id, kind), version, change(), key))


@strawberry.type
class Mutation:
    # -- case studies: hubs submit, coordinators publish ------------------------------------------
    @strawberry.mutation(description="A hub adds a case study with its sources; coordinators publish it.")
    async def submit_case_study(
        self,
        info: Info[Any, Any],
        input: CaseStudyInput,
        draft: bool = False,
        idempotency_key: Annotated[str | None, strawberry.argument(description=IDEMPOTENCY)] = None,
    ) -> CaseStudyPayload:
        record, errors = await _attempt(
            info, lambda editing, who: editing.submit_case_study(who, input.change(), idempotency_key, draft=draft)
        )
        return CaseStudyPayload(use_case=record, errors=errors)

    @strawberry.mutation(description="A hub edits its own case study before publication (coordinators: any).")
    async def update_case_study(
        self,
        info: Info[Any, Any],
        id: strawberry.ID,
        version: int,
        input: CaseStudyInput,
        submit: bool = False,
        idempotency_key: str | None = None,
    ) -> CaseStudyPayload:
        def work(editing: Editing, who: Principal) -> Record:
            ref = _editable(id, Kind.USE_CASE)
            return editing.update_case_study(who, ref.slug, version, input.change(), idempotency_key, submit=submit)

        record, errors = await _attempt(info, work)
        return CaseStudyPayload(use_case=record, errors=errors)

    @strawberry.mutation(description="A coordinator publishes a submitted case study.")
    async def publish_case_study(
        self, info: Info[Any, Any], id: strawberry.ID, version: int, idempotency_key: str | None = None
    ) -> CaseStudyPayload:
        def work(editing: Editing, who: Principal) -> Record:
            ref = _editable(id, Kind.USE_CASE)
            return editing.review_case_study(who, ref.slug, version, idempotency_key, publish=True)

        record, errors = await _attempt(info, work)
        return CaseStudyPayload(use_case=record, errors=errors)

    @strawberry.mutation(description="A coordinator rejects a submitted case study, saying why.")
    async def reject_case_study(
        self, info: Info[Any, Any], id: strawberry.ID, version: int, reason: str, idempotency_key: str | None = None
    ) -> CaseStudyPayload:
        def work(editing: Editing, who: Principal) -> Record:
            ref = _editable(id, Kind.USE_CASE)
            return editing.review_case_study(who, ref.slug, version, idempotency_key, publish=False, reason=reason)

        record, errors = await _attempt(info, work)
        return CaseStudyPayload(use_case=record, errors=errors)

    # -- coordinators' records ------------------------------------------------------------------------
    @strawberry.mutation
    async def create_territory(
        self, info: Info[Any, Any], input: TerritoryInput, idempotency_key: str | None = None
    ) -> TerritoryPayload:
        record, errors = await _create(info, Kind.TERRITORY, input.change, idempotency_key)
        return TerritoryPayload(territory=record, errors=errors)

    @strawberry.mutation(description=VERSION)
    async def update_territory(
        self,
        info: Info[Any, Any],
        id: strawberry.ID,
        version: int,
        input: TerritoryInput,
        idempotency_key: str | None = None,
    ) -> TerritoryPayload:
        record, errors = await _update(info, Kind.TERRITORY, id, version, input.change, idempotency_key)
        return TerritoryPayload(territory=record, errors=errors)

    @strawberry.mutation
    async def create_actor(
        self, info: Info[Any, Any], input: ActorInput, idempotency_key: str | None = None
    ) -> ActorPayload:
        record, errors = await _create(info, Kind.ACTOR, input.change, idempotency_key)
        return ActorPayload(actor=record, errors=errors)

    @strawberry.mutation(description=VERSION)
    async def update_actor(
        self,
        info: Info[Any, Any],
        id: strawberry.ID,
        version: int,
        input: ActorInput,
        idempotency_key: str | None = None,
    ) -> ActorPayload:
        record, errors = await _update(info, Kind.ACTOR, id, version, input.change, idempotency_key)
        return ActorPayload(actor=record, errors=errors)

    @strawberry.mutation
    async def create_priority(
        self, info: Info[Any, Any], input: PriorityInput, idempotency_key: str | None = None
    ) -> PriorityPayload:
        record, errors = await _create(info, Kind.PRIORITY, input.change, idempotency_key)
        return PriorityPayload(priority=record, errors=errors)

    @strawberry.mutation(description=VERSION)
    async def update_priority(
        self,
        info: Info[Any, Any],
        id: strawberry.ID,
        version: int,
        input: PriorityInput,
        idempotency_key: str | None = None,
    ) -> PriorityPayload:
        record, errors = await _update(info, Kind.PRIORITY, id, version, input.change, idempotency_key)
        return PriorityPayload(priority=record, errors=errors)

    @strawberry.mutation
    async def create_experiment(
        self, info: Info[Any, Any], input: ExperimentInput, idempotency_key: str | None = None
    ) -> ExperimentPayload:
        record, errors = await _create(info, Kind.EXPERIMENT, input.change, idempotency_key)
        return ExperimentPayload(experiment=record, errors=errors)

    @strawberry.mutation(description=VERSION)
    async def update_experiment(
        self,
        info: Info[Any, Any],
        id: strawberry.ID,
        version: int,
        input: ExperimentInput,
        idempotency_key: str | None = None,
    ) -> ExperimentPayload:
        record, errors = await _update(info, Kind.EXPERIMENT, id, version, input.change, idempotency_key)
        return ExperimentPayload(experiment=record, errors=errors)

    @strawberry.mutation
    async def create_swot_item(
        self, info: Info[Any, Any], input: SwotItemInput, idempotency_key: str | None = None
    ) -> SwotItemPayload:
        record, errors = await _create(info, Kind.SWOT_ITEM, input.change, idempotency_key)
        return SwotItemPayload(swot_item=record, errors=errors)

    @strawberry.mutation(description=VERSION)
    async def update_swot_item(
        self,
        info: Info[Any, Any],
        id: strawberry.ID,
        version: int,
        input: SwotItemInput,
        idempotency_key: str | None = None,
    ) -> SwotItemPayload:
        record, errors = await _update(info, Kind.SWOT_ITEM, id, version, input.change, idempotency_key)
        return SwotItemPayload(swot_item=record, errors=errors)

    @strawberry.mutation
    async def create_workshop(
        self, info: Info[Any, Any], input: WorkshopInput, idempotency_key: str | None = None
    ) -> WorkshopPayload:
        record, errors = await _create(info, Kind.WORKSHOP, input.change, idempotency_key)
        return WorkshopPayload(workshop=record, errors=errors)

    @strawberry.mutation(description=VERSION)
    async def update_workshop(
        self,
        info: Info[Any, Any],
        id: strawberry.ID,
        version: int,
        input: WorkshopInput,
        idempotency_key: str | None = None,
    ) -> WorkshopPayload:
        record, errors = await _update(info, Kind.WORKSHOP, id, version, input.change, idempotency_key)
        return WorkshopPayload(workshop=record, errors=errors)

    @strawberry.mutation(description="Link two records (coordinators).")
    async def link_records(
        self, info: Info[Any, Any], input: LinkInput, idempotency_key: str | None = None
    ) -> LinkPayload:
        record, errors = await _attempt(
            info, lambda editing, who: editing.link(who, _link(input), idempotency_key, remove=False)
        )
        return LinkPayload(source=record, errors=errors)

    @strawberry.mutation(description="Remove a link between two records (coordinators).")
    async def unlink_records(
        self, info: Info[Any, Any], input: LinkInput, idempotency_key: str | None = None
    ) -> LinkPayload:
        record, errors = await _attempt(
            info, lambda editing, who: editing.link(who, _link(input), idempotency_key, remove=True)
        )
        return LinkPayload(source=record, errors=errors)


def _link(payload: LinkInput) -> Link:
    ends = []
    for value, name in ((payload.source, "source"), (payload.target, "target")):
        ref = decode(value)
        if ref is None:
            raise RegistryError(ErrorCode.INVALID, f"{value!r} is not a global ID.", name)
        ends.append(ref)
    return Link(ends[0], payload.relation, ends[1], payload.role.strip())
