"""households: a record grouping persons (per agency); the codes persons already carry become
households of their agency

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-01 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
# the lead re-chains this revision at merge
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_households_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_households_created_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
        sa.UniqueConstraint("organisation_id", "code", name="uq_households_org_code"),
    )
    op.create_index(
        op.f("ix_households_organisation_id"), "households", ["organisation_id"], unique=False
    )
    # Households that existed only as a code on persons become records of the persons' agency.
    op.execute(
        "INSERT INTO households (code, organisation_id, created_at) "
        "SELECT household_code, organisation_id, MIN(created_at) FROM persons "
        "WHERE household_code IS NOT NULL GROUP BY household_code, organisation_id"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_households_organisation_id"), table_name="households")
    op.drop_table("households")
