"""The administrative hierarchy: country (level 0) and adm1..adm4, keyed by P-code, and the
places' boundaries (outlines for maps)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from safepath.store.models.base import Base, utcnow


class Place(Base):
    __tablename__ = "places"
    __table_args__ = (CheckConstraint("level >= 0 AND level <= 4", name="level_range"),)

    pcode: Mapped[str] = mapped_column(String(32), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, index=True)
    country: Mapped[str] = mapped_column(String(3), index=True)
    parent_pcode: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("places.pcode"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date | None] = mapped_column(Date)
    # The dataset the place came from (a COD table, a DTM round...): an import from another
    # source never overwrites it unless told to, since two sources can give one P-code
    # different names and dates.
    source: Mapped[str] = mapped_column(String(120), default="unknown", server_default="unknown")


class PlaceBoundary(Base):
    """A place's outline from the operation's admin boundaries (COD-AB), for maps: a GeoJSON
    Polygon or MultiPolygon in longitude/latitude (WGS 84), with its bounding box."""

    __tablename__ = "place_boundaries"

    pcode: Mapped[str] = mapped_column(String(32), ForeignKey("places.pcode"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, index=True)
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
