"""Area phases from the protection analysis, stored: each area's classification by a survey round
(``safepath risk areas --by adm2 --save``), so an advocacy issue and an area's page show an area's
latest phase with its date and source.

Only whole-area rows are stored (grouped by place levels alone: a phase per sex or population
group is not the area's phase). Saving the same model, source and place level again replaces
those rows (a re-run is idempotent); every P-code must be an imported place, else nothing is
saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from safepath.errors import InputError, Problem
from safepath.store.models import AreaPhase, Place

SKIPPED = ("(missing)", "(unmapped)")  # risk.areas' groups without a place


@dataclass(frozen=True)
class LatestPhase:
    pcode: str
    phase: int
    classified_at: datetime
    source: str
    model_id: str
    population: float
    pin: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "classified_at": self.classified_at.isoformat(),
            "source": self.source,
            "model_id": self.model_id,
        }


@dataclass(frozen=True)
class SavedPhases:
    saved: int
    replaced: int
    skipped: int  # groups without a place or without a phase (no weighted population)


def save_area_phases(
    session: Session,
    model_id: str,
    source: str,
    place_column: str,
    rows: Iterable[Mapping[str, Any]],
    *,
    at: datetime | None = None,
) -> SavedPhases:
    """Store the area rows of one classification (``risk.classify_areas`` output, one row per
    area of ``place_column``), replacing what the same model and source stored before."""
    keep: list[Mapping[str, Any]] = []
    skipped = 0
    for row in rows:
        pcode, phase = row.get(place_column), row.get("area_phase")
        if pcode is None or str(pcode) in SKIPPED or phase is None:
            skipped += 1
            continue
        keep.append(row)
    codes = [str(r[place_column]) for r in keep]
    found = session.execute(select(Place.pcode, Place.level).where(Place.pcode.in_(codes)))
    levels: dict[str, int] = {str(p): int(lvl) for p, lvl in found}
    unknown = sorted({c for c in codes if c not in levels})
    if unknown:
        raise InputError(
            f"{source}: {len(unknown)} {place_column} P-code(s) are not imported places: "
            f"{', '.join(unknown[:10])}; run `safepath places import` first",
            problems=[
                Problem("unknown P-code", scope=source, column=place_column, value=c)
                for c in unknown
            ],
        )
    stamp = at or datetime.now(UTC)
    # the same round at the same place level replaces its earlier rows (another level stays)
    same_level = select(Place.pcode).where(Place.level.in_(set(levels.values())))
    result = session.execute(
        delete(AreaPhase).where(
            AreaPhase.model_id == model_id,
            AreaPhase.source == source,
            AreaPhase.pcode.in_(same_level),
        )
    )
    replaced = int(getattr(result, "rowcount", 0) or 0)
    for row in keep:
        pin = row.get("pin")
        session.add(
            AreaPhase(
                pcode=str(row[place_column]),
                model_id=model_id,
                source=source,
                phase=int(row["area_phase"]),
                population=float(row.get("population") or 0.0),
                pin=None if pin is None else float(pin),
                records=int(row.get("n") or 0),
                classified_at=stamp,
            )
        )
    session.flush()
    return SavedPhases(len(keep), replaced, skipped)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def latest_area_phases(session: Session, pcodes: Iterable[str]) -> dict[str, LatestPhase]:
    """Each area's most recent stored classification (any model and source)."""
    wanted = list(dict.fromkeys(pcodes))
    if not wanted:
        return {}
    newest = (
        select(AreaPhase.pcode, func.max(AreaPhase.classified_at).label("at"))
        .where(AreaPhase.pcode.in_(wanted))
        .group_by(AreaPhase.pcode)
        .subquery()
    )
    stmt = (
        select(AreaPhase)
        .join(
            newest,
            (AreaPhase.pcode == newest.c.pcode) & (AreaPhase.classified_at == newest.c.at),
        )
        .order_by(AreaPhase.pcode, AreaPhase.id.desc())
    )
    out: dict[str, LatestPhase] = {}
    for r in session.scalars(stmt):
        out.setdefault(
            r.pcode,
            LatestPhase(
                r.pcode,
                r.phase,
                _aware(r.classified_at),
                r.source,
                r.model_id,
                r.population,
                r.pin,
            ),
        )
    return out
