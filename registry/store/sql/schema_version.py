"""The SQL store's schema version, managed by Alembic (the revisions are in registry/store/sql/migrations).

Opening a store makes a new database at the newest revision.  A database made by an older
release is refused, with the command that upgrades it in place: `registry migrate`.  The
tables are never changed behind a running server's back.

A change to the tables (a column declared on a field spec, see `registry.store.columns`)
gets its revision from `registry make-migration "what changed"` (`new_revision`): Alembic
compares a database at the newest revision with the tables the code declares and writes the
difference as the next numbered revision.  Read it, then commit it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlmodel import SQLModel

import registry.store.sql.tables  # noqa: F401  (the tables register themselves on SQLModel.metadata)
from registry.domain.errors import SchemaOutdated, SchemaTooNew
from registry.store.sql import word_index

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"
# Databases made before the tables were versioned (releases of 2026-11-29 and 2026-12-01) have
# no version table: the tables they hold tell their revision.
UNVERSIONED = (("meta", "0002"), ("records", "0001"))
_LOCK_ID = 7_531_902  # the PostgreSQL advisory lock that serialises schema changes between processes


@cache
def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def declared(name: str | None, type_: str, _parent: Any) -> bool:
    """Whether a schema comparison looks at this object: not the search's word index (its FTS5
    tables and triggers, its trigram index), which the migrations make and no table declares."""
    return not (type_ in ("table", "index") and name is not None and word_index.owned(name))


def head() -> str:
    revision = _scripts().get_current_head()
    assert revision is not None
    return revision


def revisions() -> list[str]:
    """Every revision, oldest first."""
    return [script.revision for script in reversed(list(_scripts().walk_revisions()))]


def _config(connection: Connection, folder: Path = MIGRATIONS) -> Config:
    config = Config()
    config.set_main_option("script_location", str(folder))
    config.attributes["connection"] = connection
    return config


@contextmanager
def _locked(url: str) -> Iterator[Connection]:
    """One connection holding the database's schema lock for one transaction.

    PostgreSQL takes an advisory lock; SQLite's BEGIN IMMEDIATE takes the write lock (pysqlite
    would otherwise run DDL outside any transaction), so two processes opening a new database
    at once do not both create it.
    """
    sqlite = url.startswith("sqlite")
    engine: Engine = create_engine(url)
    if sqlite:

        @event.listens_for(engine, "connect")
        def _no_implicit_transactions(dbapi_connection: Any, _: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _immediate(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
            yield connection
    finally:
        engine.dispose()


def current(connection: Connection) -> str | None:
    """The database's revision; None for a database without any of the registry's tables."""
    tables = set(inspect(connection).get_table_names())
    if VERSION_TABLE in tables:
        revision = MigrationContext.configure(connection).get_current_revision()
        if revision is not None:
            return revision
    return next((revision for table, revision in UNVERSIONED if table in tables), None)


def prepare(url: str) -> tuple[str | None, str]:
    """Make a new database at the newest revision, or check that an existing one is there.

    Returns (revision before, revision after), as `migrate` does.
    """
    with _locked(url) as connection:
        revision = current(connection)
        if revision is None:  # a new database: the tables as the code declares them, stamped
            SQLModel.metadata.create_all(connection)
            _stamp(connection, head())
            return None, head()
        _check(revision)
        if VERSION_TABLE not in inspect(connection).get_table_names():
            _stamp(connection, revision)  # an unversioned database at the newest revision
        return revision, revision


def _check(revision: str) -> None:
    if revision == head():
        return
    if revision not in revisions():
        raise SchemaTooNew(revision)
    raise SchemaOutdated(revision, head())


def _stamp(connection: Connection, revision: str) -> None:
    MigrationContext.configure(connection).stamp(_scripts(), revision)


def migrate(url: str) -> tuple[str | None, str]:
    """Upgrade the database in place to the newest revision; (revision before, revision after)."""
    from alembic import command

    with _locked(url) as connection:
        before = current(connection)
        if before is None:
            SQLModel.metadata.create_all(connection)
            _stamp(connection, head())
            return None, head()
        if before not in revisions():
            raise SchemaTooNew(before)
        if VERSION_TABLE not in inspect(connection).get_table_names():
            _stamp(connection, before)
        command.upgrade(_config(connection), "head")
        return before, head()


def upgrade_to(url: str, revision: str) -> None:
    """Run the migrations from wherever the database is up to `revision` (for tests and tooling)."""
    from alembic import command

    with _locked(url) as connection:
        command.upgrade(_config(connection), revision)


def _plain_types(type_: str, item: Any, autogen_context: Any) -> str | bool:
    """Write SQLModel's text type as SQLAlchemy's, so revisions import nothing but sqlalchemy."""
    if type_ == "type" and type(item).__name__ == "AutoString":
        return "sa.String()"
    return False


def new_revision(message: str, folder: Path = MIGRATIONS) -> Path | None:
    """Write the revision that brings the newest revision's tables to the declared ones, numbered
    after the newest; None (and nothing written) when they are the same already."""
    from alembic import command
    from alembic.operations.ops import MigrationScript

    config_folder = Config()
    config_folder.set_main_option("script_location", str(folder))
    newest = ScriptDirectory.from_config(config_folder).get_current_head()
    with TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'newest.db'}"
        engine = create_engine(url)
        try:
            with engine.begin() as connection:
                config = _config(connection, folder)
                command.upgrade(config, "head")
            with engine.begin() as connection:
                config = _config(connection, folder)
                empty: list[bool] = []

                def keep_if_changed(_context: Any, _revision: Any, directives: list[MigrationScript]) -> None:
                    upgrade = directives[0].upgrade_ops
                    if upgrade is None or upgrade.is_empty():
                        empty.append(True)
                        directives[:] = []

                config.attributes["directives"] = keep_if_changed
                config.attributes["render_item"] = _plain_types
                number = f"{int(newest or '0') + 1:04d}"
                script = command.revision(config, message=message, autogenerate=True, rev_id=number)
        finally:
            engine.dispose()
    if empty or script is None or isinstance(script, list):
        return None
    return Path(script.path)
