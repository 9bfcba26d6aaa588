"""Territories' coordinates (latitude, longitude) and the data categories as filterable columns (2026-12-05).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_RECORDS = sa.table(
    "records",
    sa.column("key", sa.String()),
    sa.column("data", sa.String()),
    sa.column("latitude", sa.Float()),
    sa.column("longitude", sa.Float()),
    sa.column("data_categories", sa.String()),
)


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("data_categories", sa.String(), nullable=True))
    # Records already stored fill the new columns from their data, as a write would (codec.columns).
    bind = op.get_bind()
    for key, data in bind.execute(sa.select(_RECORDS.c.key, _RECORDS.c.data)).all():
        fields = json.loads(data)
        point = fields.get("coordinates") or {}
        categories = fields.get("data_categories") or []
        if point or categories:
            bind.execute(
                _RECORDS.update()
                .where(_RECORDS.c.key == key)
                .values(
                    latitude=point.get("latitude"),
                    longitude=point.get("longitude"),
                    data_categories=f" {' '.join(categories)} " if categories else None,
                )
            )


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_column("data_categories")
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")
