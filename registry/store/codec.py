"""What every store derives from a record to filter, sort and search it.

Computed here once so that SQL and Neo4j index exactly the same values and
so answer the same queries with the same records in the same order.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from registry.domain.records import JSON, AuditEntry, Kind, Record, ReviewState, Source
from registry.kinds import DECLARATIONS, KIND_FIELDS, display_name
from registry.kinds.completeness import percent
from registry.store.columns import FIELD_COLUMNS, column_values

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_STORED_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def normalise(text: str) -> str:
    """Lower case, accents removed, punctuation turned into single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    return _NOT_WORD.sub(" ", plain).strip()


def words(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(normalise(text).split()))


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, str)]
    return []


def search_text(record: Record) -> str:
    """The record's searchable words, in both languages, padded with spaces."""
    parts = [record.slug.replace("-", " ")]
    for spec in KIND_FIELDS[record.kind]:
        if spec.type == "text":
            parts.extend(_texts(record.data.get(spec.name)))
    return " " + " ".join(normalise(" ".join(parts)).split()) + " "


def label(record: Record, lang: str = "en") -> str:
    """The record's name or title in `lang`, falling back to the other language."""
    value = record.data.get(display_name(record.kind))
    if isinstance(value, dict):
        other = "fr" if lang == "en" else "en"
        found = value.get(lang) or value.get(other)
        if isinstance(found, str):
            return found
    return record.slug


def columns(record: Record) -> dict[str, Any]:
    """The indexed columns of a record (registry.store.columns.COLUMNS): the same names in every store."""
    cols: dict[str, Any] = dict.fromkeys(c.name for c in FIELD_COLUMNS)
    for spec in KIND_FIELDS[record.kind]:
        if spec.column is not None:
            cols.update(column_values(spec, record.data.get(spec.name)))
    cols["completeness"] = percent(DECLARATIONS, record)
    cols["sort_name"] = normalise(label(record))
    cols["search_text"] = search_text(record)
    return cols


# -- canonical serialisation (exports and stored JSON are byte-stable) -----------


def dump_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def format_time(at: datetime | None) -> str | None:
    if at is None:
        return None
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str | None) -> datetime | None:
    """The inverse of format_time (fromisoformat: strptime is ten times slower on every record read)."""
    if text is None:
        return None
    if not _STORED_TIME.fullmatch(text):
        raise ValueError(f"{text!r} is not a stored time (YYYY-MM-DDTHH:MM:SS.ffffffZ)")
    return datetime.fromisoformat(text)


def now() -> datetime:
    return datetime.now(UTC)


def sources_to_json(sources: tuple[Source, ...]) -> list[JSON]:
    # The optional locators are written only when set, so older stored sources read the same.
    out: list[JSON] = []
    for s in sources:
        item: JSON = {"url": s.url, "title": s.title, "seen": s.seen}
        if s.page is not None:
            item["page"] = s.page
        if s.home_page_only is not None:
            item["home_page_only"] = s.home_page_only
        out.append(item)
    return out


def sources_from_json(items: list[JSON]) -> tuple[Source, ...]:
    return tuple(
        Source(str(i["url"]), str(i["title"]), i.get("seen"), i.get("page"), i.get("home_page_only")) for i in items
    )


def record_columns(record: Record) -> JSON:
    """A record as flat, stored values: a SQL row and a Neo4j node hold exactly these.

    Data and sources are canonical JSON text, times are text ("" when unknown).
    """
    return {
        "key": str(record.ref),
        "kind": record.kind.value,
        "slug": record.slug,
        "data": dump_json(record.data),
        "sources": dump_json(sources_to_json(record.sources)),
        "version": record.version,
        "created_at": format_time(record.created_at) or "",
        "updated_at": format_time(record.updated_at) or "",
        "review_state": record.review_state.value,
        "hub": record.hub,
        **columns(record),
    }


# Records decoded lately, by every stored value they are decoded from.  The same records reach many
# answers (a domain on every list page, the territories most asked for), and decoding their JSON was
# a tenth to a fifth of a list page's server CPU (about 108 records, 8.7 µs each).  A new version,
# review state or text is another key, so an entry cannot go stale; records are frozen and their
# data is only ever read (a write copies it).
DECODED_RECORDS = 8192


def record_from_columns(values: Mapping[Any, Any]) -> Record:
    return _decoded(
        values["kind"],
        values["slug"],
        values["data"],
        values["sources"],
        int(values["version"]),
        values["created_at"] or None,
        values["updated_at"] or None,
        values["review_state"],
        values.get("hub"),  # Neo4j keeps no null properties
    )


@functools.lru_cache(maxsize=DECODED_RECORDS)
def _decoded(
    kind: str,
    slug: str,
    data: str,
    sources: str,
    version: int,
    created_at: str | None,
    updated_at: str | None,
    review_state: str,
    hub: str | None,
) -> Record:
    return Record(
        kind=Kind(kind),
        slug=slug,
        data=json.loads(data),
        sources=sources_from_json(json.loads(sources)),
        version=version,
        created_at=parse_time(created_at),
        updated_at=parse_time(updated_at),
        review_state=ReviewState(review_state),
        hub=hub,
    )


class RecordReader:
    """Turns stored columns into records, once per record in one answer (linked records repeat)."""

    def __init__(self) -> None:
        self._read: dict[tuple[str, str], Record] = {}

    def __call__(self, values: Mapping[Any, Any]) -> Record:
        record = self._read.get((values["kind"], values["slug"]))
        if record is None:
            record = self._read[(values["kind"], values["slug"])] = record_from_columns(values)
        return record


def audit_columns(entry: AuditEntry) -> JSON:
    """An audit entry as flat, stored values: a SQL row and a Neo4j node hold exactly these."""
    return {
        "seq": entry.seq,
        "at": format_time(entry.at) or "",
        "who": entry.who,
        "action": entry.action,
        "ref": entry.ref,
        "version_before": entry.version_before,
        "version_after": entry.version_after,
        "detail": dump_json(entry.detail),
    }


def record_to_row(record: Record) -> JSON:
    """A record as a plain JSON object (exports, Neo4j properties)."""
    return {
        "kind": record.kind.value,
        "slug": record.slug,
        "data": record.data,
        "sources": sources_to_json(record.sources),
        "version": record.version,
        "created_at": format_time(record.created_at),
        "updated_at": format_time(record.updated_at),
        "review_state": record.review_state.value,
        "hub": record.hub,
    }


def record_from_row(row: JSON) -> Record:
    return Record(
        kind=Kind(row["kind"]),
        slug=row["slug"],
        data=row["data"],
        sources=sources_from_json(row["sources"]),
        version=int(row["version"]),
        created_at=parse_time(row["created_at"]),
        updated_at=parse_time(row["updated_at"]),
        review_state=ReviewState(row["review_state"]),
        hub=row["hub"],
    )
