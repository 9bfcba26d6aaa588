"""The results file: the machine, the versions, the command, then a Markdown table per store and scale."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

# Shown when installed: the server's stack, and the speed-ups it may use.
PACKAGES = (
    "strawberry-graphql",
    "starlette",
    "uvicorn",
    "sqlmodel",
    "neo4j",
    "neo4j-rust-ext",
    "orjson",
    "uvloop",
    "httptools",
)
PEER_PACKAGES = ("@neo4j/graphql", "@apollo/server", "graphql", "neo4j-driver")
CLIENT_BOUND = 0.7  # a client busier than this (share of one core) may be the bottleneck
MIXED = "mixed"  # bench/workload.py's mixed cell: its figures hold each operation's latencies apart
MIXED_READS = "mixed_reads"  # the same mix without its writes, when the run has it
MIXED_P95_TARGET = 1.5  # issue 15: a read's p95 under writes at most 1.5× its p95 alone
MIXED_THROUGHPUT_TARGET = 0.8  # and the mix's throughput at least 0.8× what the reads alone reach
FEW = 40  # fewer requests than this in the mix: its p95 is one of the last two


@dataclass
class Cell:
    op: str
    server: str  # "ours", "default" (our default deployment) or "peer"
    concurrency: int
    figures: dict[str, Any]


@dataclass
class Section:
    """The figures of one store at one scale."""

    store: str
    scale: int
    fill: str = ""
    cells: list[Cell] = field(default_factory=list)
    floor: dict[str, dict[str, float]] = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)  # one line per check, "ok: …" or "MISMATCH: …"
    notes: list[str] = field(default_factory=list)


def machine() -> str:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.1f} GiB memory, {model}, {platform.system()} {platform.release()}"


def load(average: tuple[float, float, float]) -> str:
    """A load average as text: work the machine had besides the benchmark shows here."""
    return "/".join(f"{x:.1f}" for x in average)


def _output(command: list[str], cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=cwd)
    except OSError:
        return "not found"
    return done.stdout.strip() or "unknown"


def git_commit(root: Path) -> str:
    commit = _output(["git", "rev-parse", "--short", "HEAD"], cwd=root)
    dirty = _output(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root)
    return commit + (" (with uncommitted changes)" if dirty not in ("", "unknown") else "")


def _installed(package: str) -> str:
    """The installed version of a Python package, or "" when it is not installed."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return ""


def versions(peer_dir: Path, neo4j_versions: str) -> str:
    python = f"Python {platform.python_version()}"
    packages = ", ".join(f"{name} {_installed(name)}" for name in PACKAGES if _installed(name))
    node = _output(["node", "--version"])
    peer = []
    for name in PEER_PACKAGES:
        manifest = peer_dir / "node_modules" / name / "package.json"
        if manifest.is_file():
            peer.append(f"{name} {json.loads(manifest.read_text(encoding='utf-8'))['version']}")
    return f"{python} ({packages}); {neo4j_versions or 'Neo4j not run'}; Node {node} ({', '.join(peer) or 'peer not installed'})"


def _ms(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def cells_table(cells: list[Cell]) -> list[str]:
    lines = [
        "| operation | server | conc. | requests | req/s | p50 ms | p95 ms | p99 ms | errors | server CPU ms/req | Neo4j CPU ms/req | server peak MiB | client CPU |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for c in cells:
        f = c.figures
        cpu, peak = f["cpu_ms_per_request"], f["peak_mib"]
        neo4j = _ms(cpu["neo4j"]) if "neo4j" in cpu else "–"
        server = _ms(cpu["server"]) if "server" in cpu else "–"
        memory = f"{peak['server']:.0f}" if "server" in peak else "–"
        client = f"{f['client_cpu_share']:.0%}" + (" ⚠" if f["client_cpu_share"] > CLIENT_BOUND else "")
        errors = f"{f['errors']}" + (" (timed out)" if f.get("timeouts") else "")
        lines.append(
            f"| {c.op} | {c.server} | {c.concurrency} | {f['requests']} | {f['throughput']:.1f} | {_ms(f['p50_ms'])} "
            f"| {_ms(f['p95_ms'])} | {_ms(f['p99_ms'])} | {errors} | {server} | {neo4j} | {memory} | {client} |"
        )
    return lines


def floor_table(section: Section) -> list[str]:
    lines = [
        "| page | floor p50 ms | floor p95 ms | ours p50 ms (conc. 1) | ours / floor | target ≤ 3× |",
        "|---|--:|--:|--:|--:|---|",
    ]
    for op, floor in section.floor.items():
        ours = next((c for c in section.cells if c.op == op and c.server == "ours" and c.concurrency == 1), None)
        if ours is None or not ours.figures["requests"]:
            lines.append(f"| {op} | {_ms(floor['p50_ms'])} | {_ms(floor['p95_ms'])} | – | – | – |")
            continue
        ratio = ours.figures["p50_ms"] / floor["p50_ms"]
        met = "met" if ratio <= 3 else "not met"
        lines.append(
            f"| {op} | {_ms(floor['p50_ms'])} | {_ms(floor['p95_ms'])} | {_ms(ours.figures['p50_ms'])} | {ratio:.1f}× | {met} |"
        )
    return lines


def peer_table(cells: list[Cell], mine: str = "ours") -> list[str]:
    peers = {(c.op, c.concurrency): c.figures for c in cells if c.server == "peer"}
    if not peers or not any(c.server == mine for c in cells):
        return []
    lines = [
        "| operation | conc. | ours req/s | peer req/s | ours / peer throughput | ours CPU ms/req (server + Neo4j) | peer CPU ms/req (server + Neo4j) |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for c in cells:
        peer = peers.get((c.op, c.concurrency))
        if c.server != mine or peer is None:
            continue
        ours = c.figures
        ours_cpu = _ms(sum(ours["cpu_ms_per_request"].values())) if ours["requests"] else "–"
        if not peer["requests"]:
            lines.append(f"| {c.op} | {c.concurrency} | {ours['throughput']:.1f} | failed | – | {ours_cpu} | – |")
            continue
        ratio = ours["throughput"] / peer["throughput"]
        lines.append(
            f"| {c.op} | {c.concurrency} | {ours['throughput']:.1f} | {peer['throughput']:.1f} | {ratio:.2f}× "
            f"| {ours_cpu} | {_ms(sum(peer['cpu_ms_per_request'].values()))} |"
        )
    return lines


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _ratio(value: float, base: dict[str, Any] | None, key: str) -> str:
    return f"{value / base[key]:.2f}×" if base and base.get("requests") and base[key] else "–"


def mixed_tables(cells: list[Cell], server: str = "ours") -> list[str]:
    """Each read's p95 inside the mixed cell beside its read-only cell's (same server, concurrency and
    run), then the mix's throughput beside what the read-only cells reach at the mix's shares. Where
    the run has the same mix without writes, its figures sit beside them too."""
    mine = [c for c in cells if c.server == server]
    alone = {(c.op, c.concurrency): c.figures for c in mine if c.op not in (MIXED, MIXED_READS)}
    quiet = {c.concurrency: c.figures for c in mine if c.op == MIXED_READS}
    mixed = [c for c in mine if c.op == MIXED and c.figures.get("per_op")]
    if not mixed:
        return []
    p95 = [
        "| conc. | operation | read-only p95 ms | in the mix: requests | p95 ms | mixed / read-only p95 "
        f"| target ≤ {MIXED_P95_TARGET}× | p95 ms in the mix without writes | mixed / mix without writes |",
        "|--:|---|--:|--:|--:|--:|---|--:|--:|",
    ]
    rates = [
        "| conc. | mixed req/s | read-only req/s at the mix's shares | mixed / read-only | read-only cells' req/s (min–max) "
        f"| target ≥ {MIXED_THROUGHPUT_TARGET}× | mix without writes req/s | mixed / without writes |",
        "|--:|--:|--:|--:|--:|---|--:|--:|",
    ]
    for cell in mixed:
        c, per_op = cell.concurrency, cell.figures["per_op"]
        without = quiet.get(c)
        reads = {op: f for op, f in per_op.items() if (op, c) in alone}
        for op, f in per_op.items():
            base = alone.get((op, c))
            calm = (without or {}).get("per_op", {}).get(op)
            calm_p95 = _ms(calm["p95_ms"]) if calm else "–"
            few = " (few: p95 is near the maximum)" if f["requests"] < FEW else ""
            if base is None or not base["requests"]:
                met, base_p95 = "–", "–"
            else:
                met, base_p95 = _met(f["p95_ms"] / base["p95_ms"] <= MIXED_P95_TARGET), _ms(base["p95_ms"])
            p95.append(
                f"| {c} | {op} | {base_p95} | {f['requests']}{few} | {_ms(f['p95_ms'])} | {_ratio(f['p95_ms'], base, 'p95_ms')} "
                f"| {met} | {calm_p95} | {_ratio(f['p95_ms'], calm, 'p95_ms')} |"
            )
        throughput = cell.figures["throughput"]
        calm_rate = f"{without['throughput']:.1f}" if without else "–"
        total = sum(f["requests"] for f in reads.values())
        if not total or any(not alone[(op, c)]["throughput"] for op in reads):
            rates.append(
                f"| {c} | {throughput:.1f} | – | – | – | – | {calm_rate} | {_ratio(throughput, without, 'throughput')} |"
            )
            continue
        # Seconds per request if each read ran at its read-only rate, weighted by its share of the mix.
        expected = 1 / sum(f["requests"] / total / alone[(op, c)]["throughput"] for op, f in reads.items())
        spread = [alone[(op, c)]["throughput"] for op in reads]
        rates.append(
            f"| {c} | {throughput:.1f} | {expected:.1f} | {throughput / expected:.2f}× | {min(spread):.1f}–{max(spread):.1f} "
            f"| {_met(throughput / expected >= MIXED_THROUGHPUT_TARGET)} | {calm_rate} | {_ratio(throughput, without, 'throughput')} |"
        )
    return [
        "Reads under writes: each operation's p95 inside the mixed cell beside its p95 in its own read-only cell"
        " (same server, concurrency and run; the writes have no read-only cell), and, where the run has it, beside"
        f" its p95 in the same mix without the writes (`{MIXED_READS}`): at saturation a cheap read's latency in any"
        " mix is mostly its wait behind the dearer ones, so that last ratio is what the writes cost.",
        "",
        *p95,
        "",
        "The mixed cell's throughput beside the read-only cells': the rate the mix's reads would reach, each at its"
        " read-only cell's rate and at its share of the mix's reads (a weighted harmonic mean; the 5 % writes count"
        " in the mixed cell only).",
        "",
        *rates,
        "",
    ]


def render_section(section: Section) -> str:
    out = [f"## {section.store}, ×{section.scale}", ""]
    if section.fill:
        out += [f"Filled with `{section.fill}`.", ""]
    out += [f"- {note}" for note in section.notes]
    if section.notes:
        out.append("")
    if section.cells:
        out += [*cells_table(section.cells), ""]
    out += mixed_tables(section.cells)
    if section.floor:
        out += ["The floor: one hand-written statement per page through the raw driver, at concurrency 1.", ""]
        out += [*floor_table(section), ""]
    peer = peer_table(section.cells)
    if peer:
        out += ["The peer, over the same Neo4j and data; cells were run interleaved (ours, peer) per concurrency.", ""]
        out += [*peer, ""]
    default = peer_table(section.cells, "default")
    if default:
        out += [
            "Our default deployment (`registry serve` as it comes: a worker per core, the response cache on;"
            ' its CPU summed over its processes) against the same peer cells ("ours" columns: the default deployment):',
            "",
        ]
        out += [*default, ""]
    if section.checks:
        out += [
            "Same records as our API (slugs of the page and of each linked list; a peer that fails is reported, not a mismatch):",
            "",
        ]
        out += [f"- {line}" for line in section.checks] + [""]
    errors = [c for c in section.cells if c.figures["first_error"]]
    if errors:
        out += ["First error of each cell with errors:", ""]
        out += [f"- {c.op} / {c.server} / {c.concurrency}: `{c.figures['first_error'][:400]}`" for c in errors] + [""]
    return "\n".join(out)


def render(title: str, header: dict[str, str], sections: list[Section], legend: str) -> str:
    lines = [f"# {title}", ""]
    lines += [f"- **{name}**: {value}" for name, value in header.items()]
    lines += ["", legend, ""]
    return "\n".join(lines) + "\n" + "\n".join(render_section(s) for s in sections)
