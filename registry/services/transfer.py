"""Moving a whole registry between stores as JSON Lines, in a canonical order.

One header line, then records (by key), links (sorted), hubs, API keys
(hashes only) and the audit trail (by number).  Every line is canonical JSON,
so the same registry always exports to the same bytes, whatever the store.

The last line is a trailer: how many lines each section holds and the SHA-256
of every line before it.  Import (registry/services/importing.py) checks the
trailer before it changes anything, so a truncated or altered file is refused,
and then loads everything in one all-or-nothing `Store.load`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import IO

from registry.domain.records import JSON, Kind
from registry.store.codec import dump_json, format_time, record_to_row
from registry.store.port import EVERYTHING, RecordQuery, Store

FORMAT = "self-data-registry-export"
VERSION = 2  # 2: a trailer line closes the file
SECTIONS = ("record", "link", "hub", "api_key", "audit")
AUDIT_PAGE = 1000


def export_sections(store: Store) -> Iterator[tuple[str, str]]:
    """Each export line with its section (header, record, link, hub, api_key, audit, trailer)."""
    digest = hashlib.sha256()
    counts = dict.fromkeys(SECTIONS, 0)
    for row in _rows(store):
        line = dump_json(row)
        digest.update(line.encode() + b"\n")
        if row["type"] in counts:
            counts[row["type"]] += 1
        yield row["type"], line
    yield "trailer", dump_json({"type": "trailer", "counts": counts, "sha256": digest.hexdigest()})


def _rows(store: Store) -> Iterator[JSON]:
    yield {"type": "header", "format": FORMAT, "version": VERSION}
    for record in store.iter_records():
        yield ({"type": "record", **record_to_row(record)})
    for link in store.iter_links():
        yield (
            {
                "type": "link",
                "source": str(link.source),
                "rel": link.rel.value,
                "target": str(link.target),
                "role": link.role,
            }
        )
    for hub in store.hubs():
        yield ({"type": "hub", "slug": hub.slug, "name": hub.name, "created_at": format_time(hub.created_at)})
    for key in store.api_keys():
        yield (
            {
                "type": "api_key",
                "key_id": key.key_id,
                "secret_hash": key.secret_hash,
                "role": key.role.value,
                "hub": key.hub,
                "created_at": format_time(key.created_at),
                "revoked_at": format_time(key.revoked_at),
                "label": key.label,
            }
        )
    offset = 0
    while True:
        entries, _ = store.audit_page(offset, AUDIT_PAGE)
        for e in entries:
            yield (
                {
                    "type": "audit",
                    "seq": e.seq,
                    "at": format_time(e.at),
                    "who": e.who,
                    "action": e.action,
                    "ref": e.ref,
                    "version_before": e.version_before,
                    "version_after": e.version_after,
                    "detail": e.detail,
                }
            )
        if len(entries) < AUDIT_PAGE:
            return
        offset += AUDIT_PAGE


# (section, lines written in it, its total if known, whether the section is finished)
Progress = Callable[[str, int, int | None, bool], None]


def section_totals(store: Store) -> dict[str, int]:
    """How many lines the sections with a cheap count will hold (links have none)."""
    records = store.query(RecordQuery(kinds=tuple(Kind), visibility=EVERYTHING, limit=0)).total
    return {
        "record": records,
        "hub": len(store.hubs()),
        "api_key": len(store.api_keys()),
        "audit": store.audit_page(0, 0)[1],
    }


def export(store: Store, out: IO[str], progress: Progress | None = None) -> int:
    """Write the export to `out`; `progress` hears about each section as it goes."""
    totals = section_totals(store) if progress is not None else {}
    count = 0
    section, in_section = "header", 0
    for kind, line in export_sections(store):
        out.write(line + "\n")
        count += 1
        if kind != section:
            if progress is not None and section != "header":
                progress(section, in_section, totals.get(section), True)
            section, in_section = kind, 0
        in_section += 1
        if progress is not None and in_section % 100 == 0:
            progress(section, in_section, totals.get(section), False)
    if progress is not None:
        progress(section, in_section, totals.get(section), True)
    return count
