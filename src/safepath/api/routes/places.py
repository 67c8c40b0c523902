"""Places (P-code hierarchy) and the services directory, read-only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, select

from safepath.directory import find_services, list_organisations
from safepath.errors import NotFound
from safepath.http.auth import current_actor
from safepath.http.db import DB
from safepath.http.params import Limit, Offset
from safepath.http.responses import ANY_ROLE, RECORD
from safepath.store.models import Place

# Directory data is not personal, but it is operational: signed-in users only.
router = APIRouter(tags=["places"], dependencies=[Depends(current_actor)], responses=ANY_ROLE)


def _place(p: Place) -> dict[str, Any]:
    return {
        "pcode": p.pcode,
        "level": p.level,
        "country": p.country,
        "parent": p.parent_pcode,
        "name": p.name,
        "valid_from": p.valid_from.isoformat() if p.valid_from else None,
    }


@router.get("/places")
def list_places(
    db: DB,
    country: str | None = None,
    level: Annotated[int | None, Query(ge=0, le=4)] = None,
    parent: str | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    stmt = select(Place)
    if country:
        stmt = stmt.where(Place.country == country.upper())
    if level is not None:
        stmt = stmt.where(Place.level == level)
    if parent:
        stmt = stmt.where(Place.parent_pcode == parent)
    if q:
        stmt = stmt.where(func.lower(Place.name).contains(q.lower()))
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.scalars(stmt.order_by(Place.pcode).limit(limit).offset(offset))
    return {"total": total, "items": [_place(p) for p in rows]}


@router.get("/places/{pcode}", responses=RECORD)
def get_place(db: DB, pcode: str) -> dict[str, Any]:
    place = db.get(Place, pcode)
    if place is None:
        raise NotFound(f"place {pcode!r} not found")
    return _place(place)


@router.get("/organisations")
def organisations(db: DB, kind: str | None = None) -> list[dict[str, Any]]:
    return [
        {
            "code": o.code,
            "name": o.name,
            "kind": o.kind,
            "country": o.country,
            "services": [s.code for s in o.services],
        }
        for o in list_organisations(db, kind)
    ]


@router.get("/services")
def services(
    db: DB, thematic_area: str | None = None, pcode: str | None = None
) -> list[dict[str, Any]]:
    return [
        {
            "id": s.id,
            "code": s.code,
            "name": s.name,
            "organisation": s.organisation.code,
            "thematic_area": s.thematic_area,
            "contact": s.contact,
            "eligibility": s.eligibility,
            "places": [c.pcode for c in s.coverage],
        }
        for s in find_services(db, thematic_area=thematic_area, pcode=pcode)
    ]
