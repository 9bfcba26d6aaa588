"""Reading every public record a query selects, a page at a time, so that no answer holds a whole
list in memory (CSV, the dumps)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from registry.domain.records import Record
from registry.kinds import PUBLIC_KINDS
from registry.store.port import PUBLIC, RecordQuery, Store

PAGE = 500  # records read per round trip


def pages(store: Store, query: RecordQuery, size: int = PAGE) -> Iterator[list[Record]]:
    """The records `query` selects, as the anonymous caller sees them, page after page (by offset:
    a record written meanwhile may shift a page, as in any offset-paged list)."""
    offset = 0
    while True:
        page = store.query(replace(query, visibility=PUBLIC, offset=offset, limit=size))
        if page.records:
            yield page.records
        if len(page.records) < size:
            return
        offset += size


def every_public(store: Store) -> Iterator[list[Record]]:
    """Every public record, kind after kind, by slug."""
    for kind in PUBLIC_KINDS:
        yield from pages(store, RecordQuery(kinds=(kind,)))
