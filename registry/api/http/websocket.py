"""GraphQL subscriptions over WebSocket at /graphql, with the graphql-transport-ws protocol.

The protocol Apollo Client, urql and `graphql-ws` speak.  The caller's key comes in the
`connection_init` payload (`{"Authorization": "Bearer <key>"}`), as HTTP callers send it in
a header; an unknown or revoked key closes the socket with 4403.  Only subscriptions run
here: queries and mutations go over HTTP, with its limits and caches.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable
from datetime import timedelta
from typing import Any, cast

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, get_operation_ast, parse
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.schema.base import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from registry.api.execution.context import Loaders
from registry.api.graphql.schema import schema
from registry.api.graphql.subscriptions import LiveContext
from registry.api.http.persisted import NOT_IN_LIST, load_manifest
from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import ANONYMOUS
from registry.observability import live_metrics, metrics
from registry.services.access import authenticate, visibility
from registry.services.audit_feed import AuditFeed
from registry.services.editing import Editing

MAX_SUBSCRIPTIONS = 20  # per connection


class _SubscriptionsOnly:
    """The schema, streaming subscriptions only (the WebSocket handler asks it for any operation)."""

    def __init__(self, inner: BaseSchema) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def stream(self, query: str | None, *args: Any, **kwargs: Any) -> Any:
        name = kwargs.get("operation_name")
        operation = self._operation(query, name)
        label = metrics.operation_label((name, query))
        field = _root_field(operation)
        if operation is not None and OperationType(operation.operation.value) is not OperationType.SUBSCRIPTION:
            return live_metrics.tracked(label, field, _refused(SUBSCRIPTIONS_ONLY, ErrorCode.INVALID.value), _pre)
        context = kwargs.get("context_value")
        if isinstance(context, LiveContext) and not _trusted(context, query or ""):
            # the same rule as over HTTP (api/persisted.py)
            return live_metrics.tracked(label, field, _refused(NOT_TRUSTED, NOT_IN_LIST), _pre)
        return live_metrics.tracked(label, field, await self._inner.stream(query, *args, **kwargs), _pre)

    @staticmethod
    def _operation(query: str | None, name: str | None) -> OperationDefinitionNode | None:
        """The operation, or None to let the schema report what is wrong with the document."""
        try:
            return get_operation_ast(parse(query or ""), name)
        except GraphQLError:
            return None


def _root_field(operation: OperationDefinitionNode | None) -> str:
    """The subscription field an operation asks for (the schema's name, not the client's alias)."""
    first = operation.selection_set.selections[0] if operation is not None else None
    return first.name.value if isinstance(first, FieldNode) else "unknown"


def _pre(result: object) -> bool:
    return isinstance(result, PreExecutionError)


SUBSCRIPTIONS_ONLY = "Only subscriptions are served over WebSocket: send queries and mutations over HTTP."
NOT_TRUSTED = "Only the trusted documents run without a key; send a key for others."


def _trusted(context: LiveContext, document: str) -> bool:
    """Whether this caller may run this document: any with a key, only the manifest's without one."""
    return context.trusted is None or context.principal != ANONYMOUS or context.trusted.allows(document)


async def _refused(message: str, code: str) -> AsyncIterator[PreExecutionError]:
    yield PreExecutionError(data=None, errors=[GraphQLError(message, extensions={"code": code})])


class LiveEndpoint(GraphQL[LiveContext, None]):
    """The WebSocket side of /graphql (HTTP is served by api/http.py)."""

    def __init__(self, allowed_origins: Iterable[str] = ()) -> None:
        super().__init__(
            cast(BaseSchema, _SubscriptionsOnly(schema)),
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=10),
            max_subscriptions_per_connection=MAX_SUBSCRIPTIONS,
            allowed_origins=tuple(allowed_origins),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            return await super().__call__(scope, receive, send)
        with live_metrics.connection():
            await super().__call__(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> LiveContext:
        state = request.app.state
        store = state.store
        seen = visibility(ANONYMOUS)
        feed = getattr(state, "audit_feed", None)
        if feed is None or feed.store is not store:  # an app run without its lifespan (tests), or given another store
            feed = state.audit_feed = AuditFeed(store)
        settings = getattr(state, "settings", None)
        trusted_file = settings.trusted_documents if settings is not None else None
        return LiveContext(
            trusted=load_manifest(trusted_file) if trusted_file else None,
            store=store,
            principal=ANONYMOUS,
            visibility=seen,
            request_id=uuid.uuid4().hex[:16],
            editing=Editing(store),
            loaders=Loaders(store, seen, cache=False),
            ranking_facts=state.ranking_facts,
            feed=feed,
        )

    async def on_ws_connect(self, context: LiveContext) -> UnsetType | dict[str, object] | None:
        params = context.connection_params or {}
        header = params.get("Authorization", params.get("authorization"))
        if header is not None and not isinstance(header, str):
            raise ConnectionRejectionError()
        try:
            principal = await run_in_threadpool(authenticate, context.store, header)
        except RegistryError as error:
            raise ConnectionRejectionError({"code": error.code.value, "message": error.message}) from error
        context.principal = principal
        context.visibility = visibility(principal)
        context.loaders = Loaders(context.store, context.visibility, cache=False)
        return UNSET
