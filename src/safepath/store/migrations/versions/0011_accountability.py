"""accountability: complaints and feedback, the advocacy log, projects and mainstreaming
self-assessments

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
# 0007-0009 are written on other branches: the lead re-chains this revision at merge.
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("programming_type", sa.String(length=20), nullable=False),
        sa.Column("pillars", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_projects_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("organisation_id", "code", name="uq_projects_org_code"),
    )
    op.create_index(
        op.f("ix_projects_organisation_id"), "projects", ["organisation_id"], unique=False
    )
    op.create_table(
        "advocacy_issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("duty_bearer", sa.String(length=200), nullable=False),
        sa.Column("duty_bearer_level", sa.String(length=20), nullable=False),
        sa.Column("rights", sa.JSON(), nullable=False),
        sa.Column("gpc_risks", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_advocacy_issues_created_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_advocacy_issues_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advocacy_issues")),
        sa.UniqueConstraint("code", name=op.f("uq_advocacy_issues_code")),
    )
    op.create_index(
        op.f("ix_advocacy_issues_organisation_id"),
        "advocacy_issues",
        ["organisation_id"],
        unique=False,
    )
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("place_pcode", sa.String(length=32), nullable=True),
        sa.Column("population_group", sa.String(length=40), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=True),
        sa.Column("contact_consent", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledge_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("respond_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assigned_to_user_id", sa.Integer(), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("feedback_given", sa.Text(), nullable=True),
        sa.Column("case_code", sa.String(length=20), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_to_user_id"],
            ["users.id"],
            name=op.f("fk_complaints_assigned_to_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_complaints_created_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_complaints_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["place_pcode"], ["places.pcode"], name=op.f("fk_complaints_place_pcode_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("code", name=op.f("uq_complaints_code")),
    )
    op.create_index(
        "ix_complaints_org_sensitive_status",
        "complaints",
        ["organisation_id", "sensitive", "status"],
        unique=False,
    )
    op.create_index(op.f("ix_complaints_place_pcode"), "complaints", ["place_pcode"], unique=False)
    op.create_table(
        "mainstreaming_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("assessed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessed_by_user_id"],
            ["users.id"],
            name=op.f("fk_mainstreaming_assessments_assessed_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_mainstreaming_assessments_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mainstreaming_assessments")),
        sa.UniqueConstraint("code", name=op.f("uq_mainstreaming_assessments_code")),
    )
    op.create_index(
        op.f("ix_mainstreaming_assessments_project_id"),
        "mainstreaming_assessments",
        ["project_id"],
        unique=False,
    )
    op.create_table(
        "project_interventions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("programming_type", sa.String(length=20), nullable=False),
        sa.Column("pillars", sa.JSON(), nullable=False),
        sa.Column("thematic_area", sa.String(length=60), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_interventions_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_interventions")),
    )
    op.create_index(
        op.f("ix_project_interventions_project_id"),
        "project_interventions",
        ["project_id"],
        unique=False,
    )
    op.create_table(
        "advocacy_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("response_on", sa.Date(), nullable=True),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_advocacy_actions_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["issue_id"],
            ["advocacy_issues.id"],
            name=op.f("fk_advocacy_actions_issue_id_advocacy_issues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advocacy_actions")),
    )
    op.create_index(
        op.f("ix_advocacy_actions_issue_id"), "advocacy_actions", ["issue_id"], unique=False
    )
    op.create_table(
        "advocacy_areas",
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("pcode", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["issue_id"],
            ["advocacy_issues.id"],
            name=op.f("fk_advocacy_areas_issue_id_advocacy_issues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pcode"], ["places.pcode"], name=op.f("fk_advocacy_areas_pcode_places")
        ),
        sa.PrimaryKeyConstraint("issue_id", "pcode", name=op.f("pk_advocacy_areas")),
    )
    op.create_index(op.f("ix_advocacy_areas_pcode"), "advocacy_areas", ["pcode"], unique=False)
    op.create_table(
        "mainstreaming_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("principle", sa.String(length=40), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["mainstreaming_assessments.id"],
            name=op.f("fk_mainstreaming_actions_assessment_id_mainstreaming_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mainstreaming_actions")),
    )
    op.create_index(
        op.f("ix_mainstreaming_actions_assessment_id"),
        "mainstreaming_actions",
        ["assessment_id"],
        unique=False,
    )
    op.create_table(
        "mainstreaming_scores",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("principle", sa.String(length=40), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["mainstreaming_assessments.id"],
            name=op.f("fk_mainstreaming_scores_assessment_id_mainstreaming_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "assessment_id", "principle", "stage", name=op.f("pk_mainstreaming_scores")
        ),
    )


def downgrade() -> None:
    op.drop_table("mainstreaming_scores")
    op.drop_index(
        op.f("ix_mainstreaming_actions_assessment_id"), table_name="mainstreaming_actions"
    )
    op.drop_table("mainstreaming_actions")
    op.drop_index(op.f("ix_advocacy_areas_pcode"), table_name="advocacy_areas")
    op.drop_table("advocacy_areas")
    op.drop_index(op.f("ix_advocacy_actions_issue_id"), table_name="advocacy_actions")
    op.drop_table("advocacy_actions")
    op.drop_index(op.f("ix_project_interventions_project_id"), table_name="project_interventions")
    op.drop_table("project_interventions")
    op.drop_index(
        op.f("ix_mainstreaming_assessments_project_id"), table_name="mainstreaming_assessments"
    )
    op.drop_table("mainstreaming_assessments")
    op.drop_index(op.f("ix_complaints_place_pcode"), table_name="complaints")
    op.drop_index("ix_complaints_org_sensitive_status", table_name="complaints")
    op.drop_table("complaints")
    op.drop_index(op.f("ix_advocacy_issues_organisation_id"), table_name="advocacy_issues")
    op.drop_table("advocacy_issues")
    op.drop_index(op.f("ix_projects_organisation_id"), table_name="projects")
    op.drop_table("projects")
