"""Households: a record grouping persons (each person names theirs by ``household_code``), kept
per agency so that no household code is shared across agencies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from safepath.store.models.base import Base, utcnow


class Household(Base):
    __tablename__ = "households"
    __table_args__ = (UniqueConstraint("organisation_id", "code", name="uq_households_org_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40))  # pseudonymous: says nothing of its members
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
