"""The `registry` command, run as a user runs it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.domain.records import Kind
from registry.services.seeding import read_seeds
from tests import needs

ROOT = Path(__file__).resolve().parent.parent


def registry(
    *args: str, cwd: Path, env: dict[str, str] | None = None, input_: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "registry.cli", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        input=input_,
        capture_output=True,
        text=True,
        timeout=120,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_seed_twice_keys_and_serve_on_the_default_sqlite_file(tmp_path: Path) -> None:
    # given a fresh working directory, when a newcomer seeds it twice
    first = registry("seed", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "registry.db").exists()  # the embedded default: a SQLite file in the working directory
    second = registry("seed", cwd=tmp_path)
    assert "0 created, 0 updated" in second.stdout
    # and creates a coordinator key
    key = registry("keys", "create", "--role", "coordinator", cwd=tmp_path)
    assert key.returncode == 0 and key.stdout.startswith("sdr_")
    token = key.stdout.strip()
    assert registry("keys", "create", "--role", "hub", cwd=tmp_path).returncode == 2  # a hub key needs --hub
    # then `registry serve` answers GraphQL over real HTTP with the seeded programme
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "registry.cli", "serve", "--port", str(port), "--stats"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.post(
                    f"http://127.0.0.1:{port}/graphql",
                    json={"query": '{ territory(slug: "lyon") { name } }'},
                    headers={"Authorization": f"Bearer {token}"},
                )
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.2)
        assert response.json()["data"] == {"territory": {"name": "Greater Lyon (Lyon Metropolis)"}}
        assert response.json()["extensions"]["stats"]["storeRoundTrips"] >= 1
    finally:
        server.terminate()
        server.wait(timeout=30)
        assert server.stdout is not None
        server.stdout.close()


def test_serve_runs_several_worker_processes_that_all_answer(tmp_path: Path) -> None:
    # given a seeded registry, when it is served by two worker processes
    assert registry("seed", cwd=tmp_path).returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "registry.cli", "serve", "--port", str(port), "--workers", "2"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        query = {"query": "{ territories(first: 3) { totalCount nodes { slug } } }"}
        deadline = time.monotonic() + 60
        answers: list[dict[str, Any]] = []
        while len(answers) < 20:
            try:
                answers.append(httpx.post(f"http://127.0.0.1:{port}/graphql", json=query).json())
            except httpx.ConnectError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.2)
        workers = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        # then there are two worker processes, and every answer is the same, whichever worker gave it
        assert len(workers) >= 2, workers
        seeded = sum(1 for record in read_seeds()[0] if record.kind is Kind.TERRITORY)
        assert all(a == answers[0] for a in answers) and answers[0]["data"]["territories"]["totalCount"] == seeded
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert registry("serve", "--workers", "0", cwd=tmp_path).returncode == 1  # refused, with a message


def test_keys_can_be_listed_and_revoked(tmp_path: Path) -> None:
    assert registry("hubs", "create", "hub-mydata-france", "--name", "Hub MyData France", cwd=tmp_path).returncode == 0
    created = registry(
        "keys", "create", "--role", "hub", "--hub", "hub-mydata-france", "--label", "Paris hub", cwd=tmp_path
    )
    key_id = created.stdout.strip().split("_")[1]
    listed = registry("keys", "list", cwd=tmp_path).stdout
    assert key_id in listed and "hub-mydata-france" in listed and created.stdout.strip() not in listed
    assert registry("keys", "revoke", key_id, cwd=tmp_path).returncode == 0
    assert "revoked" in registry("keys", "list", cwd=tmp_path).stdout
    assert registry("keys", "revoke", key_id, cwd=tmp_path).returncode == 1


def test_export_schema_writes_the_sdl(tmp_path: Path) -> None:
    result = registry("export-schema", "--output", str(tmp_path / "s.graphql"), cwd=tmp_path)
    assert result.returncode == 0
    assert (tmp_path / "s.graphql").read_text() == (ROOT / "schema.graphql").read_text()


def test_export_then_import_into_an_empty_store_gives_the_same_export(tmp_path: Path) -> None:
    assert registry("seed", cwd=tmp_path).returncode == 0
    exported = registry("export", cwd=tmp_path)
    assert exported.returncode == 0 and exported.stdout.startswith('{"format":"self-data-registry-export"')
    target = f"sqlite:///{tmp_path / 'copy.db'}"
    assert registry("import", "--store", target, cwd=tmp_path, input_=exported.stdout).returncode == 0
    again = registry("export", "--store", target, cwd=tmp_path)
    assert again.stdout == exported.stdout
    refused = registry("import", "--store", target, cwd=tmp_path, input_=exported.stdout)
    assert refused.returncode == 1 and "not empty" in refused.stderr


def test_an_unreachable_store_is_said_clearly(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    result = registry("seed", "--store", f"bolt://127.0.0.1:{port}", cwd=tmp_path)
    assert result.returncode != 0
    assert "cannot open the store" in result.stderr and "Traceback" not in result.stderr
    served = registry("serve", "--store", f"bolt://127.0.0.1:{port}", "--port", str(free_port()), cwd=tmp_path)
    assert served.returncode != 0 and "cannot open the store" in served.stderr


@pytest.mark.neo4j
def test_the_readme_flow_on_a_local_neo4j(tmp_path: Path) -> None:
    needs.java_and_mvn()
    # given `registry neo4j-local` running in the foreground, as the README shows
    port = free_port()
    neo4j = subprocess.Popen(
        [sys.executable, "-m", "registry.cli", "neo4j-local", "--port", str(port), "--data", str(tmp_path / "neo4j")],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert neo4j.stdout is not None
        deadline = time.monotonic() + 240
        while "listening on bolt://127.0.0.1" not in (line := neo4j.stdout.readline()):
            assert line and time.monotonic() < deadline, "neo4j-local did not start"
        store = f"bolt://127.0.0.1:{port}"
        # when the registry is seeded on it twice and exported
        assert registry("seed", "--store", store, cwd=tmp_path).returncode == 0
        assert "0 created, 0 updated" in registry("seed", "--store", store, cwd=tmp_path).stdout
        from_graph = registry("export", "--store", store, cwd=tmp_path).stdout
        # then it holds the same programme as the embedded default
        assert registry("seed", cwd=tmp_path).returncode == 0
        from_sqlite = registry("export", cwd=tmp_path).stdout
        assert _without_times(from_graph) == _without_times(from_sqlite)
    finally:
        neo4j.terminate()
        assert neo4j.wait(timeout=60) == 0  # a clean stop on SIGTERM
        if neo4j.stdout is not None:
            neo4j.stdout.close()


def _without_times(export: str) -> list[object]:
    """Export lines without the times of the writes (two stores seeded at two moments)."""
    rows = []
    for line in export.splitlines():
        row = json.loads(line)
        for field in ("created_at", "updated_at", "at"):
            row.pop(field, None)
        if row.get("type") == "trailer":
            row.pop("sha256", None)  # the checksum covers the times too; the counts must still match
        rows.append(row)
    return rows


def test_make_serve_takes_another_port_and_store() -> None:
    # Given a newcomer who wants port 8123 and another SQLite file (a dry run: the commands make would run)
    planned = subprocess.run(
        ["make", "-n", "-o", "install", "serve", "PORT=8123", "STORE=sqlite:///other.db"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # Then the store is seeded and served there, on that port
    assert ".venv/bin/registry seed --store sqlite:///other.db" in planned
    assert ".venv/bin/registry serve --port 8123 --store sqlite:///other.db" in planned
