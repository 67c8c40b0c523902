"""places remember their source dataset

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-01 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Places imported before this revision have no recorded source: "unknown", which an import
    # only overwrites with --update-from unknown.
    # A plain ADD COLUMN (no batch copy): SQLite can add a NOT NULL column with a default in
    # place, and copying `places` would trip the foreign keys that point at it.
    op.add_column(
        "places",
        sa.Column("source", sa.String(length=120), nullable=False, server_default="unknown"),
    )


def downgrade() -> None:
    op.drop_column("places", "source")  # SQLite 3.35+ drops a column in place
