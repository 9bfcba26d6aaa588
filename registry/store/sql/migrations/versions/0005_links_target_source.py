"""A covering index of the links from their target side, (target_key, source_key, source_kind),
in place of the index on target_key alone (2026-12-06).

The path search reads every link of a frontier, both ways: from the source side the primary key
holds what it reads, and from the target side this index now does, instead of one table row per
link.  It also serves every look-up the index on target_key served.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("links_target_source", "links", ["target_key", "source_key", "source_kind"])
    op.drop_index("ix_links_target_key", table_name="links")


def downgrade() -> None:
    op.create_index("ix_links_target_key", "links", ["target_key"])
    op.drop_index("links_target_source", table_name="links")
