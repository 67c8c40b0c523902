"""``/users`` and ``/role-grants``: an admin creates users of their own agency; a role that reads
personal data may wait for a second admin's approval (``safepath.privacy.grants``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from safepath.http.auth import requires
from safepath.http.db import DB
from safepath.http.responses import RECORD_WRITE, SIGNED_IN, WRITE
from safepath.inputs import DB_INT_MAX, MAX_ITEMS, Code, text
from safepath.privacy import grants, identity
from safepath.privacy.actor import Actor, Role
from safepath.store.models import Organisation

router = APIRouter(tags=["users"], responses=SIGNED_IN)
Admin = Annotated[Actor, Depends(requires("users.manage"))]
GrantId = Annotated[int, Path(ge=1, le=DB_INT_MAX)]


class UserIn(BaseModel):
    """A new user of the admin's own agency (the identity service checks the username's shape
    and the password's strength, and answers 422 naming what is wrong)."""

    model_config = ConfigDict(extra="forbid")

    username: text(80, 1)  # type: ignore[valid-type]
    password: text(1000, 1)  # type: ignore[valid-type]
    role: Role = identity.LEAST_PRIVILEGED
    teams: Annotated[list[Code], Field(max_length=MAX_ITEMS)] = []


@router.post("/users", status_code=201, responses=WRITE)
def create_user(db: DB, actor: Admin, body: UserIn) -> JSONResponse:
    agency = identity.managed_agency(db, actor)
    user = identity.admin_add_user(
        db, actor, body.username, body.role, agency, body.password, body.teams
    )
    pending = grants.list_grants(db, actor, "pending") if user.disabled else []
    grant = next((g for g in pending if g.user_id == user.id), None)
    org = db.get(Organisation, user.organisation_id)
    out = {
        "username": user.username,
        "role": user.role,
        "agency": org.code if org else None,
        "teams": [t.code for t in user.teams],
        "status": "pending_approval" if grant is not None else "active",
        "grant": grants.grant_view(db, grant) if grant is not None else None,
    }
    db.commit()
    return JSONResponse(out, status_code=201)


@router.get("/role-grants")
def list_role_grants(
    db: DB, actor: Admin, status: Literal["pending", "approved", "rejected"] | None = None
) -> list[dict[str, Any]]:
    return [grants.grant_view(db, g) for g in grants.list_grants(db, actor, status)]


@router.post("/role-grants/{grant_id}/approval", responses=RECORD_WRITE)
def approve_role_grant(db: DB, actor: Admin, grant_id: GrantId) -> dict[str, Any]:
    return grants.grant_view(db, grants.approve(db, actor, grant_id))


@router.post("/role-grants/{grant_id}/rejection", responses=RECORD_WRITE)
def reject_role_grant(db: DB, actor: Admin, grant_id: GrantId) -> dict[str, Any]:
    return grants.grant_view(db, grants.reject(db, actor, grant_id))
