"""The operation's area profiles: community and structural indicators per place and risk model
(key-informant surveys, context data), joined to people by P-code when they are assessed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint
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


class AreaPhase(Base):
    """One area's classification by a protection analysis (``safepath risk areas --save``): the
    area phase (the risk model's area rule over a survey round's weighted records), with the
    weighted population, people in need and records behind it. Saving the same model and source
    again replaces its rows; an area's latest phase is its most recent classification."""

    __tablename__ = "area_phases"
    __table_args__ = (
        UniqueConstraint("model_id", "source", "pcode", name="uq_area_phases_model_source_pcode"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pcode: Mapped[str] = mapped_column(String(32), ForeignKey("places.pcode"), index=True)
    model_id: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(200))  # the round or file classified
    phase: Mapped[int] = mapped_column(Integer)
    population: Mapped[float] = mapped_column(Float)
    pin: Mapped[float | None] = mapped_column(Float)
    records: Mapped[int] = mapped_column(Integer)
    classified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
