"""case attachments: encrypted files on a case (content and file name encrypted)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_key", sa.String(length=32), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_attachments_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_user_id"],
            ["users.id"],
            name=op.f("fk_case_attachments_uploaded_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_attachments")),
        sa.UniqueConstraint("code", name=op.f("uq_case_attachments_code")),
    )
    op.create_index(
        op.f("ix_case_attachments_case_id"), "case_attachments", ["case_id"], unique=False
    )
    op.create_index(
        op.f("ix_case_attachments_content_key"),
        "case_attachments",
        ["content_key"],
        unique=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        # ciphertext does not compress: keep PostgreSQL from trying on every write
        op.execute("ALTER TABLE case_attachments ALTER COLUMN content SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.drop_index(op.f("ix_case_attachments_content_key"), table_name="case_attachments")
    op.drop_index(op.f("ix_case_attachments_case_id"), table_name="case_attachments")
    op.drop_table("case_attachments")
