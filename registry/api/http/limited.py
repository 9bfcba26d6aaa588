"""Bounded work per request: the cost limit, the time budget and the rate limits, in one place.

`run` wraps the GraphQL endpoint: it sets the request's cost limit and time budget and turns
the limits' errors into their HTTP answers:

- QUERY_TOO_COMPLEX: 400, with `cost` and `limit` in the error's extensions (api/cost.py);
- TIMEOUT: 504, with no data: past its budget a request is cut, and its store transaction
  cancelled by the database (registry/budget.py);
- RATE_LIMITED: 429 with `Retry-After` (api/rate_limits.py);
- OVERLOADED: 503 with `Retry-After`: too many dear requests already wait their turn (api/http/admission.py).

`wait_turn` takes a dear request's turn before it runs; `run` gives the turn back when it ends.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import orjson
from graphql import DocumentNode, GraphQLError, parse
from starlette.requests import Request
from starlette.responses import Response

from registry.api.execution import cost
from registry.api.graphql.schema import schema
from registry.api.http.admission import Admission, Overloaded
from registry.api.http.rate_limits import RateLimited, limits_of
from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import Principal
from registry.settings import Settings
from registry.store import budget

_STATUS = {
    ErrorCode.QUERY_TOO_COMPLEX: 400,
    ErrorCode.TIMEOUT: 504,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.OVERLOADED: 503,
}


async def run(request: Request, handler: Callable[[Request], Awaitable[Response]]) -> Response:
    settings: Settings = request.app.state.settings
    token = cost.LIMIT.set(settings.max_query_cost)
    try:
        async with budget.within(settings.time_budget):  # also bounds the wait for a turn
            return await handler(request)
    except (cost.TooComplex, budget.TimedOut, RateLimited, Overloaded) as error:
        return _answer(request, error)
    finally:
        cost.LIMIT.reset(token)
        if getattr(request.state, "admitted", False):
            request.state.admitted = False
            _admission(request).release()


async def wait_turn(
    request: Request,
    query: str,
    document: DocumentNode | None,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> None:
    """Before a request runs: if it is dear, wait for its turn (raises Overloaded when the line is full).

    Cheap requests return at once. A request takes one turn however many executors it tries."""
    if getattr(request.state, "admitted", False):
        return
    admission = _admission(request)
    if admission.slots <= 0:
        return
    if document is None:  # strawberry's path on a document not seen yet: it parses it again
        try:
            document = parse(query)
        except GraphQLError:
            return  # refused before anything runs
    settings: Settings = request.app.state.settings
    if not cost.dear(schema, query, document, operation_name, variables, settings.admission_dear_cost):
        return
    await admission.acquire()
    request.state.admitted = True


def _admission(request: Request) -> Admission:
    admission: Admission = request.app.state.admission
    return admission


def count(request: Request, principal: Principal) -> None:
    """Count the request against its key's or its address's rate limits."""
    limits_of(request).hit(request, principal)


def check_cost(
    query: str, document: DocumentNode, operation_name: str | None, variables: dict[str, Any] | None
) -> None:
    """The cost check of the lean executor's path (strawberry's runs it as a schema extension)."""
    cost.enforce(schema, query, document, operation_name, variables)


def check_errors(errors: Sequence[GraphQLError | RegistryError] | None) -> None:
    """The limits' errors from strawberry's executor answered as the lean path answers them: a
    store call that ran out of the budget fails the whole request, as the budget does."""
    for error in errors or ():
        if isinstance(error, RegistryError):
            if error.code is ErrorCode.TIMEOUT:
                raise budget.TimedOut()
            continue
        if (error.extensions or {}).get("code") == ErrorCode.TIMEOUT.value:
            raise budget.TimedOut()
        refused = cost.TooComplex.of(error)
        if refused is not None:
            raise refused


def _answer(request: Request, error: RegistryError) -> Response:
    request_id = uuid.uuid4().hex[:16]
    extensions: dict[str, Any] = {"code": error.code.value, "requestId": request_id}
    headers = {"X-Request-Id": request_id}
    if isinstance(error, cost.TooComplex):
        extensions.update(error.extensions)
    if isinstance(error, (RateLimited, Overloaded)):
        headers["Retry-After"] = str(error.retry_after)
    accept = request.headers.get("accept", "")
    json_only = "application/json" in accept and "application/graphql-response+json" not in accept
    return Response(
        orjson.dumps({"errors": [{"message": error.message, "extensions": extensions}]}),
        status_code=_STATUS[error.code],
        media_type="application/json" if json_only else "application/graphql-response+json",
        headers=headers,
    )
