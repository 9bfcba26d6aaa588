"""Moving a whole registry between stores as JSON Lines, in a canonical order.

One header line, then records (by key), links (sorted), hubs, API keys
(hashes only) and the audit trail (by number).  Every line is canonical JSON,
so the same registry always exports to the same bytes, whatever the store.

The last line is a trailer: how many lines each section holds and the SHA-256
of every line before it.  Import checks the trailer before it changes anything,
so a truncated or altered file is refused, and then loads everything in one
all-or-nothing `Store.load`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import IO

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import JSON, ApiKey, AuditEntry, Hub, Kind, Link, Ref, Rel, Role
from registry.store.codec import dump_json, format_time, parse_time, record_from_row, record_to_row
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


def _required_time(row: JSON, field: str) -> datetime:
    at = parse_time(row[field])
    if at is None:  # not an assert: this checks a file's content, and asserts vanish under -O
        raise ValueError(f"{field} is missing")
    return at


class _Bad(ValueError):
    """A file that is not a whole, unaltered export: refused before anything is written."""


def _checked(lines: Iterable[str]) -> tuple[list[str], dict[str, int]]:
    """The lines before the trailer, once the trailer vouches for them, and its counts."""
    body = [line.rstrip("\r\n") for line in lines]
    while body and not body[-1].strip():
        body.pop()
    if not body:
        raise _Bad("the file is empty: it is not a registry export")
    try:
        trailer = json.loads(body[-1])
        is_trailer = isinstance(trailer, dict) and trailer.get("type") == "trailer"
    except ValueError:
        is_trailer = False
    if not is_trailer:
        raise _Bad("the file does not end with its trailer line: it is truncated, or not a complete export")
    body.pop()
    digest = hashlib.sha256()
    for line in body:
        digest.update(line.encode() + b"\n")
    if digest.hexdigest() != trailer.get("sha256"):
        raise _Bad("the file does not match its trailer's checksum: it was altered or damaged")
    counts = trailer.get("counts")
    if not isinstance(counts, dict) or set(counts) != set(SECTIONS):
        raise _Bad("the trailer's counts are missing or malformed")
    return body, counts


def import_lines(store: Store, lines: Iterable[str]) -> int:
    """Read an export into an empty store, all or nothing; refuses a non-empty store and any
    file whose trailer does not vouch for it, before changing anything."""
    if not store.is_empty():
        raise RegistryError(
            ErrorCode.INVALID_STATE, "The target store is not empty: import only into an empty store.", "store"
        )
    try:
        body, counts = _checked(lines)
    except _Bad as error:
        raise RegistryError(ErrorCode.INVALID, f"Not imported: {error}.", "file") from None
    records, links, audit, hubs, keys = [], [], [], [], []
    refs: set[Ref] = set()
    count = 0
    for number, line in enumerate(body, start=1):
        try:
            row: JSON = json.loads(line)
            kind = row.pop("type")
            if number == 1:
                if kind != "header" or row.get("format") != FORMAT:
                    raise ValueError("not a registry export (bad header)")
                if row.get("version") != VERSION:
                    raise ValueError(f"export format version {row.get('version')}; this registry reads {VERSION}")
                continue
            if kind == "record":
                records.append(record_from_row(row))
                refs.add(records[-1].ref)
            elif kind == "link":
                link = Link(Ref.parse(row["source"]), Rel(row["rel"]), Ref.parse(row["target"]), row["role"])
                if not {link.source, link.target} <= refs:  # records come first: a link's ends are known
                    raise ValueError("a link to a record that is not in the file")
                links.append(link)
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
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise RegistryError(ErrorCode.INVALID, f"Not imported: line {number}: {error}", "file") from None
        count += 1
    found = {"record": len(records), "link": len(links), "hub": len(hubs), "api_key": len(keys), "audit": len(audit)}
    for section in SECTIONS:
        if found[section] != counts[section]:
            raise RegistryError(
                ErrorCode.INVALID,
                f"Not imported: the trailer counts {counts[section]} {section} lines, the file holds {found[section]}.",
                "file",
            )
    store.load(records, links, audit, hubs, keys)  # one all-or-nothing load
    return count + 2  # with the header and the trailer
