"""An area's page: its risks, cases and advocacy side by side.

- *Risks*: the area profile stored for the place (community and structural indicators, imported
  with ``safepath places area-profile``), the latest area phase from the protection analysis (a
  survey round classified with ``safepath risk areas --save``: ``safepath.places.area_phases``),
  with its date and source, and beside it the phase the area's cases give (the same area rule,
  over the cases' latest assessments).
- *Cases*: counts by risk level and the GPC risks they address, for the caller's outcome scope
  (``cases.access.outcome_scope``), small cells suppressed.
- *Advocacy*: the agency's issues addressing the area.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safepath.advocacy import service
from safepath.advocacy.service import IssueView
from safepath.cases import access as case_access
from safepath.errors import NotFound
from safepath.places.area_phases import LatestPhase, latest_area_phases
from safepath.privacy.actor import Actor
from safepath.privacy.disclosure import small_cells
from safepath.store.models import AreaProfileRow, Place
from safepath.store.models.cases import Case


def phase_by_rule(phases: list[int], threshold: float) -> int | None:
    """The highest phase p such that at least ``threshold`` of the group is in phase p or above
    (the area rule of the risk model), or ``None`` for no one."""
    if not phases:
        return None
    for p in range(5, 0, -1):
        if sum(1 for x in phases if x >= p) >= threshold * len(phases):
            return p
    return 1


@dataclass(frozen=True)
class AreaView:
    pcode: str
    name: str
    level: int
    profile: dict[str, Any]  # indicator -> value, from the stored area profile
    analysis_phase: int | None
    analysis: LatestPhase | None  # the classification it comes from: date, source, model
    cases: int | None  # None: suppressed
    by_risk_level: dict[str, int | None]
    gpc_risks: list[tuple[str, int]]
    case_phase: int | None
    issues: list[IssueView]


def area(session: Session, actor: Actor, pcode: str) -> AreaView:
    from safepath.cases.instruments import instrument

    place = session.get(Place, pcode)
    if place is None:
        raise NotFound(f"place {pcode!r} not found")
    issues = [service.view(session, i) for i in service.list_issues(session, actor, area=pcode)]
    profile: dict[str, Any] = {}
    for row in session.scalars(select(AreaProfileRow).where(AreaProfileRow.pcode == pcode)):
        profile.update(row.values)
    k = small_cells.threshold()
    stmt = select(Case.risk_level, Case.phase, Case.gpc_risks).where(
        Case.place_pcode.like(f"{pcode}%"), Case.status != "closed"
    )
    rows = session.execute(case_access.outcome_scope(actor, stmt)).all()
    levels = Counter(r.risk_level or "none" for r in rows)
    risks = Counter(code for r in rows for code in (r.gpc_risks or []))
    enough = small_cells.enough(len(rows), k)
    threshold = instrument().model.area.threshold
    latest = latest_area_phases(session, [pcode]).get(pcode)
    return AreaView(
        pcode=place.pcode,
        name=place.name,
        level=place.level,
        profile=profile,
        analysis_phase=latest.phase if latest else None,
        analysis=latest,
        cases=len(rows) if enough else None,
        by_risk_level={lvl: small_cells.count(n, k) for lvl, n in sorted(levels.items()) if enough},
        gpc_risks=[(code, n) for code, n in risks.most_common(5) if small_cells.enough(n, k)],
        case_phase=phase_by_rule([r.phase for r in rows if r.phase], threshold) if enough else None,
        issues=issues,
    )
