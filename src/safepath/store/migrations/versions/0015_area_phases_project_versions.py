"""area phases from the protection analysis; projects carry a version for edits

Revision ID: 0015
Revises: 0008
Create Date: 2026-12-01 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "area_phases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pcode", sa.String(length=32), nullable=False),
        sa.Column("model_id", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("phase", sa.Integer(), nullable=False),
        sa.Column("population", sa.Float(), nullable=False),
        sa.Column("pin", sa.Float(), nullable=True),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("classified_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pcode"], ["places.pcode"], name=op.f("fk_area_phases_pcode_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_phases")),
        sa.UniqueConstraint(
            "model_id", "source", "pcode", name="uq_area_phases_model_source_pcode"
        ),
    )
    op.create_index(op.f("ix_area_phases_pcode"), "area_phases", ["pcode"], unique=False)
    # A plain ADD COLUMN with a default (no batch copy: other tables point at projects).
    op.add_column(
        "projects", sa.Column("version", sa.Integer(), nullable=False, server_default="1")
    )


def downgrade() -> None:
    op.drop_column("projects", "version")
    op.drop_index(op.f("ix_area_phases_pcode"), table_name="area_phases")
    op.drop_table("area_phases")
