"""Trends between two stored survey rounds and the early-warning alerts, as the analysts' API
and page ask for them (``safepath analysis trends|alerts --round`` does the same from the CLI).

Only shipped models and their shipped severity rules are named (never a server path). A group
with fewer records than ``disclosure_threshold`` in either round has its figures withheld
(``withheld``: true; the rule, phases and counts stay)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from safepath.analysis.trends import TrendRequest, alerts, round_trends
from safepath.errors import InputError, Problem
from safepath.risk.spec import RiskModel
from safepath.settings import get_settings

ROW = "_sp_row"
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


@dataclass(frozen=True)
class TrendQuery:
    """What to compare: the round, the earlier one (default: the one stored before), a shipped
    model (default: the one made for the round's form) and how to group and estimate."""

    round_name: str
    since: str | None = None
    model: str | None = None
    by: str | None = None
    strata: str | None = None
    cluster: str | None = None
    weight: str | None = None
    phase: int | None = None
    rules: str | None = None
    level: float = 0.95


def round_model(session: Session, round_name: str, name: str | None) -> RiskModel:
    """The shipped model ``name``, or the one made for the round's form."""
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


def stored_trends(session: Session, query: TrendQuery) -> list[dict[str, Any]]:
    """The change per area and group from the earlier round to this one: shares at phase >= p
    with the change's interval and significance, PiN in weighted records, and the area phase
    under the named, cited severity rule; small groups withheld."""
    from safepath.risk.severity import load_rule, rule_names
    from safepath.rounds.scoring import model_records, previous_round

    m = round_model(session, query.round_name, query.model)
    earlier = query.since or previous_round(session, query.round_name)
    if query.rules is not None and query.rules not in rule_names(m):
        raise InputError(
            f"no severity rule {query.rules!r} for {m.id} ({', '.join(rule_names(m))})",
            problems=[Problem("unknown rule", scope="rules", value=query.rules)],
        )
    dims = [b.strip() for b in (query.by or "").split(",") if b.strip()]
    unknown = [d for d in dims if d not in m.places and d not in m.dimensions]
    if unknown:
        raise InputError(
            f"by: {', '.join(unknown)} is not a place or dimension of {m.id}",
            problems=[Problem("unknown grouping", scope="by", value=d) for d in unknown],
        )
    settings = get_settings()
    request = TrendRequest(
        by=tuple(dims),
        strata=query.strata,
        cluster=query.cluster,
        weight=query.weight,
        lonely_psu=settings.analysis_lonely_psu,
        phase=query.phase,
        level=query.level,
        small_n=settings.analysis_small_n,
        row=ROW,
    )
    tables = [(n, model_records(session, n, m, row=ROW)) for n in (earlier, query.round_name)]
    rows = round_trends(m, tables, request, load_rule(m, query.rules))
    return [_withheld(r, settings.disclosure_threshold) for r in rows]


def stored_alerts(
    session: Session,
    query: TrendQuery,
    *,
    phase_rise: int | None = None,
    pin_rise: float | None = None,
) -> list[dict[str, Any]]:
    """Early warning: the areas whose phase rose by ``phase_rise`` or more, or whose PiN rose by
    more than ``pin_rise`` of the earlier PiN (defaults: the settings); withheld groups never
    raise an alert (their figures are not shown)."""
    return alerts_of(stored_trends(session, query), phase_rise=phase_rise, pin_rise=pin_rise)


def alerts_of(
    rows: list[dict[str, Any]], *, phase_rise: int | None = None, pin_rise: float | None = None
) -> list[dict[str, Any]]:
    """The alerts among trend rows already computed (``stored_trends``)."""
    settings = get_settings()
    return alerts(
        [r for r in rows if not r["withheld"]],
        phase_rise=phase_rise or settings.analysis_alert_phase_rise,
        pin_rise=settings.analysis_alert_pin_rise if pin_rise is None else pin_rise,
    )


def _withheld(row: dict[str, Any], threshold: int) -> dict[str, Any]:
    if not any(0 < n < threshold for n in (row["n_a"], row["n_b"])):
        return {**row, "withheld": False}
    return {**row, **dict.fromkeys(FIGURES), "significant": False, "withheld": True}
