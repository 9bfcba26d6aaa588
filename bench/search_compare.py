"""`search` latency before and after a change, measured in one session (bench/tree_compare.py):
whether both trees answered every request with the same total and the same page.  A Neo4j store
is shared when both trees accept its version.

Run: .venv/bin/python -m bench.search_compare --base-tree ../base --base-store sqlite:///x100-base.db \\
         --store sqlite:///x100.db [--requests 300] [--rounds 3]
"""

from __future__ import annotations

from pathlib import Path

from bench.tree_compare import compare

WORKER = Path(__file__).resolve().with_name("search_latency.py")  # run as a file: it imports from the tree given

if __name__ == "__main__":
    compare("search", WORKER, 300, "same total and page", __doc__ or "")
