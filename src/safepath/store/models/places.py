"""The administrative hierarchy: country (level 0) and adm1..adm4, keyed by P-code."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from safepath.store.models.base import Base


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
