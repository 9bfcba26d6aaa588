"""One operation's latency before and after a change, measured in one session: a latency worker
(bench/path_latency.py, bench/search_latency.py) run on the base source tree and on this one
alternately, round after round, so that both see the same load from the rest of the machine.  It
prints p50/p95 wall and CPU of each, their ratios, the load average, and how many requests both
trees answered the same.

The two trees may need their own copy of the store when their schema revisions differ (the newer
one migrated with `registry migrate`): the same data, each at its tree's revision.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def _run(worker: Path, tree: Path, store: str, requests: int, raw: Path) -> dict[str, list[object]]:
    # The worker file of this tree, its imports from the tree measured (the base may not have it).
    environment = {**os.environ, "PYTHONPATH": f"{tree}{os.pathsep}{HERE}"}
    command = [sys.executable, str(worker), "--store", store, "--requests", str(requests), "--raw", str(raw)]
    subprocess.run(command, cwd=tree, env=environment, check=True, stdout=subprocess.DEVNULL)
    figures: dict[str, list[object]] = json.loads(raw.read_text())
    return figures


def _cuts(figures: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(figures, n=100)
    return cuts[49], cuts[94]


def compare(operation: str, worker: Path, requests: int, same: str, doc: str) -> None:
    """The command line of `python -m bench.<operation>_compare`: `same` names what both trees answered alike."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--base-tree", type=Path, required=True, help="the source tree before the change")
    parser.add_argument("--base-store", required=True, help="the store for the base tree (read only)")
    parser.add_argument("--store", required=True, help="the store for this tree (read only)")
    parser.add_argument("--requests", type=int, default=requests)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    trees = {"base": (args.base_tree.resolve(), args.base_store), "this": (HERE, args.store)}
    collected: dict[str, dict[str, list[float]]] = {name: {"wall": [], "cpu": []} for name in trees}
    answers: dict[str, list[object]] = {name: [] for name in trees}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        for round_ in range(args.rounds):
            order = list(trees) if round_ % 2 == 0 else list(reversed(trees))  # neither always goes first
            for name in order:
                tree, store = trees[name]
                figures = _run(worker, tree, store, args.requests, Path(folder) / f"{name}.json")
                for measure in ("wall", "cpu"):
                    collected[name][measure] += [float(str(x)) for x in figures[measure]]
                answers[name] += figures["answers"]
    load_after = os.getloadavg()
    print(f"{operation}: {args.rounds} rounds of {args.requests} requests per tree, alternating")
    print(f"load average (1, 5, 15 min): before {load_before}, after {load_after}")
    for measure in ("wall", "cpu"):
        (base_50, base_95), (this_50, this_95) = _cuts(collected["base"][measure]), _cuts(collected["this"][measure])
        print(
            f"  {measure:>4}: base p50 {base_50:.2f} ms p95 {base_95:.2f} ms | this p50 {this_50:.2f} ms"
            f" p95 {this_95:.2f} ms | this/base p50 {this_50 / base_50:.2f} p95 {this_95 / base_95:.2f}"
        )
    alike = sum(1 for a, b in zip(answers["base"], answers["this"], strict=True) if a == b)
    print(f"  {same} from both trees: {alike} of {len(answers['this'])} requests")
