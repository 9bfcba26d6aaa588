"""`path` latency before and after a change, measured in one session (bench/tree_compare.py): whether
both trees answered every request with the same path.

Run: .venv/bin/python -m bench.path_compare --base-tree ../base --base-store sqlite:///x1000-base.db \\
         --store sqlite:///x1000.db [--requests 200] [--rounds 3]
"""

from __future__ import annotations

from pathlib import Path

from bench.tree_compare import compare

WORKER = Path(__file__).resolve().with_name("path_latency.py")  # run as a file: it imports from the tree given

if __name__ == "__main__":
    compare("path", WORKER, 200, "same path", __doc__ or "")
