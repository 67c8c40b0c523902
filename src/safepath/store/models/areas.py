"""The operation's area profiles: community and structural indicators per place and risk model
(key-informant surveys, context data), joined to people by P-code when they are assessed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from safepath.store.models.base import Base, utcnow


class AreaProfileRow(Base):
    __tablename__ = "area_profiles"

    model_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    pcode: Mapped[str] = mapped_column(String(32), ForeignKey("places.pcode"), primary_key=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
