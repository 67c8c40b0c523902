"""The audit trail: an append-only, HMAC-chained event log (the privacy layer writes it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from safepath.store.models.base import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(Integer)  # no FK: events outlive users
    username: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(40))
    ip: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(20), index=True)
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str | None] = mapped_column(String(64))
    person_code: Mapped[str | None] = mapped_column(String(20), index=True)
    fields: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of field names
    # Written with the change it records (same transaction); chained right after the commit in a
    # short transaction of its own. Until then chain_seq, prev_hash and hash are NULL (pending).
    chain_seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    # A unique previous hash makes a fork impossible even if two chainers raced.
    prev_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    hash: Mapped[str | None] = mapped_column(String(64))
