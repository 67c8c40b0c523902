"""``/analysis``: trends between two stored survey rounds and early-warning alerts, for the
analysts (``safepath.rounds.access``), as ``safepath analysis trends|alerts --round``.

Only shipped models and their shipped severity rules are named (never a server path). A group
with fewer records than ``disclosure_threshold`` in either round has its figures withheld
(``withheld``: true; the rule, phases and counts stay)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from safepath.analysis.trends import TrendRequest, alerts, round_trends
from safepath.api.routes.case_common import Who
from safepath.errors import InputError, Problem
from safepath.http.db import DB
from safepath.http.responses import RECORD, SIGNED_IN
from safepath.privacy.actor import Actor
from safepath.rounds.access import require_rounds
from safepath.settings import get_settings

router = APIRouter(tags=["analysis"], responses=SIGNED_IN)
ROW = "_sp_row"
NAME = r"^[A-Za-z0-9_.-]{1,100}$"
FIGURES = (
    "share_a",
    "share_b",
    "share_change",
    "change_se",
    "change_low",
    "change_high",
    "pin_a",
    "pin_b",
    "pin_change",
)


def _analyst(actor: Who) -> Actor:
    require_rounds(actor)
    return actor


Analyst = Annotated[Actor, Depends(_analyst)]
Column = Annotated[str | None, Query(pattern=NAME, description="a column of the round")]


def _model(session: Any, round_name: str, name: str | None) -> Any:
    from safepath.risk import list_models, load_model
    from safepath.rounds.service import show_round

    form = show_round(session, round_name).form
    if name is None:
        for candidate in list_models():
            if load_model(candidate).form == form:
                return load_model(candidate)
        raise InputError(
            f"no shipped model is made for form {form!r}: name one (model)",
            problems=[Problem("no model for the round's form", scope="model")],
        )
    if name not in list_models():
        raise InputError(
            f"model {name!r} is not a shipped model ({', '.join(list_models())})",
            problems=[Problem("unknown model", scope="model", value=name)],
        )
    return load_model(name)


def _trends(
    db: Any,
    round_name: str,
    since: str | None,
    model: str | None,
    by: str | None,
    strata: str | None,
    cluster: str | None,
    weight: str | None,
    phase: int | None,
    rules: str | None,
    level: float,
) -> list[dict[str, Any]]:
    from safepath.risk.severity import load_rule, rule_names
    from safepath.rounds.scoring import model_records, previous_round

    m = _model(db, round_name, model)
    earlier = since or previous_round(db, round_name)
    if rules is not None and rules not in rule_names(m):
        raise InputError(
            f"no severity rule {rules!r} for {m.id} ({', '.join(rule_names(m))})",
            problems=[Problem("unknown rule", scope="rules", value=rules)],
        )
    dims = [b.strip() for b in (by or "").split(",") if b.strip()]
    unknown = [d for d in dims if d not in m.places and d not in m.dimensions]
    if unknown:
        raise InputError(
            f"by: {', '.join(unknown)} is not a place or dimension of {m.id}",
            problems=[Problem("unknown grouping", scope="by", value=d) for d in unknown],
        )
    settings = get_settings()
    request = TrendRequest(
        by=tuple(dims),
        strata=strata,
        cluster=cluster,
        weight=weight,
        lonely_psu=settings.analysis_lonely_psu,
        phase=phase,
        level=level,
        small_n=settings.analysis_small_n,
        row=ROW,
    )
    tables = [(n, model_records(db, n, m, row=ROW)) for n in (earlier, round_name)]
    rows = round_trends(m, tables, request, load_rule(m, rules))
    return [_withheld(r, settings.disclosure_threshold) for r in rows]


def _withheld(row: dict[str, Any], threshold: int) -> dict[str, Any]:
    if not any(0 < n < threshold for n in (row["n_a"], row["n_b"])):
        return {**row, "withheld": False}
    return {**row, **dict.fromkeys(FIGURES), "significant": False, "withheld": True}


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
    return _trends(db, round_name, since, model, by, strata, cluster, weight, phase, rules, level)


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
    settings = get_settings()
    rows = _trends(db, round_name, since, model, by, strata, cluster, weight, phase, rules, level)
    return alerts(
        [r for r in rows if not r["withheld"]],
        phase_rise=phase_rise or settings.analysis_alert_phase_rise,
        pin_rise=settings.analysis_alert_pin_rise if pin_rise is None else pin_rise,
    )
