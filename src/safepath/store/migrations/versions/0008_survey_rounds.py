"""survey rounds: stored XLSForm versions, rounds (Parquet snapshots) and their imports

Revision ID: 0008
Revises: 0011
Create Date: 2026-12-01 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("issues", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=150), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_forms")),
        sa.UniqueConstraint("form_id", "version", name=op.f("uq_survey_forms_form_id")),
    )
    op.create_table(
        "survey_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("form_pk", sa.Integer(), nullable=False),
        sa.Column("storage", sa.String(length=64), nullable=False),
        sa.Column("snapshot", sa.Integer(), nullable=False),
        sa.Column("tables", sa.JSON(), nullable=False),
        sa.Column("personal", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=150), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_pk"], ["survey_forms.id"], name=op.f("fk_survey_rounds_form_pk_survey_forms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_rounds")),
        sa.UniqueConstraint("name", name=op.f("uq_survey_rounds_name")),
        sa.UniqueConstraint("storage", name=op.f("uq_survey_rounds_storage")),
    )
    op.create_table(
        "survey_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=150), nullable=False),
        sa.Column("tables", sa.JSON(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("problems_total", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["survey_rounds.id"],
            name=op.f("fk_survey_imports_round_id_survey_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_imports")),
    )


def downgrade() -> None:
    op.drop_table("survey_imports")
    op.drop_table("survey_rounds")
    op.drop_table("survey_forms")
