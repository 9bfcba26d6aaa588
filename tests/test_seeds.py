"""The seed files: the real programme, every record with a source, loaded idempotently."""

from __future__ import annotations

from pathlib import Path

from registry.domain.records import Kind, Ref
from registry.services.seeding import read_seeds, seed
from registry.store.port import EVERYTHING, RecordQuery
from registry.store.sql.store import SqlStore

PROGRAMME = (
    "la-rochelle",
    "lyon",
    "nantes",
    "rennes",
    "grand-paris",
    "helsinki",
    "amsterdam",
    "geneva",
    "barcelona",
    "brussels",
)


def test_every_seeded_record_has_a_source_and_the_programme_is_complete() -> None:
    records, links, hubs = read_seeds()
    assert all(record.sources for record in records)
    by_kind: dict[Kind, list[str]] = {}
    for record in records:
        by_kind.setdefault(record.kind, []).append(record.slug)
    assert set(PROGRAMME) <= set(by_kind[Kind.TERRITORY])
    assert len(by_kind[Kind.USE_CASE]) >= 25
    assert len(by_kind[Kind.ROADMAP_ACTION]) == 8
    assert hubs and links


def test_seeding_twice_changes_nothing(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'r.db'}")
    first = seed(store)
    assert first.created > 0 and first.updated == 0
    before = list(store.iter_records()), list(store.iter_links()), store.audit_page(0, 10_000)
    second = seed(store)
    assert (second.created, second.updated) == (0, 0)
    assert (list(store.iter_records()), list(store.iter_links()), store.audit_page(0, 10_000)) == before
    store.close()


def test_a_changed_seed_updates_only_that_record(tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    folder.mkdir()
    source = Path(__file__).resolve().parent.parent / "seeds"
    for file in source.glob("*.toml"):
        (folder / file.name).write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
    store = SqlStore(f"sqlite:///{tmp_path / 'r.db'}")
    seed(store, folder)
    territories = folder / "territories.toml"
    territories.write_text(
        territories.read_text(encoding="utf-8").replace('slug = "geneva"', 'slug = "geneva"\npopulation = 1', 1)
    )
    report = seed(store, folder)
    assert (report.created, report.updated) == (0, 1)
    geneva = store.get([Ref(Kind.TERRITORY, "geneva")], EVERYTHING)[Ref(Kind.TERRITORY, "geneva")]
    assert geneva.version == 2 and geneva.data["population"] == 1
    assert store.query(RecordQuery(kinds=(Kind.TERRITORY,), visibility=EVERYTHING, limit=100)).total >= 10
    store.close()
