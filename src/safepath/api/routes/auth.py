"""Bearer tokens (OAuth2 password flow): issue, revoke, and who am I."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request

from safepath.errors import NotAuthenticated, TooManyRequests
from safepath.http.auth import CurrentActor, client_ip, oauth2
from safepath.http.db import DB
from safepath.http.responses import ANY_ROLE, SIGN_IN, WRITE, merged
from safepath.privacy import identity
from safepath.store.models import Organisation

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", responses=SIGN_IN)
def token(
    request: Request,
    db: DB,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=1000)],
) -> dict[str, Any]:
    try:
        user = identity.authenticate(db, username, password, client_ip(request))
    except (NotAuthenticated, TooManyRequests):
        db.commit()  # keep the failure count (and its audit event) although we answer an error
        raise
    issued = identity.issue_token(db, user)
    return {"access_token": issued.token, "token_type": "bearer", "expires_in": issued.expires_in}


@router.post("/revoke", responses=merged(ANY_ROLE, WRITE))
def revoke(
    actor: CurrentActor, db: DB, token: Annotated[str | None, Depends(oauth2)]
) -> dict[str, Any]:
    """Revoke the token this request carries (log out of the API)."""
    revoked = identity.revoke_token(db, token or "")
    return {"revoked": revoked}


@router.get("/me", responses=ANY_ROLE)
def me(actor: CurrentActor, db: DB) -> dict[str, Any]:
    org = db.get(Organisation, actor.agency_id)
    return {
        "username": actor.username,
        "role": actor.role.value,
        "agency": org.code if org else None,
        "language": actor.language,
    }
