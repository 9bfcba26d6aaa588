"""The built wheel is the product: installed into a fresh virtual environment and run from
an unrelated folder, it seeds the programme, serves the API and its pages, and starts Neo4j."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import needs

ROOT = Path(__file__).resolve().parent.parent
SETUP_TIMEOUT = 600  # building the wheel and installing its dependencies (from pip's cache when warm)


def _packages() -> list[str]:
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    packages: list[str] = setup["packages"]
    return packages


def test_every_python_package_is_listed_for_the_wheel() -> None:
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("registry", "graph")
        for init in (ROOT / top).rglob("__init__.py")
        if "launcher" not in init.parts
    }
    assert found <= set(_packages()), f"add to [tool.setuptools] packages: {sorted(found - set(_packages()))}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `registry` command of the wheel, installed with its dependencies into a new venv."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(work / "dist"), str(ROOT)],
        check=True,
        timeout=SETUP_TIMEOUT,
        cwd=work,
    )
    (wheel,) = (work / "dist").glob("*.whl")
    venv.create(work / "venv", with_pip=True)
    python = work / "venv" / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, timeout=SETUP_TIMEOUT)
    return work / "venv" / "bin" / "registry"


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working folder with no checkout in sight, so nothing can be read from the repository."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def _run(registry: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_") and k != "PYTHONPATH"}
    return subprocess.run([str(registry), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_installed_registry_seeds_the_programme(installed: Path, elsewhere: Path) -> None:
    done = _run(installed, "seed", "--store", f"sqlite:///{elsewhere / 'registry.db'}", cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    assert "created" in done.stdout
    created = int(done.stdout.split("seeded: ")[1].split(" created")[0])
    assert created > 100, done.stdout  # the programme, not an empty folder


def test_seeding_from_a_folder_without_seed_files_fails_loudly(installed: Path, elsewhere: Path) -> None:
    done = _run(
        installed, "seed", "--store", f"sqlite:///{elsewhere / 'r.db'}", "--seeds", str(elsewhere), cwd=elsewhere
    )
    assert done.returncode == 1
    assert done.stderr.strip() == f"registry: No seed files in {elsewhere}."


@pytest.fixture
def serving(installed: Path, elsewhere: Path) -> Iterator[str]:
    store = f"sqlite:///{elsewhere / 'registry.db'}"
    assert _run(installed, "seed", "--store", store, cwd=elsewhere).returncode == 0
    port = _free_port()
    log = elsewhere / "serve.log"
    with open(log, "w", encoding="utf-8") as output:
        process = subprocess.Popen(
            [str(installed), "serve", "--store", store, "--port", str(port), "--workers", "1"],
            cwd=elsewhere,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/graphql?query=%7B__typename%7D", timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the installed server did not start: {log.read_text()}") from None
                time.sleep(0.3)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_installed_registry_serves_the_api_graphiql_and_the_explorer(serving: str) -> None:
    request = urllib.request.Request(
        f"{serving}/graphql",
        data=json.dumps({"query": '{ territory(slug: "lyon") { slug } }'}).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert json.load(answer) == {"data": {"territory": {"slug": "lyon"}}}
    page = urllib.request.Request(f"{serving}/graphql", headers={"Accept": "text/html"})
    with urllib.request.urlopen(page, timeout=10) as answer:
        html = answer.read().decode()
    assert "graphiql" in html.lower()
    with urllib.request.urlopen(f"{serving}/static/graphiql/graphiql.min.js", timeout=10) as answer:
        assert answer.status == 200
    with urllib.request.urlopen(f"{serving}/explore/", timeout=10) as answer:
        assert 'type="module"' in answer.read().decode()
    with urllib.request.urlopen(f"{serving}/explore/operations.js", timeout=10) as answer:
        assert "/* GraphQL */" in answer.read().decode()


@pytest.mark.neo4j
def test_the_installed_registry_starts_a_local_neo4j(installed: Path, elsewhere: Path) -> None:
    needs.java_and_mvn()
    port = _free_port()
    process = subprocess.Popen(
        [str(installed), "neo4j-local", "--port", str(port), "--data", str(elsewhere / "neo4j")],
        cwd=elsewhere,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while True:
            done = _run(installed, "seed", "--store", f"bolt://127.0.0.1:{port}", cwd=elsewhere)
            if done.returncode == 0:
                break
            assert process.poll() is None, "neo4j-local exited"
            assert time.monotonic() < deadline, done.stderr
            time.sleep(2)
        assert "created" in done.stdout
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
