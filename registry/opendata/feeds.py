"""Atom feeds (RFC 4287) of published case studies: all of them, and per territory, domain and hub.

/feeds/use-cases.atom, /feeds/territory/{slug}.atom, /feeds/domain/{slug}.atom, /feeds/hub/{slug}.atom:
the newest published use cases first (by last change), each entry linking to its permalink and
citing its sources (a `related` link per source, and their titles in the entry's content).  A feed
answers Last-Modified (its newest entry) and an ETag (its entries and their versions), and 304 to
a conditional request that already has it.  The XML is a few elements: ElementTree writes and
escapes them; a feed library (feedgen) would add lxml and dateutil for no element we lack.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import Kind, Record, Ref
from registry.kinds import permalink
from registry.opendata.csv_export import error_response
from registry.opendata.records import base_of
from registry.store.codec import label
from registry.store.columns import any_of
from registry.store.port import PUBLIC, RecordQuery, SortKey, Store

ATOM = "http://www.w3.org/2005/Atom"
ENTRIES = 50  # the newest ones; a reader that polls keeps the older ones
ET.register_namespace("", ATOM)


def _tag(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def _time(at: datetime | None) -> str:
    return (at or datetime(1970, 1, 1, tzinfo=UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(record: Record, name: str) -> str:
    value = record.data.get(name)
    if isinstance(value, dict):
        return str(value.get("en") or value.get("fr") or "")
    return ""


def _entry(feed: ET.Element, base: str, record: Record) -> None:
    entry = ET.SubElement(feed, _tag("entry"))
    url = base + permalink(record.ref)
    ET.SubElement(entry, _tag("id")).text = url
    ET.SubElement(entry, _tag("title")).text = label(record)
    ET.SubElement(entry, _tag("updated")).text = _time(record.updated_at)
    ET.SubElement(entry, _tag("published")).text = _time(record.created_at)
    ET.SubElement(entry, _tag("link"), rel="alternate", type="text/html", href=url)
    for source in record.sources:
        ET.SubElement(entry, _tag("link"), rel="related", href=source.url, title=source.title)
    if record.hub is not None:
        ET.SubElement(ET.SubElement(entry, _tag("author")), _tag("name")).text = record.hub
    summary = _text(record, "summary")
    if summary:
        ET.SubElement(entry, _tag("summary")).text = summary
    cited = "\n".join(f"- {s.title}: {s.url}" for s in record.sources)
    ET.SubElement(entry, _tag("content"), type="text").text = f"{summary}\n\nSources:\n{cited}".strip()


def atom(base: str, path: str, title: str, records: list[Record]) -> bytes:
    feed = ET.Element(_tag("feed"))
    ET.SubElement(feed, _tag("id")).text = base + path
    ET.SubElement(feed, _tag("title")).text = title
    ET.SubElement(feed, _tag("updated")).text = _time(_newest(records))
    ET.SubElement(feed, _tag("link"), rel="self", type="application/atom+xml", href=base + path)
    ET.SubElement(ET.SubElement(feed, _tag("author")), _tag("name")).text = "Self Data Territorial registry"
    for record in records:
        _entry(feed, base, record)
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))


def _newest(records: list[Record]) -> datetime | None:
    times = [r.updated_at for r in records if r.updated_at is not None]
    return max(times) if times else None


# Each feed: (the path's prefix, the filter it selects by, the kind whose slug it takes (None: a hub)).
SCOPES = {"territory": Kind.TERRITORY, "domain": Kind.DOMAIN, "hub": None}


def _selected(store: Store, scope: str | None, slug: str | None) -> tuple[str, list[Record]]:
    """The feed's title and entries; NOT_FOUND when the territory, domain or hub is not public."""
    query = RecordQuery(kinds=(Kind.USE_CASE,), visibility=PUBLIC, sort=SortKey.UPDATED, descending=True, limit=ENTRIES)
    title = "Self Data Territorial registry: case studies"
    if scope is not None and slug is not None:
        kind = SCOPES[scope]
        if kind is None:
            hubs = {hub.slug: hub.name for hub in store.hubs()}
            if slug not in hubs:
                raise RegistryError(ErrorCode.NOT_FOUND, f"There is no hub {slug!r}.", "hub")
            query, title = replace(query, fields=(any_of("hub", (slug,)),)), f"{title} from {hubs[slug]}"
        else:
            found = store.get([Ref(kind, slug)], PUBLIC).get(Ref(kind, slug))
            if found is None:
                raise RegistryError(ErrorCode.NOT_FOUND, f"There is no {scope} {slug!r}.", scope)
            query = replace(query, territories=(slug,)) if kind is Kind.TERRITORY else replace(query, domains=(slug,))
            title = f"{title}: {label(found)}"
    return title, store.query(query).records


def _validators(records: list[Record]) -> tuple[datetime | None, str]:
    newest = _newest(records)
    versions = ",".join(f"{r.slug}:{r.version}" for r in records)
    return newest, '"' + hashlib.sha256(versions.encode()).hexdigest()[:32] + '"'


def _fresh(request: Request, modified: datetime | None, etag: str) -> bool:
    """Whether the client's copy is current (If-None-Match first, as RFC 9110 §13.2.2 orders)."""
    if "if-none-match" in request.headers:
        return etag in [tag.strip() for tag in request.headers["if-none-match"].split(",")]
    since = request.headers.get("if-modified-since")
    if since is None or modified is None:
        return False
    try:
        return modified.replace(microsecond=0) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


async def feed(request: Request) -> Response:
    scope, slug = request.path_params.get("scope"), request.path_params.get("slug")
    if scope is not None and scope not in SCOPES:
        return error_response(RegistryError(ErrorCode.NOT_FOUND, "There is no such feed.", "path"))
    store: Store = request.app.state.store
    try:
        title, records = await run_in_threadpool(_selected, store, scope, slug)
    except RegistryError as error:
        return error_response(error)
    modified, etag = _validators(records)
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if modified is not None:
        headers["Last-Modified"] = format_datetime(modified.astimezone(UTC), usegmt=True)
    if _fresh(request, modified, etag):
        return Response(status_code=304, headers=headers)
    body = atom(base_of(request), request.url.path, title, records)
    return Response(body, media_type="application/atom+xml; charset=utf-8", headers=headers)
