"""The search's word index (2026-12-06, issue 15): on SQLite an FTS5 table of each record's words
kept in step by triggers, on PostgreSQL a trigram GIN index on search_text (pg_trgm), so that a
search reads the records holding its words instead of every record (registry/store/sql/word_index.py).
The records already stored are indexed here.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

from registry.store.sql import word_index

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    word_index.create(op.get_bind())


def downgrade() -> None:
    # PostgreSQL keeps the pg_trgm extension: other databases' objects may use it, and it changes no data.
    word_index.drop(op.get_bind())
