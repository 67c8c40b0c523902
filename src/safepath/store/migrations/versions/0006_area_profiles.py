"""area profiles: community and structural indicators per place and risk model

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 12:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "area_profiles",
        sa.Column("model_id", sa.String(length=60), nullable=False),
        sa.Column("pcode", sa.String(length=32), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pcode"], ["places.pcode"], name=op.f("fk_area_profiles_pcode_places")
        ),
        sa.PrimaryKeyConstraint("model_id", "pcode", name=op.f("pk_area_profiles")),
    )


def downgrade() -> None:
    op.drop_table("area_profiles")
