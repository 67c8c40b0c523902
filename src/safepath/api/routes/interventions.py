"""``/cases/{code}/interventions/{number}/progress``: mark one intervention of the plan in
progress, done or cancelled, with a note. The version is the case's (If-Match): 428 without it,
412 when stale; the answer is the plan with the case's new version as ETag."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from safepath.api.routes.case_common import IfMatch, Who, versioned
from safepath.cases import interventions, plans
from safepath.cases.schemas import InterventionProgressIn
from safepath.http.db import DB
from safepath.http.responses import SIGNED_IN, VERSIONED_WRITE
from safepath.inputs import MAX_INTERVENTIONS

router = APIRouter(prefix="/cases", tags=["cases"], responses=SIGNED_IN)

Number = Annotated[int, Path(ge=1, le=MAX_INTERVENTIONS, description="its number in the plan")]


@router.post("/{code}/interventions/{number}/progress", responses=VERSIONED_WRITE)
def record_progress(
    db: DB, actor: Who, code: str, number: Number, body: InterventionProgressIn, version: IfMatch
) -> JSONResponse:
    case = interventions.record_progress(db, actor, code, number, body, version)
    return versioned(db, plans.plan_view(db, case), case.version)
