"""Typed clients: graphql-codegen types the explorer's operations from schema.graphql, and tsc checks them.

Runs the npm packages pinned in clients/typescript (package-lock.json), installed by `npm ci`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import needs

ROOT = Path(__file__).resolve().parent.parent
CLIENT = ROOT / "clients" / "typescript"
FIXTURES = CLIENT / "fixtures"
MANIFEST = CLIENT / "persisted-documents.json"  # the explorer's trusted documents, committed


def run(*command: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command], cwd=CLIENT, env={**os.environ, **env}, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def npm() -> Iterator[None]:
    needs.node_and_npm("the typed-client check")
    installed = CLIENT / "node_modules" / ".package-lock.json"
    lock = CLIENT / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        done = run("npm", "ci", "--no-audit", "--no-fund")
        assert done.returncode == 0, done.stderr
    yield


def codegen(**env: str) -> subprocess.CompletedProcess[str]:
    return run("npx", "--no-install", "graphql-codegen", "--config", "codegen.ts", **env)


def typecheck(project: Path) -> subprocess.CompletedProcess[str]:
    return run("npx", "--no-install", "tsc", "--noEmit", "-p", str(project))


def check_fixtures(schema: Path) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str] | None]:
    """Codegen and tsc of the fixture operations and their consumer (fixtures/use.ts) against `schema`."""
    shutil.rmtree(FIXTURES / "generated", ignore_errors=True)
    generated = codegen(
        CODEGEN_SCHEMA=str(schema), CODEGEN_DOCUMENTS="fixtures/operations.js", CODEGEN_OUT="fixtures/generated/"
    )
    if generated.returncode != 0:
        return generated, None
    return generated, typecheck(FIXTURES)


def test_the_explorers_operations_type_check_and_the_committed_manifest_is_current(npm: None) -> None:
    generated = codegen()
    assert generated.returncode == 0, generated.stdout + generated.stderr
    checked = typecheck(CLIENT)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    fresh = json.loads((CLIENT / "generated" / "persisted-documents.json").read_text(encoding="utf-8"))
    assert json.loads(MANIFEST.read_text(encoding="utf-8")) == fresh, (
        "run `npm run codegen` in clients/typescript and copy generated/persisted-documents.json there"
    )


def test_operations_that_match_the_schema_type_check(npm: None) -> None:
    generated, checked = check_fixtures(ROOT / "schema.graphql")
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert checked is not None and checked.returncode == 0, checked.stdout + checked.stderr if checked else ""


def test_a_removed_field_fails_codegen(npm: None, tmp_path: Path) -> None:
    schema = tmp_path / "schema.graphql"
    current = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    old = "type PartnerMatch {\n  territory: Territory!\n  score: Float!\n  reasons: [Reason!]!\n"
    assert old in current
    schema.write_text(current.replace(old, old.replace("  reasons: [Reason!]!\n", "")), encoding="utf-8")
    generated, _ = check_fixtures(schema)
    assert generated.returncode != 0
    assert "reasons" in generated.stdout + generated.stderr


def test_a_changed_field_type_fails_the_type_check(npm: None, tmp_path: Path) -> None:
    schema = tmp_path / "schema.graphql"
    current = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    old = "type PartnerMatch {\n  territory: Territory!\n  score: Float!"
    assert old in current
    schema.write_text(current.replace(old, old.replace("score: Float!", "score: String!")), encoding="utf-8")
    generated, checked = check_fixtures(schema)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert checked is not None and checked.returncode != 0
    assert "toFixed" in checked.stdout  # fixtures/use.ts reads score as a number


def test_the_manifest_is_what_the_server_loads_as_trusted_documents(npm: None) -> None:
    from registry.api.http.persisted import load_manifest, sha256

    generated, _ = check_fixtures(ROOT / "schema.graphql")
    assert generated.returncode == 0
    trusted = load_manifest(str(FIXTURES / "generated" / "persisted-documents.json"))
    assert len(trusted) == 2 and all(sha256(document) == digest for digest, document in trusted.by_hash.items())
    # codegen prints the documents its own way; the explorer's source text is still recognised as trusted
    sources = re.findall(r"/\* GraphQL \*/ `([^`]*)`", (FIXTURES / "operations.js").read_text(encoding="utf-8"))
    assert len(sources) == 2 and all(sha256(text) not in trusted.by_hash for text in sources)
    assert all(trusted.allows(text) for text in sources)
    assert not trusted.allows(sources[0].replace("first: 5", "first: 100"))  # another document: not trusted
