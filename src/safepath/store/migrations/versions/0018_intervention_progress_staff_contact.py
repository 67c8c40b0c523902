"""intervention progress (status note, when, by whom); referral completion and revoke notes kept
beside the partner's answer; staff work contacts on users; the blind
index scheme each database's digests were built with (the article-aware skeleton is scheme 2)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_interventions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("progress_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("progress_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("progress_by_user_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_case_interventions_progress_by_user_id_users"),
            "users",
            ["progress_by_user_id"],
            ["id"],
        )
    with op.batch_alter_table("case_referrals", schema=None) as batch_op:
        # the partner's note on completion and the sender's on revoking, beside the answer's
        batch_op.add_column(sa.Column("completion_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("revoke_note", sa.Text(), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("work_phone", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("work_email", sa.String(length=200), nullable=True))
    op.create_table(
        "index_schemes",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_index_schemes")),
    )
    # Digests stored before this revision were built with scheme 1 (no article handling): the
    # re-index after the upgrade (``safepath db upgrade``, ``safepath keys reindex``) rebuilds
    # them and records the scheme it used. An empty database has nothing to rebuild.
    op.execute(
        "INSERT INTO index_schemes (name, version) "
        "SELECT 'person_names', 1 WHERE EXISTS (SELECT 1 FROM person_blind_index)"
    )


def downgrade() -> None:
    op.drop_table("index_schemes")
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch copy of ``users`` would drop the
    # table every other one refers to, which SQLite refuses while rows point at it.
    for table, column in (
        ("users", "work_email"),
        ("users", "work_phone"),
        ("case_referrals", "revoke_note"),
        ("case_referrals", "completion_note"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    with op.batch_alter_table("case_interventions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_case_interventions_progress_by_user_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("progress_by_user_id")
        batch_op.drop_column("progress_at")
        batch_op.drop_column("progress_note")
