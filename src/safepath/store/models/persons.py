"""Persons (the first personal data), their consents and the blind index used to search them.

Only the store and privacy layers may import this module: every other layer reads and writes
persons through the privacy layer's ``persons`` service, which applies policy, audit and indexes
(``tests/privacy/test_architecture.py`` keeps it so).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safepath.store.encrypted import EncryptedText
from safepath.store.models.base import Base, utcnow

# Personal identifiers and free text: encrypted per field, never stored in clear.
ENCRYPTED_PERSON_FIELDS = (
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "phone",
    "documents",
    "address",
    "notes",
)


class Person(Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # internal only, never exposed
    code: Mapped[str] = mapped_column(String(20), unique=True)  # pseudonymous, random
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)

    given_name: Mapped[str | None] = mapped_column(EncryptedText())
    family_name: Mapped[str | None] = mapped_column(EncryptedText())
    other_names: Mapped[str | None] = mapped_column(EncryptedText())
    date_of_birth: Mapped[str | None] = mapped_column(EncryptedText())  # ISO date
    phone: Mapped[str | None] = mapped_column(EncryptedText())
    documents: Mapped[str | None] = mapped_column(EncryptedText())  # JSON [{type, number}]
    address: Mapped[str | None] = mapped_column(EncryptedText())
    notes: Mapped[str | None] = mapped_column(EncryptedText())

    # Not identifying on their own: kept in clear for filtering and analysis.
    sex: Mapped[str | None] = mapped_column(String(30))  # catalogue sex_gender
    age: Mapped[int | None] = mapped_column(Integer)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    nationality: Mapped[str | None] = mapped_column(String(3))  # ISO 3166-1 alpha-3
    languages: Mapped[str | None] = mapped_column(String(200))  # JSON list of codes
    place_pcode: Mapped[str | None] = mapped_column(ForeignKey("places.pcode"), index=True)
    population_group: Mapped[str | None] = mapped_column(String(40))  # catalogue
    washington_group: Mapped[str | None] = mapped_column(String(400))  # JSON domain -> answer
    household_code: Mapped[str | None] = mapped_column(String(40), index=True)

    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    consents: Mapped[list[Consent]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Consent.id"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (CheckConstraint("age IS NULL OR (age >= 0 AND age < 130)", name="age"),)


class Consent(Base):
    __tablename__ = "consents"
    __table_args__ = (
        CheckConstraint(
            "purpose IN ('case_management', 'referral_sharing', 'analysis')", name="purpose"
        ),
        CheckConstraint("given_by IN ('person', 'guardian')", name="given_by"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(30))  # catalogue consent_purposes
    given_by: Mapped[str] = mapped_column(String(10))  # person | guardian
    child_assent: Mapped[bool | None] = mapped_column(Boolean)
    recorded_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    given_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    person: Mapped[Person] = relationship(back_populates="consents")


class BlindIndex(Base):
    """Keyed hashes of normalised name tokens and phone suffixes: search without plaintext."""

    __tablename__ = "person_blind_index"
    __table_args__ = (Index("ix_person_blind_index_lookup", "kind", "digest"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # name | namevar | phone
    digest: Mapped[str] = mapped_column(String(32))


class IndexScheme(Base):
    """Which normalisation scheme built the stored blind-index digests (``privacy.reindex``): a
    scheme change rebuilds them once, and the version says it was done."""

    __tablename__ = "index_schemes"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
