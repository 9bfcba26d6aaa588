"""The store-wide change counter (meta) and the (kind, review_state, slug) index for public lists (2026-12-01).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("name", sa.String(), primary_key=True),
        sa.Column("value", sa.Integer(), nullable=False),
    )
    op.create_index("records_kind_state_slug", "records", ["kind", "review_state", "slug"])


def downgrade() -> None:
    op.drop_index("records_kind_state_slug", table_name="records")
    op.drop_table("meta")
