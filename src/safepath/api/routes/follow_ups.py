"""``/cases/{code}/follow-ups``: dated contacts with encrypted notes and the next due date."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from safepath.api.routes.case_common import IfMatch, Who, done, versioned
from safepath.cases import followups
from safepath.cases.schemas import FollowUpIn
from safepath.http.db import DB
from safepath.http.responses import RECORD, SIGNED_IN, VERSIONED_WRITE

router = APIRouter(prefix="/cases", tags=["follow-ups"], responses=SIGNED_IN)


@router.get("/{code}/follow-ups", responses=RECORD)
def list_follow_ups(db: DB, actor: Who, code: str) -> list[dict[str, Any]]:
    _, rows = followups.list_follow_ups(db, actor, code)
    out = [followups.follow_up_view(db, f) for f in rows]
    done(db)
    return out


@router.post("/{code}/follow-ups", status_code=201, responses=VERSIONED_WRITE)
def add_follow_up(
    db: DB, actor: Who, code: str, body: FollowUpIn, version: IfMatch
) -> JSONResponse:
    f = followups.record_follow_up(db, actor, code, body, version)
    view = followups.follow_up_view(db, f, by=actor.username)
    return versioned(db, view, f.case.version, 201)
