"""Each record's completeness (the share of its declared fields holding a sourced value) as a
filterable, sortable, countable column (2026-12-05).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from registry.domain.records import Kind, Record
from registry.kinds import DECLARATIONS
from registry.kinds.completeness import percent
from registry.store.codec import sources_from_json

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_RECORDS = sa.table(
    "records",
    sa.column("key", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("slug", sa.String()),
    sa.column("data", sa.String()),
    sa.column("sources", sa.String()),
    sa.column("completeness", sa.Integer()),
)


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("completeness", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_records_completeness"), ["completeness"], unique=False)
    # Records already stored get the share a write now gives them (codec.columns), by the same rule.
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_RECORDS.c.key, _RECORDS.c.kind, _RECORDS.c.slug, _RECORDS.c.data, _RECORDS.c.sources)
    )
    for key, kind, slug, data, sources in rows.all():
        record = Record(Kind(kind), slug, json.loads(data), sources_from_json(json.loads(sources)))
        share = percent(DECLARATIONS, record)
        bind.execute(_RECORDS.update().where(_RECORDS.c.key == key).values(completeness=share))


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_records_completeness"))
        batch_op.drop_column("completeness")
