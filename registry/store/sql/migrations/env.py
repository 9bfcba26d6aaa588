"""Alembic's entry point for the SQL store: it always runs on the connection it is handed
(registry.store.sql.schema_version), never from an alembic.ini."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import registry.store.sql.tables  # noqa: F401  (the tables register themselves on SQLModel.metadata)
from registry.store.sql.schema_version import declared

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    include_name=declared,  # not the search's word index, which no table declares
    # Only `registry make-migration` sets these (registry.store.sql.schema_version.new_revision).
    process_revision_directives=context.config.attributes.get("directives"),
    render_item=context.config.attributes.get("render_item"),
)
with context.begin_transaction():
    context.run_migrations()
