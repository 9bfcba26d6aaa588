"""GraphQL subscriptions over WebSocket at /graphql, with the graphql-transport-ws protocol.

The protocol Apollo Client, urql and `graphql-ws` speak.  The caller's key comes in the
`connection_init` payload (`{"Authorization": "Bearer <key>"}`), as HTTP callers send it in
a header; an unknown or revoked key closes the socket with 4403.  Only subscriptions run
here: queries and mutations go over HTTP, with its limits and caches.

Limits (settings, README "Limits"), each a close code with its reason: more open connections
from one client address than `ws_connections_per_address` (per worker process), or more
subscriptions on one connection than `ws_subscriptions_per_connection`: 4429; a message over
`ws_max_message_bytes`: 4400; no `connection_init` within `ws_init_timeout` seconds: 4408.
A subscriber too slow to read is dropped by the audit feed (services/audit_feed.MAX_PENDING).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from datetime import timedelta
from typing import Any, cast

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, get_operation_ast, parse
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import NonTextMessageReceived
from strawberry.schema.base import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from registry.api.execution.context import Loaders
from registry.api.execution.strawberry_adapter import graphql_schema
from registry.api.graphql.schema import schema
from registry.api.graphql.subscriptions import LiveContext
from registry.api.http.persisted import NOT_IN_LIST, load_manifest
from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import ANONYMOUS
from registry.observability import live_metrics, metrics
from registry.services.access import authenticate, visibility
from registry.services.audit_feed import AuditFeed
from registry.services.editing import Editing
from registry.settings import Settings

TOO_MANY = 4429  # too many connections from one address, or subscriptions on one connection
TOO_LARGE = 4400  # a message over the size limit (graphql-transport-ws's code for a bad message)


class _SubscriptionsOnly:
    """The schema, streaming subscriptions only (the WebSocket handler asks it for any operation)."""

    def __init__(self, inner: BaseSchema) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def stream(self, query: str | None, *args: Any, **kwargs: Any) -> Any:
        name = kwargs.get("operation_name")
        operation = self._operation(query, name)
        context = kwargs.get("context_value")
        keyed = isinstance(context, LiveContext) and context.principal.key_id is not None
        label = metrics.operation_label((name, query), keyed)
        field = _root_field(operation)
        if operation is not None and OperationType(operation.operation.value) is not OperationType.SUBSCRIPTION:
            return live_metrics.tracked(label, field, _refused(SUBSCRIPTIONS_ONLY, ErrorCode.INVALID.value), _pre)
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


_SUBSCRIPTION_TYPE = graphql_schema(schema).subscription_type
SUBSCRIPTION_FIELDS = frozenset(_SUBSCRIPTION_TYPE.fields if _SUBSCRIPTION_TYPE is not None else ())


def _root_field(operation: OperationDefinitionNode | None) -> str:
    """The subscription field an operation asks for (the schema's name, not the client's alias): a
    label of the metrics, so a name the schema does not have (the document is refused) is `unknown`."""
    first = operation.selection_set.selections[0] if operation is not None else None
    name = first.name.value if isinstance(first, FieldNode) else "unknown"
    return name if name in SUBSCRIPTION_FIELDS else "unknown"


def _pre(result: object) -> bool:
    return isinstance(result, PreExecutionError)


SUBSCRIPTIONS_ONLY = "Only subscriptions are served over WebSocket: send queries and mutations over HTTP."
NOT_TRUSTED = "Only the trusted documents run without a key; send a key for others."


def _trusted(context: LiveContext, document: str) -> bool:
    """Whether this caller may run this document: any with a key, only the manifest's without one."""
    return context.trusted is None or context.principal != ANONYMOUS or context.trusted.allows(document)


async def _refuse(scope: Scope, receive: Receive, send: Send, reason: str) -> None:
    """Accept, then close with 4429 and the reason: a refused handshake could carry neither."""
    socket = WebSocket(scope, receive, send)
    offered = scope.get("subprotocols") or []
    await socket.accept(GRAPHQL_TRANSPORT_WS_PROTOCOL if GRAPHQL_TRANSPORT_WS_PROTOCOL in offered else None)
    await socket.close(TOO_MANY, reason)


async def _refused(message: str, code: str) -> AsyncIterator[PreExecutionError]:
    yield PreExecutionError(data=None, errors=[GraphQLError(message, extensions={"code": code})])


def _settings(scope: Scope) -> Settings:
    """The app's settings now (tests change them between connections), or the defaults."""
    app = scope.get("app")
    settings = getattr(getattr(app, "state", None), "settings", None)
    return settings if isinstance(settings, Settings) else Settings()


class _SizedMessages(ASGIWebSocketAdapter):
    """Reads the client's messages, closing with 4400 on one over `ws_max_message_bytes`."""

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object, None]:
        limit = _settings(self.ws.scope).ws_max_message_bytes
        while self.ws.application_state != WebSocketState.DISCONNECTED:
            message = await self.ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            text, data = message.get("text"), message.get("bytes")
            size = len(data) if text is None and data is not None else len(text or "")
            if size > limit or (text is not None and len(text) * 4 > limit and len(text.encode()) > limit):
                await self.close(TOO_LARGE, f"Message over {limit} bytes")
                return
            if text is None:
                raise NonTextMessageReceived  # the protocol speaks text: strawberry closes with 4400
            yield self.view.decode_json(text)


class _BoundedHandler(BaseGraphQLTransportWSHandler[LiveContext, None]):
    """graphql-transport-ws with the settings' limits: subscriptions per connection over the limit
    close the connection with 4429 (strawberry's own limit answers an error and keeps it open)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        adapter = cast(ASGIWebSocketAdapter, self.websocket)
        settings = _settings(adapter.ws.scope)
        self.connection_init_wait_timeout = timedelta(seconds=settings.ws_init_timeout)
        self.subscription_limit = settings.ws_subscriptions_per_connection

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if len(self.operations) >= self.subscription_limit:
            await self.websocket.close(TOO_MANY, f"Over {self.subscription_limit} subscriptions on one connection")
            return
        await super().handle_subscribe(message)


class LiveEndpoint(GraphQL[LiveContext, None]):
    """The WebSocket side of /graphql (HTTP is served by api/http.py)."""

    websocket_adapter_class = _SizedMessages
    graphql_transport_ws_handler_class = _BoundedHandler

    def __init__(self, allowed_origins: Iterable[str] = ()) -> None:
        super().__init__(
            cast(BaseSchema, _SubscriptionsOnly(schema)),
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            allowed_origins=tuple(allowed_origins),
        )
        self._open: Counter[str] = Counter()  # open connections by client address, in this process

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            return await super().__call__(scope, receive, send)
        address = scope["client"][0] if scope.get("client") else "-"
        limit = _settings(scope).ws_connections_per_address
        if self._open[address] >= limit:
            return await _refuse(scope, receive, send, f"Over {limit} connections from one address")
        self._open[address] += 1
        try:
            with live_metrics.connection():
                await super().__call__(scope, receive, send)
        finally:
            self._open[address] -= 1
            if self._open[address] <= 0:
                del self._open[address]

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> LiveContext:
        state = request.app.state
        store = state.store
        seen = visibility(ANONYMOUS)
        feed = getattr(state, "audit_feed", None)
        if feed is None or feed.store is not store:  # an app run without its lifespan (tests), or given another store
            signal = getattr(state, "change_signal", None)
            feed = state.audit_feed = AuditFeed(store, nudge=None if signal is None else signal.nudge)
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
