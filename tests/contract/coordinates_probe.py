"""Run by test_declared_columns.py in a fresh interpreter: declares a throwaway pair of float
columns (probe_latitude, probe_longitude) on territories before any store module is imported, then
answers one question about them as JSON on stdout.

    python coordinates_probe.py query <store url>         a bbox, a sort and a count on them
    python coordinates_probe.py migration <migrations>    the revision `make-migration` writes
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import registry.kinds as kinds
from registry.domain.records import Kind

# Declared before anything reads the field table: as a kind's declaration would declare them.
kinds.KIND_FIELDS[Kind.TERRITORY] = (
    *kinds.KIND_FIELDS[Kind.TERRITORY],
    kinds.FieldSpec("probe_latitude", "float", column="probe_latitude", indexed=True),
    kinds.FieldSpec("probe_longitude", "float", column="probe_longitude"),
)

from registry.domain.records import Record  # noqa: E402
from registry.store.columns import bbox  # noqa: E402
from registry.store.factory import open_store  # noqa: E402
from registry.store.port import EVERYTHING, Put, RecordQuery, Store, WriteBatch  # noqa: E402

PLACES = {  # slug: (latitude, longitude)
    "lyon": (45.764, 4.8357),
    "grenoble": (45.1885, 5.7245),
    "bruxelles": (50.8503, 4.3517),
    "nantes": (47.2184, -1.5536),
    "nowhere": None,
}


def _territory(slug: str, at: tuple[float, float] | None) -> Record:
    data: dict[str, Any] = {"name": {"en": slug, "fr": slug}, "territory_kind": "city", "country": "FR"}
    if at is not None:
        data["probe_latitude"], data["probe_longitude"] = at
    return Record(Kind.TERRITORY, slug, data, ())


def _slugs(store: Store, **query: Any) -> list[str]:
    page = store.query(RecordQuery(kinds=(Kind.TERRITORY,), visibility=EVERYTHING, limit=100, **query))
    return [r.slug for r in page.records]


def query(url: str) -> dict[str, Any]:
    store = open_store(url)
    try:
        store.clear()
        store.write(WriteBatch(puts=[Put(_territory(s, at), None) for s, at in PLACES.items()]))
        indexes: list[str] = []
        read = getattr(store, "_read", None)
        if read is not None:  # Neo4j: the indexes the store made from the column list
            indexes = sorted(row["name"] for row in read("SHOW INDEXES YIELD name RETURN name"))
        return {
            # the Rhône-Alpes box: Lyon and Grenoble, not Brussels (north), Nantes (west) or no coordinates
            "bbox": _slugs(store, fields=bbox("probe_latitude", "probe_longitude", 44.0, 3.0, 46.5, 7.0)),
            "by_probe_longitude": _slugs(store, sort="probe_longitude", descending=True),
            "counts": store.count_by(Kind.TERRITORY, "probe_latitude", EVERYTHING),
            "indexes": [name for name in indexes if name in ("record_probe_latitude", "record_probe_longitude")],
        }
    finally:
        store.clear()
        write = getattr(store, "_write", None)
        if write is not None:  # leave the shared Neo4j database with the real schema only
            write("DROP INDEX record_probe_latitude IF EXISTS")
        store.close()


def migration(folder: str) -> dict[str, Any]:
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine
    from sqlmodel import SQLModel

    from registry.store.sql import schema_version

    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "migrations"
        shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("__pycache__"))
        written = schema_version.new_revision("territory coordinates", copy)
        assert written is not None
        engine = create_engine(f"sqlite:///{Path(scratch) / 'upgraded.db'}")
        with engine.begin() as connection:
            command.upgrade(schema_version._config(connection, copy), "head")
        with engine.connect() as connection:
            # As the migrations compare: the search's word index is made by them, declared by no table.
            context = MigrationContext.configure(connection, opts={"include_name": schema_version.declared})
            differences = compare_metadata(context, SQLModel.metadata)
        engine.dispose()
        return {"name": written.name, "text": written.read_text(), "differences": len(differences)}


if __name__ == "__main__":
    question, target = sys.argv[1], sys.argv[2]
    print(json.dumps(query(target) if question == "query" else migration(target)))
