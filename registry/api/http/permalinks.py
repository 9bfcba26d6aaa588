"""Permalinks: /explore/{kind}/{slug} answers the explorer's page, which opens on that record.

One route per public kind (from the declarations, `registry.kinds.URL_SEGMENTS`), so that the
explorer's own files (/explore/app.js, or a folder of vendored assets) are never shadowed.  The
page's relative assets must resolve under /explore/ whatever the depth of the permalink: the
page is answered with a `<base href="/explore/">` when it has none of its own.

A record anonymous callers may not see (a draft, a submission, or none at all) has no public
permalink: the page is answered with 404 (its body is still the explorer, in which a hub signed in
with its key sees its own draft).  Other representations of the record (linked data, see
`registry.opendata`) are asked through `negotiate`, which answers when the Accept header wants one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from registry.domain.records import Kind, Ref
from registry.kinds import EXPLORE, URL_SEGMENTS
from registry.store.port import PUBLIC, Store

BASE = f'<base href="{EXPLORE}/">'

# Answers a request for another representation of the record, or None for the explorer's page.
Negotiate = Callable[[Request, Ref], Awaitable[Response | None]]


def permalink_routes(explorer: Path, negotiate: Negotiate | None = None) -> list[Route]:
    """The permalink routes, answering `explorer`/index.html (read at each request: it is small,
    and an edited page is served without a restart, as StaticFiles does)."""

    def route(kind: Kind, segment: str) -> Route:
        async def page(request: Request) -> Response:
            ref = Ref(kind, request.path_params["slug"])
            if negotiate is not None:
                answer = await negotiate(request, ref)
                if answer is not None:
                    return answer
            store: Store = request.app.state.store
            public = await run_in_threadpool(store.get, [ref], PUBLIC)
            html = (explorer / "index.html").read_text(encoding="utf-8")
            if "<base " not in html:
                html = html.replace("<head>", f"<head>\n  {BASE}", 1)
            return HTMLResponse(
                html,
                status_code=200 if ref in public else 404,
                headers={"Cache-Control": "no-cache", "Vary": "Accept"},
            )

        return Route(f"{EXPLORE}/{segment}/{{slug}}", page, methods=["GET", "HEAD"])

    return [route(kind, segment) for kind, segment in URL_SEGMENTS.items()]
