"""Reading an export (registry/services/transfer.py) into an empty store, without holding it.

Two passes over the file, each holding a line at a time:

1. The survey reads every line: it sums the checksum, counts each section, checks each line's
   shape (a link's ends among the records read before it) and notes where each section starts.
   Only when the trailer vouches for the whole file, and every line reads, does anything change.
2. The load reads each section again from where it starts, in bounded batches, into one
   all-or-nothing `Store.load`: a failure there (a key twice, say) leaves the store as it was.

A file that cannot be read twice (standard input through a pipe) is copied to a temporary file
during the survey: on disk, not in memory.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import JSON, ApiKey, AuditEntry, Hub, Link, Ref, Rel, Role
from registry.services.transfer import FORMAT, SECTIONS, VERSION
from registry.store.codec import parse_time, record_from_row
from registry.store.port import Store

_ROW_ERRORS = (ValueError, KeyError, TypeError, AttributeError)


class _Bad(ValueError):
    """A file that is not a whole, unaltered export: refused before anything is written."""


def import_file(store: Store, source: IO[bytes]) -> int:
    """Read an export into an empty store, all or nothing; refuses a non-empty store and any
    file whose trailer does not vouch for it, before changing anything.  The number of lines."""
    if not store.is_empty():
        raise RegistryError(
            ErrorCode.INVALID_STATE, "The target store is not empty: import only into an empty store.", "store"
        )
    if source.seekable():
        return _import(store, source, source.tell(), None)
    with tempfile.TemporaryFile() as spool:
        return _import(store, source, 0, spool)


def import_lines(store: Store, lines: Iterable[str]) -> int:
    """`import_file` for text lines (they are copied to a temporary file first)."""
    with tempfile.TemporaryFile() as spool:
        for line in lines:
            spool.write(line.encode())
        spool.seek(0)
        return import_file(store, spool)


def _import(store: Store, source: IO[bytes], base: int, spool: IO[bytes] | None) -> int:
    try:
        layout = _survey(source, base, spool)
    except _Bad as error:
        raise RegistryError(ErrorCode.INVALID, f"Not imported: {error}.", "file") from None
    readable = source if spool is None else spool

    def section(name: str) -> Iterator[Any]:
        return _read_section(readable, layout.starts.get(name, base), layout.counts[name])

    store.load(section("record"), section("link"), section("audit"), section("hub"), section("api_key"))
    return sum(layout.counts.values()) + 2  # with the header and the trailer


@dataclass
class _Layout:
    """What the survey learnt: each section's first byte and its count of lines."""

    starts: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))


def _survey(source: IO[bytes], base: int, spool: IO[bytes] | None) -> _Layout:
    """Check the file line by line (see the module's docstring); raise _Bad when it is not sound."""
    digest = hashlib.sha256()
    layout = _Layout()
    refs: set[Ref] = set()  # the records read so far, for their links' ends
    problem: str | None = None  # the first bad line, told once the trailer vouches for the file
    held: tuple[int, int, bytes] | None = None  # the last non-blank line (number, offset, text): the trailer?
    blanks: list[tuple[int, int, bytes]] = []  # blank lines after it: dropped at the end of the file
    order = 0  # the index in SECTIONS of the section being read

    def take(number: int, offset: int, text: bytes) -> None:
        nonlocal problem, order
        digest.update(text + b"\n")
        if problem is not None:
            return
        try:
            row: JSON = json.loads(text)
            kind = row.pop("type")
            if number == 1:
                _check_header(kind, row)
                return
            parsed = parse_row(kind, row)
            if SECTIONS.index(kind) < order:
                raise ValueError(f"a {kind} line after the {SECTIONS[order]} lines: the sections are out of order")
            order = SECTIONS.index(kind)
            if isinstance(parsed, Link) and not {parsed.source, parsed.target} <= refs:
                raise ValueError("a link to a record that is not in the file")  # records come first
            if kind == "record":
                refs.add(parsed.ref)
            layout.starts.setdefault(kind, offset)
            layout.counts[kind] += 1
        except _ROW_ERRORS as error:
            problem = f"line {number}: {error}"

    offset = base
    for number, line in enumerate(source, start=1):
        if spool is not None:
            spool.write(line)
        text = line.rstrip(b"\r\n")
        if text.strip():
            if held is not None:
                for each in (held, *blanks):
                    take(*each)
            held, blanks = (number, offset, text), []
        else:
            blanks.append((number, offset, text))
        offset += len(line)
    if held is None:
        raise _Bad("the file is empty: it is not a registry export")
    counts = _trailer_counts(held[2], digest.hexdigest())
    if problem is not None:
        raise _Bad(problem)
    for section in SECTIONS:
        if layout.counts[section] != counts[section]:
            raise _Bad(f"the trailer counts {counts[section]} {section} lines, the file holds {layout.counts[section]}")
    return layout


def _trailer_counts(text: bytes, sha256: str) -> dict[str, int]:
    try:
        trailer = json.loads(text)
        is_trailer = isinstance(trailer, dict) and trailer.get("type") == "trailer"
    except ValueError:
        is_trailer = False
    if not is_trailer:
        raise _Bad("the file does not end with its trailer line: it is truncated, or not a complete export")
    if sha256 != trailer.get("sha256"):
        raise _Bad("the file does not match its trailer's checksum: it was altered or damaged")
    counts = trailer.get("counts")
    if not isinstance(counts, dict) or set(counts) != set(SECTIONS):
        raise _Bad("the trailer's counts are missing or malformed")
    return counts


def _check_header(kind: str, row: JSON) -> None:
    if kind != "header" or row.get("format") != FORMAT:
        raise ValueError("not a registry export (bad header)")
    if row.get("version") != VERSION:
        raise ValueError(f"export format version {row.get('version')}; this registry reads {VERSION}")


def _read_section(source: IO[bytes], start: int, count: int) -> Iterator[Any]:
    """The section's rows, parsed, one line at a time; its own position kept, so that a store
    may read two sections in turns."""
    position = start
    for _ in range(count):
        source.seek(position)
        line = source.readline()
        position += len(line)
        row: JSON = json.loads(line)
        yield parse_row(row.pop("type"), row)


def _required_time(row: JSON, name: str) -> datetime:
    at = parse_time(row[name])
    if at is None:  # not an assert: this checks a file's content, and asserts vanish under -O
        raise ValueError(f"{name} is missing")
    return at


def _link(row: JSON) -> Link:
    return Link(Ref.parse(row["source"]), Rel(row["rel"]), Ref.parse(row["target"]), row["role"])


def _hub(row: JSON) -> Hub:
    return Hub(row["slug"], row["name"], parse_time(row["created_at"]))


def _api_key(row: JSON) -> ApiKey:
    created = _required_time(row, "created_at")
    revoked = parse_time(row["revoked_at"])
    return ApiKey(row["key_id"], row["secret_hash"], Role(row["role"]), row["hub"], created, revoked, row["label"])


def _audit(row: JSON) -> AuditEntry:
    at = _required_time(row, "at")
    return AuditEntry(
        row["seq"],
        at,
        row["who"],
        row["action"],
        row["ref"],
        row["version_before"],
        row["version_after"],
        row["detail"],
    )


_PARSERS: dict[str, Callable[[JSON], Any]] = {
    "record": record_from_row,
    "link": _link,
    "hub": _hub,
    "api_key": _api_key,
    "audit": _audit,
}


def parse_row(kind: str, row: JSON) -> Any:
    """The record, link, hub, API key or audit entry of an export line (its `type` taken out)."""
    parse = _PARSERS.get(kind)
    if parse is None:
        raise ValueError(f"unknown line type {kind!r}")
    return parse(row)
