"""The one place that decides what a test does when something it needs is missing: a store's server
(java and mvn for Neo4j, a PostgreSQL URL), a browser, or Node.  It skips with the reason, unless
the flag of that dependency is set to 1 (as `.ci/run` sets them all), where it fails instead: CI may
not pass with those tests skipped.
"""

from __future__ import annotations

import importlib
import os
import shutil
from types import ModuleType

import pytest

STORES = "REGISTRY_REQUIRE_ALL_STORES"  # Neo4j (java, mvn) and PostgreSQL (REGISTRY_TEST_POSTGRES_URL)
BROWSER = "REGISTRY_REQUIRE_BROWSER"  # Chromium, driven by Playwright
NODE = "REGISTRY_REQUIRE_NODE"  # node and npm (tests/live, the HTTP audit, clients/typescript)
NGINX = "REGISTRY_REQUIRE_NGINX"  # nginx, the caching proxy of the HTTP caching test
DEPLOY = "REGISTRY_REQUIRE_DEPLOY"  # redis-server and haproxy (tests/deploy: several servers behind a balancer)
OFFICE = "REGISTRY_REQUIRE_OFFICE"  # LibreOffice, headless (the CSV export opened by a real spreadsheet)


def missing(flag: str, reason: str) -> None:
    """Skip for `reason`, or fail when `flag` is 1: the dependency is required here."""
    if os.environ.get(flag) == "1":
        pytest.fail(f"{reason}, and {flag}=1 requires it", pytrace=False)
    pytest.skip(reason)


def tools(flag: str, *names: str, why: str) -> None:
    """Every tool on PATH, else `missing`, naming the ones missing."""
    absent = [name for name in names if shutil.which(name) is None]
    if absent:
        missing(flag, f"{why} needs {' and '.join(absent)} on PATH")


def java_and_mvn() -> None:
    """What a local Neo4j needs (graph/local_neo4j.py)."""
    tools(STORES, "java", "mvn", why="a local Neo4j")


def node_and_npm(why: str) -> None:
    tools(NODE, "node", "npm", why=why)


def executable(flag: str, names: tuple[str, ...], package: str, *, also_in: str | None = None) -> str:
    """The first of `names` found on PATH (or in `also_in`), else `missing` naming the Debian package."""
    for name in names:
        path = shutil.which(name) or (shutil.which(name, path=also_in) if also_in else None)
        if path is not None:
            return path
    missing(flag, f"{names[0]} is not installed (Debian package: {package})")
    raise AssertionError("unreachable: missing() skips or fails")


def nginx() -> str:
    """The machine's nginx (/usr/sbin may be off a user's PATH)."""
    return executable(NGINX, ("nginx",), "nginx", also_in="/usr/sbin")


def libreoffice() -> str:
    return executable(OFFICE, ("libreoffice", "soffice"), "libreoffice-calc-nogui")


def chromium() -> str:
    """The machine's Chromium executable (never a downloaded one)."""
    return executable(BROWSER, ("chromium", "chromium-browser"), "chromium")


def playwright() -> ModuleType:
    """playwright.sync_api, which drives the browser (the dev extra installs it)."""
    try:
        return importlib.import_module("playwright.sync_api")
    except ImportError:
        missing(BROWSER, "Playwright is not installed (pip install -e '.[dev]')")
        raise
