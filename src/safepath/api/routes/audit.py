"""The audit trail, for the data-protection focal point and auditors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from safepath.feedback.access import SENSITIVE_RECORD_TYPE
from safepath.http.auth import requires
from safepath.http.db import DB
from safepath.http.params import CodeParam, Limit, Offset
from safepath.http.responses import SIGNED_IN
from safepath.privacy import audit
from safepath.privacy.actor import Actor, Role

router = APIRouter(prefix="/audit", tags=["audit"], responses=SIGNED_IN)


@router.get("/events")
def events(
    db: DB,
    actor: Annotated[Actor, Depends(requires("audit.read"))],
    person: CodeParam = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    # Auditors oversee everything; a data-protection focal point oversees their agency.
    agency = None if actor.role is Role.auditor else actor.agency_id
    found = audit.events(db, person_code=person, limit=limit, offset=offset, agency_id=agency)
    # Events about sensitive complaints are the PSEA focal point's alone: not even their number
    # is shown here (the chain and ``verify`` still cover them).
    return [audit.as_dict(e) for e in found if e.record_type != SENSITIVE_RECORD_TYPE]


@router.get("/verify")
def verify(db: DB, actor: Annotated[Actor, Depends(requires("audit.verify"))]) -> dict[str, Any]:
    result = audit.verify(db)
    return {
        "ok": result.ok,
        "checked": result.checked,
        "broken_id": result.broken_id,
        "reason": result.reason,
        "pending": result.pending,
    }
