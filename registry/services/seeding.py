"""Load the programme's seed files into a store; a second run changes nothing.

Each seed file holds one kind of record as TOML tables.  Keys that name
other records (domains, territories, actors…) become links; the rest are the
kind's fields, validated like any mutation's input.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import JSON, Hub, Kind, Link, Principal, Record, Ref, Rel, Role
from registry.kinds import DECLARATIONS, SEED_LINKS, SEED_ORDER
from registry.services.validation import check_fields, check_link, check_slug, check_sources
from registry.store.codec import now
from registry.store.port import EVERYTHING, AuditDraft, Put, Store, WriteBatch

# An installed registry carries the seeds inside its package (registry/seeds, see pyproject.toml);
# a checkout reads the repository's top-level seeds/ folder.
_PACKAGED_SEEDS = Path(__file__).resolve().parents[1] / "seeds"
DEFAULT_SEEDS = _PACKAGED_SEEDS if _PACKAGED_SEEDS.is_dir() else _PACKAGED_SEEDS.parent.parent / "seeds"
SEEDER = Principal(Role.ADMIN, None, "seed")

# file, table name, kind, in the order that lets links find their targets (see `registry.kinds`)
FILES: tuple[tuple[str, str, Kind], ...] = tuple(
    (decl.seed_file, decl.seed_table, decl.kind)
    for decl in (DECLARATIONS[kind] for kind in SEED_ORDER)
    if decl.seed_file is not None and decl.seed_table is not None
)


# The roadmap method: its phases, workshop kinds and cases become records like any other, so the
# API answers `method` from the store (every server of a shared database alike).  The file's
# `[[timeline]]` tables (the two slides, item by item) are not served, so not stored.
METHOD_FILE = "method.toml"


def _method_record(kind: Kind, slug: str, fields: JSON, item: dict[str, Any]) -> Record:
    return Record(kind, check_slug(slug), check_fields(kind, fields), check_sources(item["sources"], required=True))


def method_records(folder: Path) -> Iterator[Record]:
    """The method's records, in the file's order; none when the folder has no method file."""
    path = folder / METHOD_FILE
    if not path.exists():
        return
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for item in data.get("phase", []):
        fields = {"number": item["number"], "title": item["title"], "periods": item["period"], "steps": item["steps"]}
        yield _method_record(Kind.METHOD_PHASE, f"phase-{item['number']}", fields, item)
    # The file lists the workshop kinds in the order the API answers them: kept as their rank.
    for rank, item in enumerate(data.get("workshop_kind", []), start=1):
        fields = {"kind": item["slug"], "label": item["label"], "phase": item.get("phase"), "rank": rank}
        yield _method_record(Kind.METHOD_WORKSHOP_KIND, item["slug"].replace("_", "-"), fields, item)
    for item in data.get("case", []):
        fields = {"number": item["number"], "title": item["title"], "priorities_defined": item["priorities_defined"]}
        yield _method_record(Kind.METHOD_CASE, item["slug"], fields, item)


@dataclass(frozen=True)
class SeedReport:
    created: int
    updated: int
    unchanged: int
    counts: dict[str, int]


def _targets(value: Any, slug_key: str | None) -> Iterator[tuple[str, str]]:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, dict):
            yield str(item[slug_key or "slug"]), str(item.get("role") or "")
        else:
            yield str(item), ""


def read_seeds(folder: Path = DEFAULT_SEEDS) -> tuple[list[Record], list[Link], list[Hub]]:
    """Parse and validate every seed file (raises RegistryError on a bad value)."""
    records: list[Record] = []
    links: list[Link] = []
    territories: set[str] = set()
    present = [file_name for file_name, _, _ in FILES if (folder / file_name).exists()]
    if (folder / METHOD_FILE).exists():
        present.append(METHOD_FILE)
    if not present:  # seeding nothing while reporting success would hide a broken install
        raise RegistryError(ErrorCode.NOT_FOUND, f"No seed files in {folder}.", "seeds")
    for file_name, table, kind in FILES:
        path = folder / file_name
        if file_name not in present:
            continue
        for item in tomllib.loads(path.read_text(encoding="utf-8")).get(table, []):
            slug = check_slug(str(item["slug"]))
            ref = Ref(kind, slug)
            fields: JSON = {}
            for key, value in item.items():
                if key in ("slug", "sources"):
                    continue
                if key in SEED_LINKS:
                    seed_link = SEED_LINKS[key]
                    for target, role in _targets(value, seed_link.slug_key):
                        to = seed_link.target or (Kind.TERRITORY if target in territories else Kind.ACTOR)
                        links.append(check_link(Link(ref, seed_link.rel, Ref(to, target), role), key))
                else:
                    fields[key] = value
            data = check_fields(kind, fields)
            records.append(Record(kind, slug, data, check_sources(item.get("sources", []), required=True)))
            if kind is Kind.TERRITORY:
                territories.add(slug)
    records.extend(method_records(folder))  # the roadmap method: records the API reads, like any other
    hubs_file = folder / "hubs.toml"
    hubs = []
    if hubs_file.exists():
        hubs = [Hub(h["slug"], h["name"]) for h in tomllib.loads(hubs_file.read_text(encoding="utf-8")).get("hub", [])]
    return records, sorted(set(links)), hubs


def seed(store: Store, folder: Path = DEFAULT_SEEDS) -> SeedReport:
    """Bring the store in line with the seed files, one atomic batch."""
    records, links, hubs = read_seeds(folder)
    existing = store.get([r.ref for r in records], EVERYTHING)
    current_links: dict[tuple[Ref, Rel], set[Link]] = {}
    for rel in Rel:
        for link in store.links_from([r.ref for r in records], rel):
            current_links.setdefault((link.source, rel), set()).add(link)
    wanted: dict[tuple[Ref, Rel], set[Link]] = {}
    for link in links:
        wanted.setdefault((link.source, link.rel), set()).add(link)

    at = now()
    batch = WriteBatch(at=at)
    created = updated = 0
    for record in records:
        old = existing.get(record.ref)
        if old is None:
            batch.puts.append(Put(replace(record, created_at=at, updated_at=at), None))
            batch.audit.append(AuditDraft(SEEDER.actor, "seed", str(record.ref), None, 1))
            created += 1
        elif (old.data, old.sources) != (record.data, record.sources):
            new = replace(old, data=record.data, sources=record.sources, version=old.version + 1, updated_at=at)
            batch.puts.append(Put(new, old.version))
            batch.audit.append(AuditDraft(SEEDER.actor, "seed", str(record.ref), old.version, new.version))
            updated += 1
    for key in sorted(set(wanted) | {k for k in current_links if k[0] in {r.ref for r in records}}):
        if wanted.get(key, set()) != current_links.get(key, set()):
            batch.replace_links.append(key)
            batch.add_links.extend(sorted(wanted.get(key, set())))
    if batch.puts or batch.replace_links:
        store.write(batch)
    known = {h.slug for h in store.hubs()}
    for hub in hubs:
        if hub.slug not in known:
            store.put_hub(replace(hub, created_at=at))
    counts: dict[str, int] = {}
    for record in records:
        counts[record.kind.value] = counts.get(record.kind.value, 0) + 1
    counts["links"] = len(links)
    return SeedReport(created, updated, len(records) - created - updated, counts)
