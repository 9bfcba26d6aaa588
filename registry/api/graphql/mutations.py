"""The root Mutation: every result is a payload with the record or typed errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from registry.api.execution.context import Loaders, context_of
from registry.api.graphql.ids import decode, ref_of
from registry.api.graphql.inputs import INPUTS, CaseStudyInput, LinkInput
from registry.api.graphql.types import TYPES, Node, wrap
from registry.api.graphql.user_errors import UserError, user_errors
from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import Kind, Link, Principal, Record
from registry.kinds import PUBLIC_DECLARATIONS, KindDecl
from registry.services.editing import Change, Editing

IDEMPOTENCY = "Send the same key to retry safely: a replay returns the first result and writes nothing."
VERSION = "The version you last saw: a stale version gets a CONFLICT error and changes nothing."


def _payload_type(decl: KindDecl) -> type:
    """A kind's mutation payload: the record (null on failure) and the typed errors."""
    annotations = {decl.snake: TYPES[decl.kind] | None, "errors": list[UserError]}
    name = decl.payload_name or f"{decl.kind.value}Payload"
    built: type = strawberry.type(type(name, (), {"__module__": __name__, "__annotations__": annotations}))
    return built


if TYPE_CHECKING:  # the generated payload the case-study mutations build, as the type checker sees it

    class CaseStudyPayload:
        def __init__(self, *, use_case: Any, errors: list[UserError]) -> None: ...


PAYLOADS: dict[Kind, type] = {kind: _payload_type(PUBLIC_DECLARATIONS[kind]) for kind in INPUTS}
globals().update({built.__name__: built for built in PAYLOADS.values()})  # CaseStudyPayload… by name


@strawberry.type
class LinkPayload:
    source: Node | None
    errors: list[UserError]


async def _attempt(
    info: Info[Any, Any],
    work: Callable[[Editing, Principal], Record],
    kind: Kind | None = None,
    change: Change | None = None,
) -> tuple[Any, list[UserError]]:
    """Run a service call; expected failures become the payload's errors, every problem of the
    input named as the client wrote it (`kind` and `change` say how)."""
    ctx = context_of(info)
    try:
        record = await ctx.call(work, ctx.editing, ctx.principal)
    except RegistryError as error:
        if error.code in (ErrorCode.STORE_UNAVAILABLE, ErrorCode.TIMEOUT):  # the request's, not the input's
            raise
        return None, user_errors(error, kind, change)
    ctx.loaders = Loaders(ctx.store, ctx.visibility)  # what was cached before the write may be stale
    return wrap(record), []


def _editable(id: str, kind: Kind) -> Any:
    return ref_of(id, kind, "id")


async def _create(
    info: Info[Any, Any], kind: Kind, change: Callable[[], Change], key: str | None
) -> tuple[Any, list[UserError]]:
    given = change()
    return await _attempt(info, lambda editing, who: editing.create(who, kind, given, key), kind, given)


async def _update(
    info: Info[Any, Any], kind: Kind, id: str, version: int, change: Callable[[], Change], key: str | None
) -> tuple[Any, list[UserError]]:
    given = change()
    return await _attempt(
        info, lambda editing, who: editing.update(who, _editable(id, kind), version, given, key), kind, given
    )


class _CaseStudyMutations:
    """Hubs submit case studies, coordinators publish them (the mutations of `Mutation`, in order)."""

    @strawberry.mutation(description="A hub adds a case study with its sources; coordinators publish it.")
    async def submit_case_study(
        self,
        info: Info[Any, Any],
        input: CaseStudyInput,
        draft: bool = False,
        idempotency_key: Annotated[str | None, strawberry.argument(description=IDEMPOTENCY)] = None,
    ) -> CaseStudyPayload:
        given = input.change()
        record, errors = await _attempt(
            info,
            lambda editing, who: editing.submit_case_study(who, given, idempotency_key, draft=draft),
            Kind.USE_CASE,
            given,
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
        given = input.change()

        def work(editing: Editing, who: Principal) -> Record:
            ref = _editable(id, Kind.USE_CASE)
            return editing.update_case_study(who, ref.slug, version, given, idempotency_key, submit=submit)

        record, errors = await _attempt(info, work, Kind.USE_CASE, given)
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


class _LinkMutations:
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


def _create_mutation(decl: KindDecl) -> Any:
    kind, field = decl.kind, decl.snake
    payload = PAYLOADS[kind]

    async def create(self: Any, info: Info[Any, Any], input: Any, idempotency_key: str | None = None) -> Any:
        record, errors = await _create(info, kind, input.change, idempotency_key)
        return payload(**{field: record, "errors": errors})

    create.__annotations__["input"] = INPUTS[kind]
    create.__annotations__["return"] = payload
    return strawberry.mutation(create)


def _update_mutation(decl: KindDecl) -> Any:
    kind, field = decl.kind, decl.snake
    payload = PAYLOADS[kind]

    async def update(
        self: Any,
        info: Info[Any, Any],
        id: strawberry.ID,
        version: int,
        input: Any,
        idempotency_key: str | None = None,
    ) -> Any:
        record, errors = await _update(info, kind, id, version, input.change, idempotency_key)
        return payload(**{field: record, "errors": errors})

    update.__annotations__["input"] = INPUTS[kind]
    update.__annotations__["return"] = payload
    return strawberry.mutation(update, description=VERSION)


def _members(holder: type) -> dict[str, Any]:
    return {name: value for name, value in vars(holder).items() if not name.startswith("__")}


def _record_mutations() -> dict[str, Any]:
    """create_<kind> and update_<kind> for each kind coordinators edit, in `Kind` order."""
    found: dict[str, Any] = {}
    for decl in PUBLIC_DECLARATIONS.values():
        if decl.editable:
            found[f"create_{decl.snake}"] = _create_mutation(decl)
            found[f"update_{decl.snake}"] = _update_mutation(decl)
    return found


# The root Mutation: case studies, then coordinators' records, then links.
Mutation = strawberry.type(
    type(
        "Mutation",
        (),
        {
            "__module__": __name__,
            **_members(_CaseStudyMutations),
            **_record_mutations(),
            **_members(_LinkMutations),
        },
    )
)


def _link(payload: LinkInput) -> Link:
    ends = []
    for value, name in ((payload.source, "source"), (payload.target, "target")):
        ref = decode(value)
        if ref is None:
            raise RegistryError(ErrorCode.INVALID, f"{value!r} is not a global ID.", name)
        ends.append(ref)
    return Link(ends[0], payload.relation, ends[1], payload.role.strip())
