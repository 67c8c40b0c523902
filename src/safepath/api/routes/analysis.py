"""``/analysis``: trends between two stored survey rounds and early-warning alerts, for the
analysts (``safepath.rounds.access``), as ``safepath analysis trends|alerts --round``; the
figures are ``safepath.rounds.trends``'s."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from safepath.api.routes.case_common import Who
from safepath.http.db import DB
from safepath.http.responses import RECORD, SIGNED_IN
from safepath.privacy.actor import Actor
from safepath.rounds.access import require_rounds
from safepath.rounds.trends import TrendQuery, stored_alerts, stored_trends

router = APIRouter(tags=["analysis"], responses=SIGNED_IN)
NAME = r"^[A-Za-z0-9_.-]{1,100}$"


def _analyst(actor: Who) -> Actor:
    require_rounds(actor)
    return actor


Analyst = Annotated[Actor, Depends(_analyst)]
Column = Annotated[str | None, Query(pattern=NAME, description="a column of the round")]


Since = Annotated[
    str | None,
    Query(pattern=NAME, description="the earlier round (default: the one stored before)"),
]
ModelName = Annotated[
    str | None,
    Query(pattern=NAME, description="a shipped risk model (default: the one for the form)"),
]
By = Annotated[
    str | None,
    Query(pattern=r"^[a-z0-9_,]{1,100}$", description="model places and dimensions: adm1,sex"),
]
PhaseQ = Annotated[int | None, Query(ge=1, le=5, description="in need at phase >= this")]
Rules = Annotated[str | None, Query(pattern=NAME, description="a shipped severity rule set")]
Level = Annotated[float, Query(gt=0, lt=1, description="confidence level of the intervals")]


@router.get("/analysis/rounds/{round_name}/trends", responses=RECORD)
def trends(
    db: DB,
    actor: Analyst,
    round_name: str,
    since: Since = None,
    model: ModelName = None,
    by: By = None,
    strata: Column = None,
    cluster: Column = None,
    weight: Column = None,
    phase: PhaseQ = None,
    rules: Rules = None,
    level: Level = 0.95,
) -> list[dict[str, Any]]:
    """The change per area and group from the earlier round to this one (as `safepath analysis
    trends`): shares at phase >= p with the change's interval and significance, PiN in weighted
    records, and the area phase under the named, cited severity rule."""
    query = TrendQuery(round_name, since, model, by, strata, cluster, weight, phase, rules, level)
    return stored_trends(db, query)


@router.get("/analysis/rounds/{round_name}/alerts", responses=RECORD)
def round_alerts(
    db: DB,
    actor: Analyst,
    round_name: str,
    since: Since = None,
    model: ModelName = None,
    by: By = "adm1",
    strata: Column = None,
    cluster: Column = None,
    weight: Column = None,
    phase: PhaseQ = None,
    rules: Rules = None,
    level: Level = 0.95,
    phase_rise: Annotated[int | None, Query(ge=1, le=4)] = None,
    pin_rise: Annotated[float | None, Query(ge=0, le=1000)] = None,
) -> list[dict[str, Any]]:
    """Early warning (as `safepath analysis alerts`): the areas whose phase rose by
    ``phase_rise`` or more, or whose PiN rose by more than ``pin_rise`` (defaults: settings)."""
    query = TrendQuery(round_name, since, model, by, strata, cluster, weight, phase, rules, level)
    return stored_alerts(db, query, phase_rise=phase_rise, pin_rise=pin_rise)
