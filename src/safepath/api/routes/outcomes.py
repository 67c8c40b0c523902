"""``/outcomes``: the protection outcomes report, small cells suppressed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from safepath.api.routes.case_common import Who
from safepath.cases import outcomes
from safepath.http.db import DB
from safepath.http.responses import SIGNED_IN

router = APIRouter(tags=["outcomes"], responses=SIGNED_IN)


@router.get("/outcomes")
def outcomes_report(
    db: DB,
    actor: Who,
    by: Annotated[
        str, Query(max_length=200, description="comma-separated: " + ", ".join(outcomes.DIMENSIONS))
    ] = "modality",
) -> list[dict[str, Any]]:
    return outcomes.report(db, actor, by)
