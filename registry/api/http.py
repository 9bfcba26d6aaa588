"""GraphQL over HTTP, as the GraphQL-over-HTTP specification describes it.

- POST with `application/json`; GET for queries only (a mutation over GET is 405).
- Answers `application/graphql-response+json` unless the client accepts only
  `application/json`; with the former, a request that fails to parse or
  validate is a 400, an executed one a 200.
- One operation per request: a JSON array (batching) is refused.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from registry.api import limited
from registry.api.context import Context, Loaders
from registry.api.executor import ValidatedDocuments, execute_read
from registry.api.measured import MeasuredStore
from registry.api.response_cache import ResponseCache
from registry.api.schema import schema
from registry.errors import ErrorCode, RegistryError
from registry.services.access import authenticate, visibility
from registry.services.editing import Editing
from registry.settings import Settings
from registry.store import Store

GRAPHQL_RESPONSE = "application/graphql-response+json"
GRAPHIQL_PAGE = (Path(__file__).parent / "graphiql.html").read_text(encoding="utf-8")
MAX_BODY = 200_000
VALIDATED = ValidatedDocuments()  # shared by the requests of this process


class JsonAnswer(JSONResponse):
    """JSON rendered by orjson: the same bytes as Starlette's compact rendering, several times faster."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class GraphQLResponse(JsonAnswer):
    media_type = GRAPHQL_RESPONSE


def _error(
    status: int, message: str, code: ErrorCode, media: str, request_id: str, headers: dict[str, str] | None = None
) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code.value, "requestId": request_id}}]}
    cls = GraphQLResponse if media == GRAPHQL_RESPONSE else JsonAnswer
    return cls(body, status_code=status, headers={"X-Request-Id": request_id, **(headers or {})})


def _media(accept: str) -> str | None:
    """The response media type for this Accept header, or None if we have none it takes."""
    if not accept.strip():
        return GRAPHQL_RESPONSE
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if GRAPHQL_RESPONSE in kinds or "*/*" in kinds or "application/*" in kinds:
        return GRAPHQL_RESPONSE
    if "application/json" in kinds:
        return "application/json"
    return None


async def _params(request: Request) -> dict[str, Any]:
    if request.method == "GET":
        params: dict[str, Any] = dict(request.query_params)
        if "variables" in params:
            params["variables"] = json.loads(params["variables"])
        if "extensions" in params:
            params["extensions"] = json.loads(params["extensions"])
        return params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise RegistryError(ErrorCode.INVALID, "Send the request as application/json.", "content-type")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise RegistryError(ErrorCode.INVALID, f"The request body is over {MAX_BODY} bytes.", "body")
    parsed = json.loads(body)
    if isinstance(parsed, list):
        raise RegistryError(ErrorCode.INVALID, "Batching is not enabled: send one operation per request.", "body")
    if not isinstance(parsed, dict):
        raise RegistryError(ErrorCode.INVALID, "The body must be a JSON object.", "body")
    return parsed


async def graphql_endpoint(request: Request) -> Response:
    """A request within its limits (cost, time budget, rate): see api/limited.py."""
    return await limited.run(request, _graphql)


async def _graphql(request: Request) -> Response:
    started = time.perf_counter()
    request_id = uuid.uuid4().hex[:16]
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store
    if request.method == "GET" and "text/html" in request.headers.get("accept", ""):  # a browser: GraphiQL
        return HTMLResponse(GRAPHIQL_PAGE)
    media = _media(request.headers.get("accept", ""))
    if media is None:
        return _error(
            406, f"Accept {GRAPHQL_RESPONSE} or application/json.", ErrorCode.INVALID, GRAPHQL_RESPONSE, request_id
        )
    try:
        params = await _params(request)
    except json.JSONDecodeError:
        return _error(400, "The body or the variables are not valid JSON.", ErrorCode.INVALID, media, request_id)
    except RegistryError as error:
        status = 415 if error.field == "content-type" else 400
        return _error(status, error.message, error.code, media, request_id)
    query = params.get("query")
    variables = params.get("variables")
    if not isinstance(query, str) or not query.strip():
        return _error(400, "Send a GraphQL document as `query`.", ErrorCode.INVALID, media, request_id)
    if variables is not None and not isinstance(variables, dict):
        return _error(400, "`variables` must be a JSON object.", ErrorCode.INVALID, media, request_id)

    measured = MeasuredStore(store)
    counted: Store = measured
    try:
        principal = authenticate(counted, request.headers.get("authorization"))
    except RegistryError as error:
        if error.code is ErrorCode.STORE_UNAVAILABLE:
            return _error(503, error.message, error.code, media, request_id)
        limited.check_errors([error])  # TIMEOUT: the budget's answer, not a bad key
        return _error(401, error.message, error.code, media, request_id, {"WWW-Authenticate": "Bearer"})
    limited.count(request, principal)  # raises RateLimited: a 429
    seen = visibility(principal)
    context = Context(
        store=counted,
        principal=principal,
        visibility=seen,
        request_id=request_id,
        editing=Editing(counted),
        loaders=Loaders(counted, seen),
        ranking_facts=request.app.state.ranking_facts,
    )
    operation_name = params.get("operationName")
    document = VALIDATED.get(query) if settings.lean_reads else None
    if document is not None:
        limited.check_cost(query, document, operation_name, variables)  # raises TooComplex: a 400
        cache: ResponseCache | None = request.app.state.response_cache
        if not settings.response_cache or settings.stats or principal.key_id is not None:
            cache = None  # answers are kept for anonymous callers only, and never with per-request stats
        key, generation = None, 0
        if cache is not None:
            key = ResponseCache.key(query, operation_name, variables)
            try:
                generation = await context.call(counted.generation)
            except RegistryError:
                cache = None  # the full executor below says what is wrong
            else:
                kept = cache.get(key, generation)
                if kept is not None:
                    return _bytes(kept, media, request_id)
        try:
            data = await execute_read(document, operation_name, variables, context)
        except Exception:  # the full executor below answers it, errors included
            pass
        else:
            if cache is None or key is None:
                return _answer({"data": data}, 200, media, request_id, measured, started, settings)
            answer = orjson.dumps({"data": data})
            cache.put(key, generation, answer)
            return _bytes(answer, media, request_id)
    allowed = {OperationType.QUERY} if request.method == "GET" else {OperationType.QUERY, OperationType.MUTATION}
    try:
        result = await schema.execute(
            query,
            variable_values=variables,
            context_value=context,
            operation_name=operation_name,
            allowed_operation_types=allowed,
        )
    except InvalidOperationTypeError as error:
        if error.operation_type is OperationType.SUBSCRIPTION:
            return _error(400, "Subscriptions are not served over HTTP.", ErrorCode.INVALID, media, request_id)
        return _error(405, "Mutations are sent with POST.", ErrorCode.INVALID, media, request_id, {"Allow": "POST"})
    except Exception as error:
        return _error(400, str(error) or type(error).__name__, ErrorCode.INVALID, media, request_id)

    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    if not isinstance(result, PreExecutionError):
        body["data"] = result.data
    status = 200
    if isinstance(result, PreExecutionError) and media == GRAPHQL_RESPONSE:
        status = 400
    elif result.data is None and any(
        (e.extensions or {}).get("code") == ErrorCode.STORE_UNAVAILABLE.value for e in result.errors or []
    ):
        status = 503
    limited.check_errors(result.errors)  # a TIMEOUT inside resolvers is the request's (a 504)
    if settings.lean_reads and not isinstance(result, PreExecutionError):
        VALIDATED.add(query)  # it parsed and validated: the next identical document can take the lean path
    return _answer(body, status, media, request_id, measured, started, settings)


def _bytes(body: bytes, media: str, request_id: str) -> Response:
    """An answer already rendered (the same bytes as JsonAnswer's)."""
    return Response(body, media_type=media, headers={"X-Request-Id": request_id})


def _answer(
    body: dict[str, Any],
    status: int,
    media: str,
    request_id: str,
    measured: MeasuredStore,
    started: float,
    settings: Settings,
) -> Response:
    if settings.stats:
        body["extensions"] = {
            "stats": {
                "storeRoundTrips": measured.round_trips,
                "storeMs": round(measured.seconds * 1000, 3),
                "totalMs": round((time.perf_counter() - started) * 1000, 3),
            }
        }
    cls = GraphQLResponse if media == GRAPHQL_RESPONSE else JsonAnswer
    return cls(body, status_code=status, headers={"X-Request-Id": request_id})
