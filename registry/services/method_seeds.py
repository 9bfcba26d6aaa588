"""The roadmap method of seeds/method.toml as records: its phases, its workshop kinds, its cases.

The seed file stays the source (with its sources); `registry seed` stores these records like
any other, so the API answers the method from the store, and every server of a shared
database answers the same.  The file's `[[timeline]]` tables (the two slides, item by item)
are not served by the API and so are not stored.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from registry.domain.records import JSON, Kind, Record
from registry.services.validation import check_fields, check_slug, check_sources

METHOD_FILE = "method.toml"


def _record(kind: Kind, slug: str, fields: JSON, item: dict[str, Any]) -> Record:
    return Record(kind, check_slug(slug), check_fields(kind, fields), check_sources(item["sources"], required=True))


def method_records(folder: Path) -> Iterator[Record]:
    """The method's records, in the file's order; none when the folder has no method file."""
    path = folder / METHOD_FILE
    if not path.exists():
        return
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for item in data.get("phase", []):
        fields = {"number": item["number"], "title": item["title"], "periods": item["period"], "steps": item["steps"]}
        yield _record(Kind.METHOD_PHASE, f"phase-{item['number']}", fields, item)
    # The file lists the workshop kinds in the order the API answers them: kept as their rank.
    for rank, item in enumerate(data.get("workshop_kind", []), start=1):
        fields = {"kind": item["slug"], "label": item["label"], "phase": item.get("phase"), "rank": rank}
        yield _record(Kind.METHOD_WORKSHOP_KIND, item["slug"].replace("_", "-"), fields, item)
    for item in data.get("case", []):
        fields = {"number": item["number"], "title": item["title"], "priorities_defined": item["priorities_defined"]}
        yield _record(Kind.METHOD_CASE, item["slug"], fields, item)
