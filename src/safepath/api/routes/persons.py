"""Persons registry: thin routes over ``safepath.privacy.persons`` (policy, audit, encryption)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response

from safepath.errors import PreconditionFailed, PreconditionRequired
from safepath.http.auth import requires
from safepath.http.db import DB
from safepath.http.params import CodeParam, Limit, NameParam, Offset
from safepath.http.responses import RECORD, RECORD_WRITE, SIGNED_IN, VERSIONED_WRITE, WRITE
from safepath.privacy import matching, persons
from safepath.privacy.actor import Actor
from safepath.privacy.consent import Purpose
from safepath.privacy.person_schema import ConsentIn, PersonIn, PersonPatch

router = APIRouter(prefix="/persons", tags=["persons"], responses=SIGNED_IN)


CanRead = Annotated[Actor, Depends(requires("person.read"))]
CanCreate = Annotated[Actor, Depends(requires("person.create"))]
CanUpdate = Annotated[Actor, Depends(requires("person.update"))]
CanExport = Annotated[Actor, Depends(requires("person.export"))]
CanErase = Annotated[Actor, Depends(requires("person.erase"))]
CanReadConsent = Annotated[Actor, Depends(requires("consent.read"))]
CanWriteConsent = Annotated[Actor, Depends(requires("consent.write"))]


def _version(if_match: str | None) -> int:
    if if_match is None:
        raise PreconditionRequired("send If-Match with the version you read (the ETag)")
    raw = if_match.strip().removeprefix("W/").strip('"')
    try:
        return int(raw)
    except ValueError:
        raise PreconditionFailed(
            f"If-Match {if_match!r} is not a version this API issued"
        ) from None


def _etag(response: Response, data: dict[str, Any]) -> None:
    if "version" in data:
        response.headers["ETag"] = f'"{data["version"]}"'


@router.post("", status_code=201, responses=WRITE)
def create_person(data: PersonIn, db: DB, response: Response, actor: CanCreate) -> dict[str, Any]:
    out = persons.create(db, actor, data)
    _etag(response, out)
    response.headers["Location"] = f"/api/v1/persons/{out['code']}"
    return out


@router.post("/matches", responses=WRITE)  # writes its audit events only
def match_persons(data: PersonIn, db: DB, actor: CanCreate) -> dict[str, Any]:
    """Likely duplicates of the person about to be registered, best first (nothing is saved)."""
    return {"matches": [m.as_dict() for m in matching.find(db, actor, data)]}


@router.get("")
def list_persons(
    db: DB,
    actor: CanRead,
    q: NameParam = None,
    household: CodeParam = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    return persons.search(db, actor, q, household=household, limit=limit, offset=offset)


@router.get("/{code}", responses=RECORD)
def get_person(code: str, db: DB, response: Response, actor: CanRead) -> dict[str, Any]:
    out = persons.get(db, actor, code)
    _etag(response, out)
    return out


@router.patch("/{code}", responses=VERSIONED_WRITE)
def patch_person(
    code: str,
    data: PersonPatch,
    db: DB,
    response: Response,
    actor: CanUpdate,
    if_match: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    out = persons.update(db, actor, code, data, _version(if_match))
    _etag(response, out)
    return out


@router.get("/{code}/export", responses=RECORD)
def export_person(code: str, db: DB, actor: CanExport) -> dict[str, Any]:
    return persons.export(db, actor, code)


@router.post("/{code}/erase", responses=RECORD_WRITE)
def erase_person(code: str, db: DB, actor: CanErase) -> dict[str, Any]:
    return persons.erase(db, actor, code)


@router.get("/{code}/consents", responses=RECORD)
def list_consents(code: str, db: DB, actor: CanReadConsent) -> list[dict[str, object]]:
    return persons.list_consents(db, actor, code)


@router.post("/{code}/consents", status_code=201, responses=RECORD_WRITE)
def give_consent(code: str, data: ConsentIn, db: DB, actor: CanWriteConsent) -> dict[str, object]:
    return persons.give_consent(db, actor, code, data)


@router.post("/{code}/consents/{purpose}/withdraw", responses=RECORD_WRITE)
def withdraw_consent(
    code: str, purpose: Purpose, db: DB, actor: CanWriteConsent
) -> dict[str, object]:
    return persons.withdraw_consent(db, actor, code, purpose)
