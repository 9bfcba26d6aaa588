"""A column declared on a field spec, and nothing else, is stored, filtered, sorted, counted and
indexed by every store, and gets its SQL migration from `make-migration`: checked with a
throwaway pair of float columns (latitude, longitude), declared in a fresh interpreter
(coordinates_probe.py) so that the real tables of this test session stay as they are."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from registry.cli.commands import main
from registry.store.sql import schema_version

PROBE = Path(__file__).with_name("coordinates_probe.py")
ROOT = Path(__file__).parents[2]


def _probe(question: str, target: str) -> Any:
    done = subprocess.run(
        [sys.executable, str(PROBE), question, target], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])  # Alembic says what it generates first


@pytest.mark.parametrize(
    "store_kind", [pytest.param("sqlite"), pytest.param("neo4j", marks=pytest.mark.neo4j)], indirect=True
)
def test_a_declared_float_pair_filters_by_box_sorts_and_counts(
    store_kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'coordinates.db'}" if store_kind == "sqlite" else request.getfixturevalue("neo4j_uri")
    found = _probe("query", url)
    assert found["bbox"] == ["grenoble", "lyon"]
    # unknown coordinates last, whatever the direction
    assert found["by_probe_longitude"] == ["grenoble", "lyon", "bruxelles", "nantes", "nowhere"]
    assert found["counts"] == [["45.1885", 1], ["45.764", 1], ["47.2184", 1], ["50.8503", 1], ["unknown", 1]]
    if store_kind == "neo4j":  # the declared index, under the name the first release's indexes follow
        assert found["indexes"] == ["record_probe_latitude"]


def test_make_migration_writes_the_revision_a_declared_column_needs() -> None:
    found = _probe("migration", str(schema_version.MIGRATIONS))
    assert found["name"].startswith(f"{int(schema_version.head()) + 1:04d}_territory_coordinates")
    assert "sa.Column('probe_latitude', sa.Float()" in found["text"]
    assert "sa.Column('probe_longitude', sa.Float()" in found["text"]
    assert "ix_records_probe_latitude" in found["text"] and "ix_records_probe_longitude" not in found["text"]
    assert "sqlmodel" not in found["text"]  # revisions import sqlalchemy only
    assert found["differences"] == 0  # the revision makes exactly the declared tables


def test_make_migration_writes_nothing_when_the_tables_are_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    before = sorted((schema_version.MIGRATIONS / "versions").glob("*.py"))
    assert main(["make-migration", "nothing"]) == 0
    assert "nothing written" in capsys.readouterr().out
    assert sorted((schema_version.MIGRATIONS / "versions").glob("*.py")) == before
