"""`registry serve --workers 2`: /metrics adds up every worker's requests; logs are JSON lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.test_cli import ROOT, free_port, registry


def counted(text: str, operation: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "registry_graphql_requests_total" and sample.labels.get("operation") == operation
    )


def access_lines(log: Path) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("logger") == "registry.access"]


def test_metrics_add_up_the_workers_and_every_log_line_is_json_with_its_request_id(tmp_path: Path) -> None:
    assert registry("seed", cwd=tmp_path).returncode == 0
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w", encoding="utf-8") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "registry.cli", "serve", "--port", str(port), "--workers", "2", "--access-log"],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                assert httpx.get(f"{base}/health").json() == {"status": "ok"}
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline and server.poll() is None, log.read_text(encoding="utf-8")
                time.sleep(0.2)
        # Given requests on fresh connections until both workers have answered some (at most 200)
        # (named as an explorer operation: an anonymous caller's name is a label only when it is known)
        query = {"query": "query Catalogue { territories(first: 1) { totalCount } }"}
        ids: list[str] = []
        while len(ids) < 200:
            ids.append(httpx.post(f"{base}/graphql", json=query).headers["x-request-id"])
            if len(ids) % 10 == 0 and len({line["pid"] for line in access_lines(log)}) >= 2:
                break
        lines = access_lines(log)
        assert len({line["pid"] for line in lines}) >= 2, "one worker answered everything"
        # Then /metrics, whichever worker answers it, counts every request of every worker
        for _ in range(4):
            assert counted(httpx.get(f"{base}/metrics").text, "Catalogue") == len(ids)
        # and each request left one JSON line with its request id
        assert sorted(str(line["request_id"]) for line in lines) == sorted(ids)
        assert all(line["operation"] == "Catalogue" and line["status"] == 200 for line in lines)
    finally:
        server.terminate()
        server.wait(timeout=30)
    # The server's own lines (uvicorn's start and stop) are JSON lines too
    startup = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    assert any(line["logger"].startswith("uvicorn") for line in startup)
