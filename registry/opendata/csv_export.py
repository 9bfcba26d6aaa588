"""CSV of any filtered list: GET /export/{list}.csv?{the GraphQL list's filters}.

One row per record, in slug order, streamed a page at a time.  Columns: the slug, each field (a
French/English text as two columns, coordinates as two), each link (the linked records' slugs),
the labelled inferences, the sources' addresses and titles.  Unknown is empty: a value no source
states (null), and the vocabularies' `unknown`; every column that may be empty says so in its header
("… (empty = unknown)"), so the header row carries the convention with the file.  Several values in
a cell are separated by "; ".  A text cell that a spreadsheet would read as a formula (=, +, -, @)
is written with a leading apostrophe, as spreadsheets themselves mark text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import Record
from registry.kinds import PUBLIC_DECLARATIONS, Field, KindDecl
from registry.opendata.list_filters import checked_query
from registry.opendata.paging import pages
from registry.store.port import PUBLIC, LinkGroup, RecordQuery, Store

UNKNOWN = " (empty = unknown)"
SEPARATOR = "; "
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SKIPPED = frozenset({"review_state", "review_note"})  # a public list is published records only


def csv_path(decl: KindDecl) -> str:
    return f"/export/{decl.list_name.replace('_', '-')}.csv"


BY_NAME = {csv_path(decl).removeprefix("/export/").removesuffix(".csv"): decl for decl in PUBLIC_DECLARATIONS.values()}


def _fields(decl: KindDecl) -> list[Field]:
    return [f for f in decl.fields if f.name not in SKIPPED]


def _may_be_unknown(f: Field) -> bool:
    return f.vocabulary is not None and any(v.value == "unknown" for v in f.vocabulary)


def header(decl: KindDecl) -> list[str]:
    out = ["slug"]
    for f in _fields(decl):
        said = "" if f.required and not _may_be_unknown(f) else UNKNOWN
        if f.name == "hub":
            said = " (empty = none: not contributed by a hub)"
        if f.type == "text":
            out += [f"{f.name} (en){said}", f"{f.name} (fr){said}"]
        elif f.type == "coordinates":
            out += [f"latitude{UNKNOWN}", f"longitude{UNKNOWN}"]
        else:
            out.append(f"{f.name}{said}")
    out += [f"{link.name}{UNKNOWN}" for link in decl.links]
    out += ["inferences (not stated by a source)", "sources", "source titles"]
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return SEPARATOR.join(_cell(item) for item in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def row(decl: KindDecl, record: Record, links: Sequence[list[str]]) -> list[str]:
    out = [record.slug]
    for f in _fields(decl):
        value = record.hub if f.name == "hub" else record.data.get(f.name)
        if f.vocabulary is not None:  # a vocabulary's "unknown" is no value either
            value = [v for v in value if v != "unknown"] if isinstance(value, list) else value
            value = None if value == "unknown" else value
        if f.type == "text":
            texts = value if isinstance(value, dict) else {}
            out += [_cell(texts.get("en")), _cell(texts.get("fr"))]
        elif f.type == "coordinates":
            point = value if isinstance(value, dict) else {}
            out += [_cell(point.get("latitude")), _cell(point.get("longitude"))]
        elif f.type == "positions" and isinstance(value, dict):
            out.append(_cell([f"{k}: {v}" for k, v in sorted(value.items())]))
        else:
            out.append(_cell(value))
    out += [_cell(slugs) for slugs in links]
    inferred = [f"{i['field']} = {i['value']}" for i in record.data.get("inferences") or ()]
    out += [_cell(inferred), _cell([s.url for s in record.sources]), _cell([s.title for s in record.sources])]
    return out


def _links(store: Store, decl: KindDecl, records: list[Record]) -> list[list[list[str]]]:
    """For each record, for each of the kind's links, the visible linked records' slugs (one round trip)."""
    refs = tuple(r.ref for r in records)
    groups = [LinkGroup(refs, link.direction, link.rel, link.target) for link in decl.links]
    found = store.linked(groups, PUBLIC) if groups else []
    return [
        [[other.slug for other, _ in by_ref[r.ref].records] if r.ref in by_ref else [] for by_ref in found]
        for r in records
    ]


def lines(store: Store, decl: KindDecl, query: RecordQuery) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180
    writer.writerow(header(decl))
    yield buffer.getvalue()
    for page in pages(store, query):
        buffer.seek(0)
        buffer.truncate()
        for record, links in zip(page, _links(store, decl, page), strict=True):
            writer.writerow(row(decl, record, links))
        yield buffer.getvalue()


def error_response(error: RegistryError) -> Response:
    """The typed error, as GraphQL gives it (errors[].extensions: code, field, params)."""
    status = {ErrorCode.FORBIDDEN: 403, ErrorCode.NOT_FOUND: 404}.get(error.code, 400)
    extensions = {"code": error.code.value, "field": error.field, "params": error.params}
    return JSONResponse({"errors": [{"message": error.message, "extensions": extensions}]}, status_code=status)


async def export_csv(request: Request) -> Response:
    decl = BY_NAME.get(request.path_params["plural"])
    if decl is None:
        return error_response(RegistryError(ErrorCode.NOT_FOUND, "There is no such list.", "path"))
    store: Store = request.app.state.store
    try:
        query = await checked_query(store, decl, request.query_params)
    except RegistryError as error:
        return error_response(error)
    name = csv_path(decl).removeprefix("/export/")
    return StreamingResponse(
        lines(store, decl, query),  # a sync iterator: Starlette reads it in a thread, page by page
        media_type="text/csv; charset=utf-8; header=present",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
