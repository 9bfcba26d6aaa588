"""The stores a benchmark measures: always fresh ones it creates itself, in its own temporary folder.

The runner takes no store URL: it never reads, clears or writes a store someone else owns.
Stores are filled through the `registry` command, as a person would fill them.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from graph.local_neo4j import LocalNeo4j, free_port

FILL_TIMEOUT = 3600.0
SCALE_SEED = 7


class ScaleUnavailable(Exception):
    """This scale cannot be built here; the message says why."""


@dataclass
class BenchStore:
    """A store the benchmark created: its kind, URL, and the processes whose CPU to watch."""

    kind: str
    url: str
    watch: dict[str, int] = field(default_factory=dict)  # name -> pid (Neo4j's JVM)
    neo4j: LocalNeo4j | None = None


def registry_command(*args: str) -> list[str]:
    """The `registry` command line of this interpreter's installation."""
    return [sys.executable, "-m", "registry.cli", *args]


def _pid_of_command_line_with(marker: str) -> int | None:
    """The process whose command line holds `marker` (our unique data folder)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in command and "java" in command:
            return int(entry.name)
    return None


@contextmanager
def fresh_store(kind: str, folder: Path) -> Iterator[BenchStore]:
    """A new, empty store of `kind` ("sqlite" or "neo4j") inside `folder`, which must not exist yet."""
    folder.mkdir(parents=True)  # fails if it exists: a fresh folder is the proof the store is ours
    if kind == "sqlite":
        yield BenchStore(kind, f"sqlite:///{(folder / 'bench.db').resolve()}")
        return
    if kind != "neo4j":
        raise ValueError(f"unknown store kind {kind!r} (sqlite, neo4j)")
    data = folder / "neo4j"
    with LocalNeo4j(free_port(), data) as server:
        pid = _pid_of_command_line_with(str(data.resolve()))
        yield BenchStore(kind, server.uri, {"neo4j": pid} if pid else {}, server)


def fill(store: BenchStore, scale: int) -> str:
    """Fill a fresh store: the real seeds at ×1, else `registry generate`. Returns what was run."""
    if scale == 1:
        command = registry_command("seed", "--store", store.url)
    else:
        probe = subprocess.run(registry_command("generate", "--help"), capture_output=True, text=True, check=False)
        if probe.returncode != 0:
            raise ScaleUnavailable(f"×{scale} skipped: this registry has no `registry generate` command yet")
        command = registry_command("generate", "--scale", str(scale), "--seed", str(SCALE_SEED), "--store", store.url)
    done = subprocess.run(command, capture_output=True, text=True, timeout=FILL_TIMEOUT, check=False)
    if done.returncode != 0:
        raise ScaleUnavailable(f"×{scale} skipped: `{' '.join(command[2:])}` failed:\n{done.stderr[-2000:]}")
    return " ".join(["registry", *command[3:]]).replace(store.url, f"<fresh {store.kind} store>")


def hub_key(store: BenchStore, hub: str) -> str:
    """A new hub key in the (fresh) store, for the benchmark's writes."""
    command = registry_command(
        "keys", "--store", store.url, "create", "--role", "hub", "--hub", hub, "--label", "benchmark"
    )
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]
