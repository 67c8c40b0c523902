"""Outcomes report: per group (modality, thematic area, GPC risk, place, population group) the
cases, the closed ones, % outcome achieved and mean ΔR among closed cases with a measured outcome.

A case counts in every group it belongs to (a case with two modalities counts under both), so
group totals may exceed the number of cases. Small cells are suppressed: a group with fewer than
``settings.disclosure_threshold`` cases shows no figures at all, and a figure derived from fewer
than that many cases (closed; % achieved and mean ΔR from measured outcomes) is null, with
``suppressed: true`` on the row. A small number never leaves the system.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safepath.cases import access
from safepath.errors import ValidationFailed
from safepath.privacy.actor import Actor
from safepath.privacy.disclosure import small_cells
from safepath.store.models.cases import Case, Intervention

DIMENSIONS = ("modality", "thematic_area", "gpc_risk", "place", "population_group")
FIGURES = ("cases", "closed", "outcome_achieved_pct", "mean_delta_risk")


@dataclass
class _Acc:
    cases: int = 0
    closed: int = 0
    measured: int = 0
    achieved: int = 0
    delta_risk: list[float] = field(default_factory=list)


def parse_by(by: str | Sequence[str] | None) -> list[str]:
    items = by.split(",") if isinstance(by, str) else list(by or ["modality"])
    dims = [d.strip() for d in items if d.strip()]
    bad = [d for d in dims if d not in DIMENSIONS]
    if bad or not dims:
        raise ValidationFailed(
            f"cannot group outcomes by {', '.join(bad) or 'nothing'}; "
            f"use one or more of {', '.join(DIMENSIONS)}"
        )
    return list(dict.fromkeys(dims))


def _keys(case: Any, modalities: Iterable[str], dim: str) -> list[str | None]:
    multi: dict[str, Iterable[str]] = {
        "modality": modalities,  # a case without a plan has no modality row
        "thematic_area": case.thematic_areas or [],
        "gpc_risk": case.gpc_risks or [],
    }
    if dim in multi:
        return [*sorted(set(multi[dim]))]
    if dim == "place":
        return [case.place_pcode]
    return [case.population_group]


def report(
    session: Session, actor: Actor, by: str | Sequence[str] | None = None
) -> list[dict[str, Any]]:
    dims = parse_by(by)
    k = small_cells.threshold()
    cols = (
        Case.id,
        Case.status,
        Case.thematic_areas,
        Case.gpc_risks,
        Case.place_pcode,
        Case.population_group,
        Case.outcome_achieved,
        Case.delta_risk,
    )
    cases = session.execute(access.outcome_scope(actor, select(*cols))).all()
    modalities: dict[int, set[str]] = defaultdict(set)
    if "modality" in dims:
        stmt = access.outcome_scope(
            actor, select(Intervention.case_id, Intervention.modality).join(Case)
        )
        for case_id, modality in session.execute(stmt):
            modalities[case_id].add(modality)
    groups: dict[tuple[str | None, ...], _Acc] = defaultdict(_Acc)
    for c in cases:
        per_dim = [_keys(c, modalities.get(c.id, ()), d) for d in dims]
        for key in itertools.product(*per_dim):
            acc = groups[key]
            acc.cases += 1
            if c.status == "closed":
                acc.closed += 1
                if c.outcome_achieved is not None:
                    acc.measured += 1
                    acc.achieved += int(c.outcome_achieved)
                    acc.delta_risk.append(float(c.delta_risk or 0.0))
    rows = [_row(dims, key, acc, k) for key, acc in groups.items()]
    return sorted(rows, key=lambda r: tuple(str(r[d]) for d in dims))


def _row(dims: list[str], key: tuple[str | None, ...], acc: _Acc, k: int) -> dict[str, Any]:
    row: dict[str, Any] = dict(zip(dims, key, strict=True))
    if small_cells.group_too_small(acc.cases, k):
        return {**row, **dict.fromkeys(FIGURES), "suppressed": True}
    closed = small_cells.count(acc.closed, k)
    suppressed = closed is None
    pct: float | None = None
    mean_dr: float | None = None
    if small_cells.enough(acc.measured, k):
        pct = round(100.0 * acc.achieved / acc.measured, 1)
        mean_dr = round(sum(acc.delta_risk) / acc.measured, 3)
    elif acc.measured > 0:
        suppressed = True
    return {
        **row,
        "cases": acc.cases,
        "closed": closed,
        "outcome_achieved_pct": pct,
        "mean_delta_risk": mean_dr,
        "suppressed": suppressed,
    }
