"""Organisations (agencies and partners) and the services they offer: the basis for referrals."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safepath.store.models.base import Base


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # agency: runs case management in Safepath; partner: receives referrals.
    kind: Mapped[str] = mapped_column(String(20), default="agency")
    country: Mapped[str | None] = mapped_column(String(3))

    services: Mapped[list[Service]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Service.code"
    )


class Service(Base):
    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("organisation_id", "code", name="uq_services_org_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    thematic_area: Mapped[str] = mapped_column(String(60), index=True)  # catalogue thematic_areas
    contact: Mapped[str | None] = mapped_column(Text)
    eligibility: Mapped[str | None] = mapped_column(Text)

    organisation: Mapped[Organisation] = relationship(back_populates="services")
    coverage: Mapped[list[ServiceCoverage]] = relationship(
        cascade="all, delete-orphan", order_by="ServiceCoverage.pcode"
    )


class ServiceCoverage(Base):
    __tablename__ = "service_coverage"

    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    pcode: Mapped[str] = mapped_column(ForeignKey("places.pcode"), primary_key=True)
