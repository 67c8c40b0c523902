"""place boundaries: each place's outline (GeoJSON, WGS 84) for the analysis maps

Revision ID: 0012
Revises: 0015
Create Date: 2026-12-01 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "place_boundaries",
        sa.Column("pcode", sa.String(length=32), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pcode"], ["places.pcode"], name=op.f("fk_place_boundaries_pcode_places")
        ),
        sa.PrimaryKeyConstraint("pcode", name=op.f("pk_place_boundaries")),
    )
    op.create_index(op.f("ix_place_boundaries_level"), "place_boundaries", ["level"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_place_boundaries_level"), table_name="place_boundaries")
    op.drop_table("place_boundaries")
