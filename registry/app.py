"""create_app(settings) -> Starlette: the lifespan opens the store and closes it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from registry.api.http.admission import Admission
from registry.api.http.change_signal import ChangeSignal
from registry.api.http.graphql_over_http import graphql_endpoint
from registry.api.http.health import health, ready
from registry.api.http.permalinks import permalink_routes
from registry.api.http.persisted import known_operation_names, load_manifest
from registry.api.http.shared_state import known_documents, response_cache
from registry.api.http.websocket import LiveEndpoint
from registry.observability import allocator, metrics, tracing
from registry.observability.metrics import metrics_endpoint, observed
from registry.opendata import routes as opendata
from registry.services.audit_feed import AuditFeed
from registry.services.ranking.facts import FactsCache
from registry.settings import Settings
from registry.store.factory import open_store
from registry.store.port import Store

log = logging.getLogger("registry")
STATIC = (
    Path(__file__).parent / "api" / "http" / "static"
)  # GraphiQL's assets, vendored (see static/graphiql/LICENSES.txt)
EXPLORER = Path(__file__).parent / "explorer" / "static"  # the explorer page: plain HTML, CSS and ES modules


async def home(request: Request) -> Response:
    return RedirectResponse("/graphql")


async def favicon(request: Request) -> Response:
    # Browsers ask /favicon.ico of every page; an SVG answers it (every current browser draws one).
    return FileResponse(
        EXPLORER / "favicon.svg", media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )


def create_app(settings: Settings, store: Store | None = None) -> Starlette:
    """The ASGI app; pass `store` to share one already open (tests), else it opens settings.store_url."""
    allocator.limit_arenas(settings.malloc_arena_max)  # a worker's start, before its threads allocate

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        own = store is None
        # blocking store and service calls (run_in_threadpool) take turns on this many threads
        if settings.store_threads < 1:
            raise ValueError(f"REGISTRY_STORE_THREADS must be 1 or more, not {settings.store_threads}.")
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.store_threads
        app.state.store = open_store(settings.store_url) if own else store
        app.state.settings = settings
        signal: ChangeSignal = app.state.change_signal
        # live subscriptions' one poller, woken by the writes through this process and (Redis) the others
        app.state.audit_feed = AuditFeed(app.state.store, settings.live_poll_seconds, signal.nudge)
        listening = asyncio.get_running_loop().create_task(signal.listen(), name="change-signal")
        trimming = allocator.start(settings.malloc_trim_seconds)  # resident memory follows live memory
        try:
            yield
        finally:
            await allocator.stop(trimming)
            listening.cancel()
            await asyncio.gather(listening, return_exceptions=True)
            await signal.close()
            if own:
                app.state.store.close()

    if settings.trusted_documents:
        load_manifest(settings.trusted_documents)  # a missing or wrong manifest stops the start, with the reason
    metrics.configure_operations(  # the operation names /metrics may show (observability/metrics.OperationNames)
        known_operation_names(settings.trusted_documents, EXPLORER / "operations.js"), settings.metrics_keyed_operations
    )
    tracing.configure(settings.otel)
    middleware = []
    if settings.forwarded_allow_ips:  # behind balancers: the client is the one they name, from them only
        middleware.append(Middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.forwarded_allow_ips)))
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
                expose_headers=["X-Request-Id"],
            )
        )
    app = Starlette(
        middleware=middleware,
        routes=[
            Route("/graphql", observed(graphql_endpoint), methods=["GET", "POST"]),
            WebSocketRoute("/graphql", LiveEndpoint(settings.cors_origins)),  # subscriptions
            Route("/health", health),
            Route("/ready", ready),
            Route("/metrics", metrics_endpoint),
            Route("/", home),
            Route("/favicon.ico", favicon),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
            *opendata.routes(),  # linked data, /catalog, CSV, feeds (registry/opendata)
            *permalink_routes(EXPLORER, opendata.negotiate),  # /explore/territory/lyon, before the explorer's files
            Mount("/explore", StaticFiles(directory=EXPLORER, html=True), name="explore"),
        ],
        lifespan=lifespan,
    )
    app.state.ranking_facts = FactsCache()  # the recommenders' facts, shared by this process's requests
    app.state.response_cache = response_cache(settings)  # anonymous answers: this process's, and Redis's
    app.state.admission = Admission(settings.admission_dear_slots, settings.admission_queue)  # dear requests' turns
    app.state.known_documents = known_documents(settings)  # APQ: this process's, or shared through Redis
    app.state.change_signal = ChangeSignal(settings)  # a write wakes the live feeds' pollers
    return app


def app_from_environment() -> Starlette:
    """The app of a worker process started by `registry serve --workers N` (settings from the environment)."""
    return create_app(Settings.from_env())
