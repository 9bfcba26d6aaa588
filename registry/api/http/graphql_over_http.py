"""GraphQL over HTTP, as the GraphQL-over-HTTP specification describes it.

- POST with `application/json`; GET for queries only (a mutation over GET is 405).
- Answers `application/graphql-response+json` when the client names it, else
  `application/json` (also for `*/*` or no Accept header). A request refused before it
  runs (it does not parse, validate or its variables do not fit) is a 400 with a typed
  code (api/request_errors.py), except for clients naming only `application/json`, which
  the specification answers 200.
- One operation per request: a JSON array (batching) is refused.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from registry.api.execution.context import Context, Loaders
from registry.api.execution.executor import Reason, Unsupported, ValidatedDocuments, execute_read
from registry.api.execution.known_documents import KNOWN
from registry.api.execution.measured import MeasuredStore
from registry.api.graphql.schema import schema
from registry.api.http import bookmarks, http_cache, limited
from registry.api.http.change_signal import ChangeSignal
from registry.api.http.persisted import KnownDocuments, PersistedQueryError, load_manifest, resolve_document
from registry.api.http.request_errors import holds_nul, is_request_error
from registry.api.http.response_cache import ResponseCache
from registry.domain.errors import ErrorCode, RegistryError
from registry.observability import metrics
from registry.observability.logging_json import new_request_id
from registry.services.access import authenticate, visibility
from registry.services.editing import Editing
from registry.settings import Settings
from registry.store import budget, causal
from registry.store.port import Store

GRAPHQL_RESPONSE = "application/graphql-response+json"
GRAPHIQL_PAGE = (Path(__file__).parent / "graphiql.html").read_text(encoding="utf-8")
MAX_BODY = 200_000
VALIDATED = ValidatedDocuments()  # shared by the requests of this process
log = logging.getLogger("registry.api")
for _reason in Reason:  # every series shows in /metrics from the start, at zero
    metrics.LEAN_DECLINED.labels(reason=_reason.value)


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


def _refused(error: PersistedQueryError, media: str, request_id: str) -> Response:
    extensions = {"code": error.code, "field": error.field, "requestId": request_id}
    cls = GraphQLResponse if media == GRAPHQL_RESPONSE else JsonAnswer
    body = {"errors": [{"message": error.message, "extensions": extensions}]}
    return cls(body, status_code=error.status, headers={"X-Request-Id": request_id})


def _kinds(accept: str) -> list[str]:
    return [part.split(";")[0].strip().lower() for part in accept.split(",")]


def _media(accept: str) -> str | None:
    """The response media type for this Accept header, or None if we have none it takes."""
    if not accept.strip():
        return "application/json"  # the specification's default for a client that says nothing
    kinds = _kinds(accept)
    if GRAPHQL_RESPONSE in kinds:
        return GRAPHQL_RESPONSE
    if "application/json" in kinds or "*/*" in kinds or "application/*" in kinds:
        return "application/json"
    return None


def _refused_status(accept: str) -> int:
    """The status of a request refused before it ran: 200 for legacy clients that named only
    application/json (as the specification asks), 400 for everyone else."""
    kinds = _kinds(accept)
    return 200 if "application/json" in kinds and GRAPHQL_RESPONSE not in kinds else 400


def _json(text: str | bytes, what: str) -> Any:
    """JSON in UTF-8, refused (BAD_REQUEST) when it is not: orjson also refuses lone surrogates and
    nesting over 1,024 levels, which would otherwise fail deep inside the server."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise RegistryError(ErrorCode.BAD_REQUEST, f"{what} is not valid JSON in UTF-8: {error}", "body") from None


async def _params(request: Request) -> dict[str, Any]:
    if request.method == "GET":
        params: dict[str, Any] = dict(request.query_params)
        for name in ("variables", "extensions"):
            if name in params:
                params[name] = _json(params[name], f"`{name}`")
        return params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise RegistryError(ErrorCode.BAD_REQUEST, "Send the request as application/json.", "content-type")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise RegistryError(ErrorCode.BAD_REQUEST, f"The request body is over {MAX_BODY} bytes.", "body")
    parsed = _json(body, "The body")
    if isinstance(parsed, list):
        raise RegistryError(ErrorCode.BAD_REQUEST, "Batching is not enabled: send one operation per request.", "body")
    if not isinstance(parsed, dict):
        raise RegistryError(ErrorCode.BAD_REQUEST, "The body must be a JSON object.", "body")
    return parsed


async def graphql_endpoint(request: Request) -> Response:
    """A request within its limits (cost, time budget, rate): see api/http/limited.py. Only the answers
    api/http/http_cache.py calls public may be kept by a shared cache.  Its reads come after the
    writes whose bookmarks it sent back, and it gives the bookmarks of its own (api/http/bookmarks.py)."""
    try:
        after = bookmarks.read(request.headers.get(bookmarks.HEADER))
    except RegistryError as error:
        media = _media(request.headers.get("accept", "")) or GRAPHQL_RESPONSE
        return _error(400, error.message, error.code, media, new_request_id())
    with causal.request(after) as this:
        answered = http_cache.not_shared(request, await limited.run(request, _graphql))
    return bookmarks.give(answered, this)


async def _graphql(request: Request) -> Response:
    started = time.perf_counter()
    request_id = new_request_id()  # also on every log line of this request (logging_json)
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store
    if request.method == "GET" and "text/html" in request.headers.get("accept", ""):  # a browser: GraphiQL
        return HTMLResponse(GRAPHIQL_PAGE)
    accept = request.headers.get("accept", "")
    media = _media(accept)
    if media is None:
        return _error(
            406, f"Accept {GRAPHQL_RESPONSE} or application/json.", ErrorCode.BAD_REQUEST, GRAPHQL_RESPONSE, request_id
        )
    try:
        params = await _params(request)
    except RegistryError as error:
        status = 415 if error.field == "content-type" else 400
        return _error(status, error.message, error.code, media, request_id)
    try:  # persisted operations (api/persisted.py): the document may come by its hash
        trusted = load_manifest(settings.trusted_documents) if settings.trusted_documents else None
        keyed = bool(request.headers.get("authorization"))  # a wrong key gets its 401 below
        known: KnownDocuments = request.app.state.known_documents  # APQ (api/http/shared_state.py)
        query = resolve_document(params, known, trusted, keyed)
    except PersistedQueryError as refused:
        return _refused(refused, media, request_id)
    public = http_cache.public_read(request, params, settings, trusted is not None)
    request.state.operation = (params.get("operationName"), query)  # for the metrics (api/metrics.py)
    variables = params.get("variables")
    operation_name = params.get("operationName")
    if not isinstance(query, str) or not query.strip():
        return _error(400, "Send a GraphQL document as `query`.", ErrorCode.BAD_REQUEST, media, request_id)
    if variables is not None and not isinstance(variables, dict):
        return _error(400, "`variables` must be a JSON object.", ErrorCode.BAD_REQUEST, media, request_id)
    if operation_name is not None and not isinstance(operation_name, str):
        return _error(400, "`operationName` must be a string.", ErrorCode.BAD_REQUEST, media, request_id)
    if params.get("extensions") is not None and not isinstance(params["extensions"], dict):
        return _error(400, "`extensions` must be a JSON object.", ErrorCode.BAD_REQUEST, media, request_id)
    if holds_nul(query, variables):
        return _error(400, "Strings may not hold the NUL character (U+0000).", ErrorCode.BAD_REQUEST, media, request_id)

    measured = MeasuredStore(store)
    request.state.measured = measured
    counted: Store = measured
    try:
        principal = authenticate(counted, request.headers.get("authorization"))
    except RegistryError as error:
        if error.code is ErrorCode.STORE_UNAVAILABLE:
            return _error(503, error.message, error.code, media, request_id)
        limited.check_errors([error])  # TIMEOUT: the budget's answer, not a bad key
        return _error(401, error.message, error.code, media, request_id, {"WWW-Authenticate": "Bearer"})
    request.state.keyed = principal.key_id is not None  # a keyed caller's operation names may become labels
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
    max_age = settings.http_cache_max_age
    document = VALIDATED.get(query) if settings.lean_reads else None
    cache: ResponseCache | None = request.app.state.response_cache
    answers = request.app.state.response_cache.public  # the public version (services/public_answers.py)
    if document is None or not settings.response_cache or settings.stats or principal.key_id is not None:
        cache = None  # answers are kept for anonymous callers only, and never with per-request stats
    tag: str | None = None  # the ETag of a public read's answer (api/http/http_cache.py)
    version: int | None = None
    if document is not None:  # a refused query reads nothing, not even the change mark
        limited.check_cost(query, document, operation_name, variables)  # raises TooComplex: a 400
    if public or cache is not None:
        # One read of the change mark gives both the ETag's version and the cache's: what anonymous
        # callers can see, the same number in every process, which a hub's draft does not move.
        try:
            version = current = await context.call(answers.version, counted)
        except RegistryError:
            cache = None  # the executor below says what is wrong, and an error is not for sharing
        else:
            if public:
                tag = http_cache.etag(current, query, operation_name, variables, media)
                if http_cache.matches(request.headers.get("if-none-match"), tag):
                    request.state.path = "not_modified"  # the query did not run
                    return http_cache.not_modified(tag, max_age, request_id)
    lean_failed = False
    if document is not None:
        key = None
        if cache is not None and version is not None:
            key = ResponseCache.key(query, operation_name, variables)
            kept = cache.get(key, version)
            if kept is not None:
                request.state.path = "cache"
                return _public(_bytes(kept, media, request_id), tag, max_age)
            kept = cache.get_shared(key, version)  # computed by another process (with Redis)
            if kept is not None:
                request.state.path = "shared_cache"
                return _public(_bytes(kept, media, request_id), tag, max_age)
        await limited.wait_turn(request, query, document, operation_name, variables)  # dear: one at a time or so
        data = await _lean(document, operation_name, variables, context)
        lean_failed = data is _FAILED
        if data is not None and data is not _FAILED:
            request.state.path = "lean"
            if cache is None or key is None or version is None:
                answered = _answer({"data": data}, 200, media, request_id, measured, started, settings)
                return _public(answered, tag, max_age)
            answer = orjson.dumps({"data": data})
            cache.put(key, version, answer)
            return _public(_bytes(answer, media, request_id), tag, max_age)
    allowed = {OperationType.QUERY} if request.method == "GET" else {OperationType.QUERY, OperationType.MUTATION}
    await limited.wait_turn(request, query, document, operation_name, variables)  # kept if the lean path took it
    handed = KNOWN.set(None if document is None else (query, document))  # validated before: taken as is
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
    except Exception as error:  # no query, or no operation of that name: nothing ran
        return _error(400, str(error) or type(error).__name__, ErrorCode.BAD_REQUEST, media, request_id)
    finally:
        KNOWN.reset(handed)
        if measured.wrote:  # live subscribers hear of it at once (api/http/change_signal.py)
            signal: ChangeSignal | None = getattr(request.app.state, "change_signal", None)
            if signal is not None:
                signal.wrote()

    if lean_failed and settings.lean_strict and not result.errors:
        # A bug of the lean path: it failed where the full executor answers (tests fail on it).
        return _error(500, "The lean executor failed on this document.", ErrorCode.INTERNAL, media, request_id)
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    if not isinstance(result, PreExecutionError):
        body["data"] = result.data
    status = 200
    nothing_ran = result.data is None and bool(result.errors) and all(is_request_error(e) for e in body["errors"])
    if isinstance(result, PreExecutionError) or nothing_ran:
        status = _refused_status(accept)
        body.pop("data", None)  # nothing ran
    elif result.data is None and any(
        (e.extensions or {}).get("code") == ErrorCode.STORE_UNAVAILABLE.value for e in result.errors or []
    ):
        status = 503
    limited.check_errors(result.errors)  # a TIMEOUT inside resolvers is the request's (a 504)
    if settings.lean_reads and not isinstance(result, PreExecutionError):
        VALIDATED.add(query)  # it parsed and validated: the next identical document can take the lean path
    answered = _answer(body, status, media, request_id, measured, started, settings)
    return _public(answered, tag if status == 200 and not result.errors else None, max_age)


_FAILED: dict[str, Any] = {}  # the lean executor raised: the full executor answers, and tells a bug apart


async def _lean(
    document: Any, operation_name: str | None, variables: dict[str, Any] | None, context: Context
) -> dict[str, Any] | None:
    """The lean executor's `data`, None when it declines, or `_FAILED` when it raised.

    A known decline (Unsupported) is counted by its reason; any other exception is logged at
    error level with the request id and counted, and the full executor answers.  When that one
    answers without an error, the failure was the lean path's own bug: under `lean_strict`
    (tests) the request then fails with INTERNAL; a store failure both meet is answered as ever."""
    try:
        return await execute_read(document, operation_name, variables, context)
    except Unsupported as declined:
        metrics.lean_declined(declined.reason.value)
        log.debug("request %s left to the full executor: %s", context.request_id, declined)
        return None
    except budget.TimedOut:
        raise  # the request's answer (api/http/limited.py), as the full executor's would be
    except Exception:
        metrics.lean_declined(Reason.UNEXPECTED.value)
        log.error("request %s: the lean executor failed; the full executor answers", context.request_id, exc_info=True)
        return _FAILED


def _public(response: Response, tag: str | None, max_age: int) -> Response:
    """A public read's successful answer, with its caching headers (tag None: not a public read)."""
    return response if tag is None else http_cache.make_public(response, tag, max_age)


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
