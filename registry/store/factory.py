"""The one place that picks a store from a URL."""

from __future__ import annotations

import os

from registry.domain.errors import ErrorCode, RegistryError
from registry.store.port import Store


def open_store(url: str, upgrade: bool = False) -> Store:
    """sqlite:///…, postgresql://…, bolt://… or neo4j://… (user and password from NEO4J_USER, NEO4J_PASSWORD).

    A database made by an older release is refused (SchemaOutdated) unless `upgrade` migrates it in place.
    """
    scheme = url.split(":", 1)[0].lower()
    if scheme.startswith("sqlite"):
        from registry.store.sql.store import SqlStore

        return SqlStore(url, upgrade)
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        from registry.store.sql.store import SqlStore

        return SqlStore(sql_url(url), upgrade)
    if scheme in ("bolt", "neo4j", "bolt+s", "neo4j+s", "bolt+ssc", "neo4j+ssc"):
        from graph.store import Neo4jStore

        user = os.environ.get("NEO4J_USER", "neo4j")
        password = os.environ.get("NEO4J_PASSWORD")
        return Neo4jStore(url, user, password, upgrade=upgrade)
    raise _unknown(url)


def sql_url(url: str) -> str:
    """SQLAlchemy's URL for a SQLite or PostgreSQL store URL (PostgreSQL through psycopg 3)."""
    if url.startswith("sqlite"):
        return url
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def _unknown(url: str) -> RegistryError:
    return RegistryError(
        ErrorCode.INVALID,
        f"Unknown store URL {url!r}: use sqlite:///FILE, postgresql://…, bolt://… or neo4j://…",
        "store",
    )
