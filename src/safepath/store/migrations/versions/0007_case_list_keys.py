"""case list at scale: case_thematic_areas (the area filter's index, backfilled from the JSON
lists) and one index per sort order of the case list, each ending in the id (keyset pagination)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SORT_KEYS = ("created_at", "updated_at", "next_action_due", "phase", "status", "code")

# Each distinct area of each case's JSON list (a list of strings; anything else is skipped).
BACKFILL = {
    "sqlite": """
        INSERT INTO case_thematic_areas (case_id, thematic_area)
        SELECT DISTINCT cases.id, j.value
        FROM cases, json_each(cases.thematic_areas) AS j
        WHERE json_valid(cases.thematic_areas) AND json_type(cases.thematic_areas) = 'array'
          AND j.type = 'text'
    """,
    "postgresql": """
        INSERT INTO case_thematic_areas (case_id, thematic_area)
        SELECT DISTINCT c.id, a.value
        FROM cases AS c
        CROSS JOIN LATERAL json_array_elements_text(
            CASE WHEN json_typeof(c.thematic_areas) = 'array' THEN c.thematic_areas
                 ELSE '[]'::json END
        ) AS a(value)
    """,
}


def upgrade() -> None:
    op.create_table(
        "case_thematic_areas",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("thematic_area", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_thematic_areas_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "thematic_area", name=op.f("pk_case_thematic_areas")),
    )
    op.create_index(
        "ix_case_thematic_areas_area", "case_thematic_areas", ["thematic_area", "case_id"]
    )
    dialect = op.get_bind().dialect.name
    if dialect not in BACKFILL:
        raise RuntimeError(f"no backfill of case_thematic_areas for {dialect}")
    op.execute(BACKFILL[dialect])
    # The list indexes end in the id: ties are broken by it and the keyset names it.
    op.drop_index("ix_cases_list", table_name="cases")
    op.create_index(
        "ix_cases_list", "cases", ["organisation_id", "status", "risk_level", "updated_at", "id"]
    )
    op.drop_index("ix_cases_org_status", table_name="cases")
    for key in SORT_KEYS:
        op.create_index(f"ix_cases_org_{key}", "cases", ["organisation_id", key, "id"])


def downgrade() -> None:
    for key in SORT_KEYS:
        op.drop_index(f"ix_cases_org_{key}", table_name="cases")
    op.create_index("ix_cases_org_status", "cases", ["organisation_id", "status"])
    op.drop_index("ix_cases_list", table_name="cases")
    op.create_index(
        "ix_cases_list", "cases", ["organisation_id", "status", "risk_level", "updated_at"]
    )
    op.drop_index("ix_case_thematic_areas_area", table_name="case_thematic_areas")
    op.drop_table("case_thematic_areas")
