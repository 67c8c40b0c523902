"""Survey forms and rounds: the catalogue of XLSForm versions and of imported rounds.

The round's tables themselves are Parquet files in the data directory (``safepath.rounds``);
these rows say which snapshot of files is current, with the form version, counts and imports.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safepath.store.models.base import Base, utcnow


class SurveyForm(Base):
    """One stored version of an XLSForm: its checked definition tree (JSON) and its issues."""

    __tablename__ = "survey_forms"
    __table_args__ = (UniqueConstraint("form_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(500))
    languages: Mapped[list[str]] = mapped_column(JSON)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    issues: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(150))


class SurveyRound(Base):
    """A survey round: the current snapshot of its Parquet tables and their row counts."""

    __tablename__ = "survey_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    form_pk: Mapped[int] = mapped_column(ForeignKey("survey_forms.id"))
    storage: Mapped[str] = mapped_column(String(64), unique=True)  # directory under data_dir
    snapshot: Mapped[int] = mapped_column(Integer, default=0)  # current files: snapshot dir
    tables: Mapped[dict[str, int]] = mapped_column(JSON)  # table -> rows
    # column -> "encrypted" | "dropped": the personal columns and what was done with them
    personal: Mapped[dict[str, str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(150))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    form: Mapped[SurveyForm] = relationship(lazy="joined", innerjoin=True)
    imports: Mapped[list[SurveyImport]] = relationship(
        back_populates="round",
        cascade="all, delete-orphan",
        order_by="SurveyImport.id",
        passive_deletes=True,
    )


class SurveyImport(Base):
    """One import of an export into a round: counts and the problems found (personal values
    withheld)."""

    __tablename__ = "survey_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(150))
    tables: Mapped[dict[str, int]] = mapped_column(JSON)  # rows read per table
    added: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    problems_total: Mapped[int] = mapped_column(Integer)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # the first ones

    round: Mapped[SurveyRound] = relationship(back_populates="imports")
