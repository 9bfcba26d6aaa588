"""The one place that picks a store from a URL."""

from __future__ import annotations

import os

from registry.errors import ErrorCode, RegistryError
from registry.store import Store


def open_store(url: str) -> Store:
    """sqlite:///…, postgresql://…, bolt://… or neo4j://… (user and password from NEO4J_USER, NEO4J_PASSWORD)."""
    scheme = url.split(":", 1)[0].lower()
    if scheme.startswith("sqlite"):
        from registry.sql.store import SqlStore

        return SqlStore(url)
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        from registry.sql.store import SqlStore

        return SqlStore("postgresql+psycopg://" + url.split("://", 1)[1])
    if scheme in ("bolt", "neo4j", "bolt+s", "neo4j+s", "bolt+ssc", "neo4j+ssc"):
        from graph.store import Neo4jStore

        user = os.environ.get("NEO4J_USER", "neo4j")
        password = os.environ.get("NEO4J_PASSWORD")
        return Neo4jStore(url, user, password)
    raise RegistryError(
        ErrorCode.INVALID,
        f"Unknown store URL {url!r}: use sqlite:///FILE, postgresql://…, bolt://… or neo4j://…",
        "store",
    )
