"""places remember their source dataset

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-01 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Places imported before this revision have no recorded source: "unknown", which an import
    # only overwrites with --update-from unknown.
    with op.batch_alter_table("places") as batch:
        batch.add_column(
            sa.Column("source", sa.String(length=120), nullable=False, server_default="unknown")
        )


def downgrade() -> None:
    with op.batch_alter_table("places") as batch:
        batch.drop_column("source")
