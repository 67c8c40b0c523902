"""assessments record the instrument (form + risk model pair) that produced them

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 11:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("instrument_id", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("form_id", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_assessments", schema=None) as batch_op:
        batch_op.drop_column("form_id")
        batch_op.drop_column("instrument_id")
