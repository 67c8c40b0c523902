"""Projects, their interventions (tagged by roadmap pillar and programming type) and protection
mainstreaming self-assessments: a score per principle and project-cycle stage, with evidence, and
an action plan with owners and dates.

Project names, evidence and actions describe programmes, not people: declared safe text
(``safepath.mainstreaming.hooks.SAFE_TEXT``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safepath.store.models.base import Base, utcnow

TZDateTime = DateTime(timezone=True)


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("organisation_id", "code", name="uq_projects_org_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    programming_type: Mapped[str] = mapped_column(String(20))  # catalogue programming_types
    pillars: Mapped[list[str]] = mapped_column(JSON, default=list)  # catalogue roadmap_pillars
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    # edits name the version they are based on (If-Match), as for the other records
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012

    interventions: Mapped[list[ProjectIntervention]] = relationship(
        back_populates="project", order_by="ProjectIntervention.id", cascade="all, delete-orphan"
    )
    assessments: Mapped[list[MainstreamingAssessment]] = relationship(
        back_populates="project",
        order_by="(MainstreamingAssessment.assessed_on, MainstreamingAssessment.id)",
        cascade="all, delete-orphan",
    )


class ProjectIntervention(Base):
    """One activity line of a project, tagged like the project (its own pillars and type)."""

    __tablename__ = "project_interventions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    programming_type: Mapped[str] = mapped_column(String(20))
    pillars: Mapped[list[str]] = mapped_column(JSON, default=list)
    thematic_area: Mapped[str | None] = mapped_column(String(60))

    project: Mapped[Project] = relationship(back_populates="interventions")


class MainstreamingAssessment(Base):
    __tablename__ = "mainstreaming_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    assessed_on: Mapped[date] = mapped_column(Date)
    assessed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="assessments")
    scores: Mapped[list[MainstreamingScore]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )
    actions: Mapped[list[MainstreamingAction]] = relationship(
        back_populates="assessment",
        order_by="MainstreamingAction.id",
        cascade="all, delete-orphan",
    )


class MainstreamingScore(Base):
    """One cell of the checklist: a principle at a stage, scored 0 (not met) to 3 (fully met)."""

    __tablename__ = "mainstreaming_scores"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("mainstreaming_assessments.id", ondelete="CASCADE"), primary_key=True
    )
    principle: Mapped[str] = mapped_column(String(40), primary_key=True)
    stage: Mapped[str] = mapped_column(String(40), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[str | None] = mapped_column(Text)

    assessment: Mapped[MainstreamingAssessment] = relationship(back_populates="scores")


class MainstreamingAction(Base):
    __tablename__ = "mainstreaming_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("mainstreaming_assessments.id", ondelete="CASCADE"), index=True
    )
    principle: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open")

    assessment: Mapped[MainstreamingAssessment] = relationship(back_populates="actions")
