"""The advocacy log (environment building): issues raised with duty bearers, the areas whose risk
they address, and the actions taken with their responses.

The texts here are about authorities and policies, not about people: they are declared safe
(``safepath.advocacy.hooks.SAFE_TEXT``) and the forms say that no personal data belongs in them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safepath.store.models.base import Base, utcnow

TZDateTime = DateTime(timezone=True)


class AdvocacyIssue(Base):
    __tablename__ = "advocacy_issues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    duty_bearer: Mapped[str] = mapped_column(String(200))  # the authority, e.g. a ministry
    duty_bearer_level: Mapped[str] = mapped_column(String(20))  # catalogue duty_bearer_levels
    rights: Mapped[list[str]] = mapped_column(JSON, default=list)
    gpc_risks: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012

    areas: Mapped[list[AdvocacyArea]] = relationship(
        back_populates="issue", order_by="AdvocacyArea.pcode", cascade="all, delete-orphan"
    )
    actions: Mapped[list[AdvocacyAction]] = relationship(
        back_populates="issue",
        order_by="(AdvocacyAction.taken_on, AdvocacyAction.id)",
        cascade="all, delete-orphan",
    )


class AdvocacyArea(Base):
    __tablename__ = "advocacy_areas"

    issue_id: Mapped[int] = mapped_column(
        ForeignKey("advocacy_issues.id", ondelete="CASCADE"), primary_key=True
    )
    pcode: Mapped[str] = mapped_column(ForeignKey("places.pcode"), primary_key=True, index=True)

    issue: Mapped[AdvocacyIssue] = relationship(back_populates="areas")


class AdvocacyAction(Base):
    __tablename__ = "advocacy_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_id: Mapped[int] = mapped_column(
        ForeignKey("advocacy_issues.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))  # catalogue advocacy_actions
    taken_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(Text)
    response_on: Mapped[date | None] = mapped_column(Date)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    issue: Mapped[AdvocacyIssue] = relationship(back_populates="actions")
