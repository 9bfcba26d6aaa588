"""Permalinks: /explore/{kind}/{slug} answers the explorer's page, which opens on that record.

One route per public kind (from the declarations, `registry.kinds.URL_SEGMENTS`), so that the
explorer's own files (/explore/app.js, or a folder of vendored assets) are never shadowed.  The
page's relative assets must resolve under /explore/ whatever the depth of the permalink: the
page is answered with a `<base href="/explore/">` when it has none of its own.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from registry.kinds import EXPLORE, URL_SEGMENTS

BASE = f'<base href="{EXPLORE}/">'


def permalink_routes(explorer: Path) -> list[Route]:
    """The permalink routes, answering `explorer`/index.html (read at each request: it is small,
    and an edited page is served without a restart, as StaticFiles does)."""

    async def page(request: Request) -> Response:
        html = (explorer / "index.html").read_text(encoding="utf-8")
        if "<base " not in html:
            html = html.replace("<head>", f"<head>\n  {BASE}", 1)
        return HTMLResponse(html, headers={"Cache-Control": "no-cache"})

    return [Route(f"{EXPLORE}/{segment}/{{slug}}", page, methods=["GET", "HEAD"]) for segment in URL_SEGMENTS.values()]
