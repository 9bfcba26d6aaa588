"""Each pooled SQLite connection keeps a page cache of the size chosen for it (registry/store/sql/store.py)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from registry.services.seeding import seed
from registry.store.sql.store import SQLITE_CACHE_KIB, SqlStore


def test_every_pooled_connection_of_a_file_store_has_the_chosen_page_cache(tmp_path: Path) -> None:
    # Given a seeded SQLite file store
    store = SqlStore(f"sqlite:///{tmp_path / 'registry.db'}")
    try:
        seed(store)
        # When two requests hold a pooled connection each at the same time
        with store.engine.connect() as one, store.engine.connect() as two:
            sizes = [c.execute(text("PRAGMA cache_size")).scalar_one() for c in (one, two)]
            modes = [c.execute(text("PRAGMA journal_mode")).scalar_one() for c in (one, two)]
        # Then each one's page cache is bounded to the chosen size (negative: KiB), beside the write-ahead log
        assert SQLITE_CACHE_KIB < 2000  # smaller than SQLite's default, which grew a worker for minutes
        assert sizes == [-SQLITE_CACHE_KIB, -SQLITE_CACHE_KIB]
        assert modes == ["wal", "wal"]
    finally:
        store.close()
