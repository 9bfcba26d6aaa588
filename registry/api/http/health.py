"""/health: the process answers (liveness, no store access); /ready: the store answers too."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from registry.domain.errors import RegistryError
from registry.store.port import Store


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> Response:
    """200 when the store answers a ping, else 503 with the typed error (for load balancers)."""
    store: Store = request.app.state.store
    try:
        await run_in_threadpool(store.ping)
    except RegistryError as error:
        body = {"status": "unavailable", "errors": [{"code": error.code.value, "message": error.message}]}
        return JSONResponse(body, status_code=503)
    return JSONResponse({"status": "ok"})
