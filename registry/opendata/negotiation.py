"""Content negotiation: which of the offered media types a request's Accept header prefers.

RFC 9110 §12.5.1: each range has a weight (q, 1 when absent); a more specific range overrides a
wildcard for the types it matches; q=0 refuses a type.  No Accept header is "anything": the
first offered type.  When nothing offered is acceptable the caller answers 406.
"""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Graph
from starlette.responses import PlainTextResponse, Response

from registry.opendata.terms import PREFIXES

JSON_LD = "application/ld+json"
TURTLE = "text/turtle"
HTML = "text/html"


def _ranges(accept: str) -> list[tuple[str, float]]:
    found: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *params = (item.strip() for item in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        found.append((media.lower(), q))
    return found


def _weight(offered: str, ranges: list[tuple[str, float]]) -> float | None:
    """The weight of the most specific range matching `offered` (None: no range matches)."""
    kind = offered.split("/")[0]
    best: tuple[int, float] | None = None
    for media, q in ranges:
        if media == offered:
            specificity = 2
        elif media == f"{kind}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, q)
    return None if best is None else best[1]


def choose(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered type the header prefers (ties go to the earlier offered), or None."""
    if not accept or not accept.strip():
        return offered[0]
    ranges = _ranges(accept)
    chosen: tuple[float, str] | None = None
    for media in offered:
        q = _weight(media, ranges)
        if q is not None and q > 0 and (chosen is None or q > chosen[0]):
            chosen = (q, media)
    return None if chosen is None else chosen[1]


def not_acceptable(offered: Sequence[str]) -> Response:
    return PlainTextResponse(
        "Not acceptable: this address answers " + ", ".join(offered) + ".\n",
        status_code=406,
        headers={"Vary": "Accept"},
    )


CONTEXT = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


def serialise(graph: Graph, media: str) -> str:
    """The graph as JSON-LD (compacted with the prefixes) or Turtle."""
    if media == JSON_LD:
        context = {**CONTEXT, **{p: str(ns) for p, ns in graph.namespaces() if p == "reg"}}
        return graph.serialize(format="json-ld", context=context, indent=2)
    return graph.serialize(format="turtle")


def graph_response(graph: Graph, media: str, headers: dict[str, str] | None = None) -> Response:
    body = serialise(graph, media)
    kind = JSON_LD if media == JSON_LD else f"{TURTLE}; charset=utf-8"
    return Response(body, media_type=kind, headers={"Vary": "Accept", **(headers or {})})
