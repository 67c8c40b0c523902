"""Directory rules: codes are stable keys (re-runs update, never duplicate); thematic areas and
place codes must exist."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from safepath.errors import NotFound, ValidationFailed
from safepath.framework import catalogue
from safepath.store.models import Organisation, Place, Service, ServiceCoverage

CODE = r"^[a-z0-9][a-z0-9_-]*$"


class OrganisationIn(BaseModel):
    code: str = Field(pattern=CODE, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["agency", "partner"] = "agency"
    country: str | None = Field(default=None, min_length=3, max_length=3)


class ServiceIn(BaseModel):
    code: str = Field(pattern=CODE, max_length=60)
    name: str = Field(min_length=1, max_length=200)
    thematic_area: str
    contact: str | None = None
    eligibility: str | None = None
    places: list[str] = Field(default_factory=list)


def upsert_organisation(session: Session, data: OrganisationIn) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.code == data.code))
    if org is None:
        org = Organisation(code=data.code)
        session.add(org)
    org.name, org.kind, org.country = data.name, data.kind, data.country
    session.flush()
    return org


def upsert_service(session: Session, organisation_code: str, data: ServiceIn) -> Service:
    org = session.scalar(select(Organisation).where(Organisation.code == organisation_code))
    if org is None:
        raise NotFound(f"organisation {organisation_code!r} does not exist")
    if not catalogue().has("thematic_areas", data.thematic_area):
        raise ValidationFailed(f"thematic area {data.thematic_area!r} is not in the catalogue")
    known = set(session.scalars(select(Place.pcode).where(Place.pcode.in_(data.places))))
    unknown = sorted(set(data.places) - known)
    if unknown:
        raise ValidationFailed(f"unknown place code(s): {', '.join(unknown)}")
    svc = session.scalar(
        select(Service).where(Service.organisation_id == org.id, Service.code == data.code)
    )
    if svc is None:
        svc = Service(organisation_id=org.id, code=data.code)
        session.add(svc)
    svc.name, svc.thematic_area = data.name, data.thematic_area
    svc.contact, svc.eligibility = data.contact, data.eligibility
    svc.coverage = [ServiceCoverage(pcode=p) for p in sorted(set(data.places))]
    session.flush()
    return svc


def list_organisations(session: Session, kind: str | None = None) -> list[Organisation]:
    stmt = (
        select(Organisation)
        .options(selectinload(Organisation.services))
        .order_by(Organisation.code)
    )
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    return list(session.scalars(stmt))


def services_of(session: Session, organisation_code: str) -> list[Service]:
    """One organisation's services with their places, by code (the admin's directory page)."""
    return list(
        session.scalars(
            select(Service)
            .join(Organisation)
            .where(Organisation.code == organisation_code)
            .options(selectinload(Service.coverage), selectinload(Service.organisation))
            .order_by(Service.code)
        )
    )


def find_services(
    session: Session, *, thematic_area: str | None = None, pcode: str | None = None
) -> list[Service]:
    """Services by thematic area, covering a place or any of its ancestors."""
    stmt = (
        select(Service)
        .options(selectinload(Service.coverage), selectinload(Service.organisation))
        .order_by(Service.id)
    )
    if thematic_area:
        stmt = stmt.where(Service.thematic_area == thematic_area)
    if pcode:
        chain = _ancestors(session, pcode)
        stmt = stmt.where(Service.coverage.any(ServiceCoverage.pcode.in_(chain)))
    return list(session.scalars(stmt))


def _ancestors(session: Session, pcode: str) -> list[str]:
    chain: list[str] = []
    current: str | None = pcode
    while current is not None and len(chain) < 6:
        chain.append(current)
        current = session.scalar(select(Place.parent_pcode).where(Place.pcode == current))
    return chain
