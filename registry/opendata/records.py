"""Each record as linked data at its permalink, and every public record at once.

/explore/{kind}/{slug} answers the explorer's page for text/html (or no Accept header),
JSON-LD for application/ld+json and Turtle for text/turtle: the same graph (`graphs.describe`).
An Accept header that names none of the three is answered 406, listing them.  /records.jsonld
streams every public record's graph as one JSON-LD document; /records.jsonl streams the public
records and the links between them in the export's row format (`registry export`, which also
holds drafts, keys and the audit trail, stays with admins).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from registry.domain.records import Ref
from registry.opendata.graphs import describe
from registry.opendata.negotiation import CONTEXT, HTML, JSON_LD, TURTLE, choose, graph_response, not_acceptable
from registry.opendata.paging import every_public
from registry.store.codec import dump_json, record_to_row
from registry.store.port import PUBLIC, Store

OFFERED = (HTML, JSON_LD, TURTLE)


def base_of(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def negotiate(request: Request, ref: Ref) -> Response | None:
    """The record's JSON-LD or Turtle when Accept prefers one; None for the explorer's page."""
    media = choose(request.headers.get("accept"), OFFERED)
    if media is None:
        return not_acceptable(OFFERED)
    if media == HTML:
        return None
    store: Store = request.app.state.store
    found = await run_in_threadpool(store.get, [ref], PUBLIC)
    record = found.get(ref)
    if record is None:  # a draft has no public permalink: missing and hidden read the same
        return Response(f"There is no public record {ref}.\n", 404, media_type="text/plain", headers={"Vary": "Accept"})
    graph = await run_in_threadpool(describe, store, [record], base_of(request))
    return graph_response(graph, media)


def _jsonld_dump(store: Store, base: str) -> Iterator[str]:
    yield '{"@context": ' + json.dumps(CONTEXT) + ', "@graph": ['
    first = True
    for page in every_public(store):
        expanded = json.loads(describe(store, page, base).serialize(format="json-ld"))
        for node in expanded:
            yield ("" if first else ",\n") + json.dumps(node, ensure_ascii=False)
            first = False
    yield "]}\n"


async def records_jsonld(request: Request) -> Response:
    """Every public record's graph, streamed page by page (nodes linked from two pages appear twice:
    JSON-LD merges nodes of one @id)."""
    return StreamingResponse(_jsonld_dump(request.app.state.store, base_of(request)), media_type=JSON_LD)


def _jsonl_dump(store: Store) -> Iterator[str]:
    yield dump_json({"type": "header", "format": "self-data-registry-public", "version": 1}) + "\n"
    public: set[str] = set()
    for page in every_public(store):
        for record in page:
            public.add(str(record.ref))
            yield dump_json({"type": "record", **record_to_row(record)}) + "\n"
    for link in store.iter_links():  # only links between public records
        if str(link.source) in public and str(link.target) in public:
            row = {"type": "link", "source": str(link.source), "rel": link.rel.value, "target": str(link.target)}
            yield dump_json({**row, "role": link.role}) + "\n"


async def records_jsonl(request: Request) -> Response:
    return StreamingResponse(_jsonl_dump(request.app.state.store), media_type="application/jsonl")
