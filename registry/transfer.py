"""Moving a whole registry between stores as JSON Lines, in a canonical order.

One header line, then records (by key), links (sorted), hubs, API keys
(hashes only) and the audit trail (by number).  Every line is canonical JSON,
so the same registry always exports to the same bytes, whatever the store.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import IO

from registry.domain import JSON, ApiKey, AuditEntry, Hub, Kind, Link, Ref, Rel, Role
from registry.errors import ErrorCode, RegistryError
from registry.indexing import dump_json, format_time, parse_time, record_from_row, record_to_row
from registry.store import EVERYTHING, RecordQuery, Store

FORMAT = "self-data-registry-export"
VERSION = 1
AUDIT_PAGE = 1000


def export_sections(store: Store) -> Iterator[tuple[str, str]]:
    """Each export line with its section (header, record, link, hub, api_key, audit)."""
    for row in _rows(store):
        yield row["type"], dump_json(row)


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


def _required_time(row: JSON, field: str) -> datetime:
    at = parse_time(row[field])
    if at is None:  # not an assert: this checks a file's content, and asserts vanish under -O
        raise ValueError(f"{field} is missing")
    return at


def import_lines(store: Store, lines: Iterable[str]) -> int:
    """Read an export into an empty store; refuses a non-empty one."""
    if not store.is_empty():
        raise RegistryError(
            ErrorCode.INVALID_STATE, "The target store is not empty: import only into an empty store.", "store"
        )
    records, links, audit, hubs, keys = [], [], [], [], []
    count = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row: JSON = json.loads(line)
            kind = row.pop("type")
            if number == 1:
                if kind != "header" or row.get("format") != FORMAT or row.get("version") != VERSION:
                    raise ValueError("not a registry export (bad header)")
                continue
            if kind == "record":
                records.append(record_from_row(row))
            elif kind == "link":
                links.append(Link(Ref.parse(row["source"]), Rel(row["rel"]), Ref.parse(row["target"]), row["role"]))
            elif kind == "hub":
                hubs.append(Hub(row["slug"], row["name"], parse_time(row["created_at"])))
            elif kind == "api_key":
                created = _required_time(row, "created_at")
                keys.append(
                    ApiKey(
                        row["key_id"],
                        row["secret_hash"],
                        Role(row["role"]),
                        row["hub"],
                        created,
                        parse_time(row["revoked_at"]),
                        row["label"],
                    )
                )
            elif kind == "audit":
                at = _required_time(row, "at")
                audit.append(
                    AuditEntry(
                        row["seq"],
                        at,
                        row["who"],
                        row["action"],
                        row["ref"],
                        row["version_before"],
                        row["version_after"],
                        row["detail"],
                    )
                )
            else:
                raise ValueError(f"unknown line type {kind!r}")
        except (ValueError, KeyError, TypeError) as error:
            raise RegistryError(ErrorCode.INVALID, f"Line {number}: {error}", "file") from None
        count += 1
    store.load(records, links, audit)
    for hub in hubs:
        store.put_hub(hub)
    for key in keys:
        store.put_api_key(key)
    return count
