"""The GraphQL-over-HTTP server audit of the `graphql-http` package (npm), run against a real
uvicorn serving the seeded registry: no error and no warning (issue 6).

The Node script and its pinned dependencies are in tests/http_audit/; `npm ci`
installs them into node_modules/ (kept between runs, re-installed when the lock file changes).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests import needs
from tests.api.conftest import Api

HERE = Path(__file__).parent.parent / "http_audit"  # audit.mjs, package.json, package-lock.json


def _npm_ci() -> None:
    stamp = HERE / "node_modules" / ".package-lock.json"  # npm writes it on every install
    lock = HERE / "package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True, timeout=300)


def test_the_graphql_over_http_audit_passes_without_warnings(api: Api) -> None:
    needs.node_and_npm("the GraphQL-over-HTTP audit")
    _npm_ci()
    url = str(api.client.base_url.join("/graphql"))
    done = subprocess.run(
        ["node", "audit.mjs", url], cwd=HERE, capture_output=True, text=True, timeout=120, check=False
    )
    print(done.stdout)  # the counts, and every audit not passed (pytest -s shows them)
    summary = re.search(r"ok=(\d+) notices=(\d+) warnings=(\d+) errors=(\d+)", done.stdout)
    assert summary is not None, done.stdout + done.stderr
    ok, _notices, warnings, errors = (int(n) for n in summary.groups())
    assert (warnings, errors) == (0, 0), done.stdout
    assert ok > 40 and done.returncode == 0  # the audits did run
