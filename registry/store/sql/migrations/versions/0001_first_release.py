"""The tables of the first release (2026-11-29): records, links, hubs, API keys, audit, idempotency.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    text = sa.String()
    op.create_table(
        "records",
        sa.Column("key", text, primary_key=True),
        sa.Column("kind", text, nullable=False),
        sa.Column("slug", text, nullable=False),
        sa.Column("data", text, nullable=False),
        sa.Column("sources", text, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", text, nullable=False),
        sa.Column("updated_at", text, nullable=False),
        sa.Column("review_state", text, nullable=False),
        sa.Column("hub", text, nullable=True),
        sa.Column("status", text, nullable=True),
        sa.Column("subkind", text, nullable=True),
        sa.Column("country", text, nullable=True),
        sa.Column("governance", text, nullable=True),
        sa.Column("year_start", sa.Integer(), nullable=True),
        sa.Column("year_end", sa.Integer(), nullable=True),
        sa.Column("sort_name", text, nullable=False),
        sa.Column("search_text", text, nullable=False),
    )
    for column in ("kind", "review_state", "hub", "status", "subkind", "country", "governance", "sort_name"):
        op.create_index(f"ix_records_{column}", "records", [column])
    op.create_table(
        "links",
        sa.Column("source_key", text, primary_key=True),
        sa.Column("rel", text, primary_key=True),
        sa.Column("target_key", text, primary_key=True),
        sa.Column("source_kind", text, nullable=False),
        sa.Column("target_kind", text, nullable=False),
        sa.Column("role", text, nullable=False),
    )
    op.create_index("ix_links_target_key", "links", ["target_key"])
    op.create_table(
        "hubs",
        sa.Column("slug", text, primary_key=True),
        sa.Column("name", text, nullable=False),
        sa.Column("created_at", text, nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("key_id", text, primary_key=True),
        sa.Column("secret_hash", text, nullable=False),
        sa.Column("role", text, nullable=False),
        sa.Column("hub", text, nullable=True),
        sa.Column("created_at", text, nullable=False),
        sa.Column("revoked_at", text, nullable=True),
        sa.Column("label", text, nullable=False),
    )
    op.create_table(
        "audit",
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("at", text, nullable=False),
        sa.Column("who", text, nullable=False),
        sa.Column("action", text, nullable=False),
        sa.Column("ref", text, nullable=False),
        sa.Column("version_before", sa.Integer(), nullable=True),
        sa.Column("version_after", sa.Integer(), nullable=True),
        sa.Column("detail", text, nullable=False),
    )
    op.create_index("ix_audit_ref", "audit", ["ref"])
    op.create_table(
        "idempotency",
        sa.Column("key", text, primary_key=True),
        sa.Column("result", text, nullable=False),
    )


def downgrade() -> None:
    for table in ("idempotency", "audit", "api_keys", "hubs", "links", "records"):
        op.drop_table(table)
