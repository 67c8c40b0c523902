"""Protection cases and their history: assessments, plan interventions, referrals, follow-ups.

Internal integer ids never leave the system; cases and referrals are addressed by random codes.
Free text that may identify or describe a person (narratives, notes, reasons) is encrypted per
field with ``EncryptedText``. Rows that are edited concurrently carry a ``version`` that SQLAlchemy
checks on every UPDATE (a stale write raises instead of overwriting).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safepath.store.encrypted import EncryptedText
from safepath.store.models.base import Base, utcnow

TZDateTime = DateTime(timezone=True)
# The columns the case list sorts by (``cases.registry.SORTS``), each served by an index.
SORT_KEYS = ("created_at", "updated_at", "next_action_due", "phase", "status", "code")


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_caseworker_due", "caseworker_id", "next_action_due"),
        # The caseload list: agency + status + risk level, newest first (LIMIT without a sort);
        # the id ends every list index: it breaks ties and carries the keyset (store.keyset).
        Index("ix_cases_list", "organisation_id", "status", "risk_level", "updated_at", "id"),
        # Every sort order of the case list within the agency (the scope of internal roles);
        # ix_cases_org_status also serves the status filter.
        *(Index(f"ix_cases_org_{key}", "organisation_id", key, "id") for key in SORT_KEYS),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    person_code: Mapped[str] = mapped_column(String(20))  # pseudonymous, for views without PII
    # individual | household (a household case is registered on its head's person record)
    subject: Mapped[str] = mapped_column(String(12), default="individual")
    household_size: Mapped[int | None] = mapped_column(Integer)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default="registered", index=True)
    thematic_areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    gpc_risks: Mapped[list[str]] = mapped_column(JSON, default=list)
    population_group: Mapped[str | None] = mapped_column(String(40), index=True)
    place_pcode: Mapped[str | None] = mapped_column(ForeignKey("places.pcode"), index=True)
    narrative: Mapped[str | None] = mapped_column(EncryptedText())
    # Latest scored risk, denormalised for lists, filters and deadlines.
    risk_level: Mapped[str | None] = mapped_column(String(10), index=True)
    phase: Mapped[int | None] = mapped_column(Integer)
    next_action_due: Mapped[datetime | None] = mapped_column(TZDateTime, index=True)
    plan_status: Mapped[str] = mapped_column(String(12), default="none")  # none|draft|approved
    plan_approved_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    plan_approved_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    # Closure and outcome (baseline vs latest assessment).
    closure_reason: Mapped[str | None] = mapped_column(String(30))
    closure_note: Mapped[str | None] = mapped_column(EncryptedText())
    closure_requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closure_requested_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    closed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    reopened_count: Mapped[int] = mapped_column(Integer, default=0)
    baseline_phase: Mapped[int | None] = mapped_column(Integer)
    latest_phase: Mapped[int | None] = mapped_column(Integer)
    delta_threat: Mapped[float | None] = mapped_column(Float)
    delta_vulnerability: Mapped[float | None] = mapped_column(Float)
    delta_capacity: Mapped[float | None] = mapped_column(Float)
    delta_risk: Mapped[float | None] = mapped_column(Float)
    outcome_achieved: Mapped[bool | None] = mapped_column(Boolean)
    outcome_rule: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012

    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="case", order_by="Assessment.seq", cascade="all, delete-orphan"
    )
    interventions: Mapped[list[Intervention]] = relationship(
        back_populates="case", order_by="Intervention.id", cascade="all, delete-orphan"
    )
    referrals: Mapped[list[Referral]] = relationship(
        back_populates="case", order_by="Referral.id", cascade="all, delete-orphan"
    )
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="case", order_by="FollowUp.id", cascade="all, delete-orphan"
    )


class CaseThematicArea(Base):
    """The thematic areas of each case, one row per (case, area): the index the area filter of
    the case list reads (``cases.thematic_areas``, the JSON list, stays what views show). Written
    in the same transaction as the list by every writer (``cases.registry.index_areas``)."""

    __tablename__ = "case_thematic_areas"
    __table_args__ = (Index("ix_case_thematic_areas_area", "thematic_area", "case_id"),)

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    thematic_area: Mapped[str] = mapped_column(String(60), primary_key=True)


class Assessment(Base):
    """One scored screening: seq 1 is the baseline, later ones are reassessments."""

    __tablename__ = "case_assessments"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_case_assessments_case_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    # Answers can describe violence suffered: kept encrypted, as JSON text.
    answers: Mapped[str] = mapped_column(EncryptedText())
    place_pcode: Mapped[str | None] = mapped_column(String(32))
    threat: Mapped[float] = mapped_column(Float)
    vulnerability: Mapped[float] = mapped_column(Float)
    capacity: Mapped[float] = mapped_column(Float)
    risk: Mapped[float] = mapped_column(Float)
    phase: Mapped[int] = mapped_column(Integer)
    case_level: Mapped[str] = mapped_column(String(10))
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    model_id: Mapped[str] = mapped_column(String(60))
    model_version: Mapped[str] = mapped_column(String(20))
    # Which instrument (form + model pair, cases/instruments.yaml) produced it; None before 0004.
    instrument_id: Mapped[str | None] = mapped_column(String(60))
    form_id: Mapped[str | None] = mapped_column(String(60))
    assessed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assessed_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="assessments")


class Intervention(Base):
    """One line of the case plan."""

    __tablename__ = "case_interventions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    modality: Mapped[str] = mapped_column(String(30), index=True)  # catalogue modalities
    thematic_area: Mapped[str] = mapped_column(String(60))
    gpc_risks: Mapped[list[str]] = mapped_column(JSON, default=list)
    rights: Mapped[list[str]] = mapped_column(JSON, default=list)
    responsible_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    description: Mapped[str | None] = mapped_column(EncryptedText())
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="planned")
    # The last progress recorded on it (cases.interventions): a note, when and by whom (0018).
    progress_note: Mapped[str | None] = mapped_column(EncryptedText())
    progress_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    progress_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="interventions")


class Referral(Base):
    """A referral of a case to a directory service; the partner sees only ``shared_fields``."""

    __tablename__ = "case_referrals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    to_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    shared_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="sent", index=True)
    reason: Mapped[str | None] = mapped_column(EncryptedText())
    urgency: Mapped[str | None] = mapped_column(String(10))
    consent_override_reason: Mapped[str | None] = mapped_column(EncryptedText())
    response_note: Mapped[str | None] = mapped_column(EncryptedText())  # accept / decline
    completion_note: Mapped[str | None] = mapped_column(EncryptedText())  # service delivered (0018)
    revoke_note: Mapped[str | None] = mapped_column(EncryptedText())  # the sender's (0018)
    sent_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    responded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012

    case: Mapped[Case] = relationship(back_populates="referrals")


class FollowUp(Base):
    __tablename__ = "case_follow_ups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="visit")  # visit|call|review|other
    note: Mapped[str | None] = mapped_column(EncryptedText())
    next_due: Mapped[date | None] = mapped_column(Date)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="follow_ups")
