"""Complaints and feedback from affected people (accountability to affected populations).

A complaint is addressed by a random code; the person may quote it to follow up. What they said,
how to reach them, the answer and the feedback given at closure are personal free text, encrypted
per field. ``sensitive`` is copied from the category's catalogue flag when the complaint is taken
or recategorised, so every query can filter on it: a sensitive complaint (sexual exploitation and
abuse, fraud, staff misconduct) is visible to the PSEA focal point only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from safepath.store.encrypted import EncryptedText
from safepath.store.models.base import Base, utcnow

TZDateTime = DateTime(timezone=True)


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        # every list and report: the agency's complaints, sensitive ones apart, by status
        Index("ix_complaints_org_sensitive_status", "organisation_id", "sensitive", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    channel: Mapped[str] = mapped_column(String(30))  # catalogue complaint_channels
    category: Mapped[str] = mapped_column(String(40))  # catalogue complaint_categories
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    place_pcode: Mapped[str | None] = mapped_column(ForeignKey("places.pcode"), index=True)
    population_group: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(EncryptedText())  # None once erased
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    contact: Mapped[str | None] = mapped_column(EncryptedText())
    contact_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="received")
    received_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    acknowledge_due: Mapped[datetime] = mapped_column(TZDateTime)
    respond_due: Mapped[datetime] = mapped_column(TZDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    assigned_to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    responded_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    response: Mapped[str | None] = mapped_column(EncryptedText())
    closed_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    feedback_given: Mapped[str | None] = mapped_column(EncryptedText())
    # The case a complaint revealing a protection risk became (with the person's consent).
    case_code: Mapped[str | None] = mapped_column(String(20))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    anonymised_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012
