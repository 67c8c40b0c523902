"""The operation's area profiles, stored per risk model and P-code.

Imported from a file (validated by ``safepath.risk.area_profile.AreaProfile``: a ``pcode`` column,
unique codes, the columns the model reads), every P-code checked against the imported places, in
one transaction, idempotently: a re-import reports what it added, changed and left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safepath.errors import InputError, Problem
from safepath.risk.area_profile import KEY, AreaProfile
from safepath.store.models import AreaProfileRow, Place


@dataclass(frozen=True)
class ProfileReport:
    rows: int
    added: int
    updated: int
    unchanged: int


def save_area_profile(
    session: Session, model_id: str, profile: AreaProfile, source: str
) -> ProfileReport:
    codes = list(profile.rows)
    known = set(session.scalars(select(Place.pcode).where(Place.pcode.in_(codes))))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InputError(
            f"{source}: {len(unknown)} P-code(s) are not imported places: "
            f"{', '.join(unknown[:10])}; run `safepath places import` first",
            problems=[
                Problem("unknown P-code", scope=source, column=KEY, value=c) for c in unknown
            ],
        )
    existing = {
        r.pcode: r
        for r in session.scalars(select(AreaProfileRow).where(AreaProfileRow.model_id == model_id))
    }
    added = updated = unchanged = 0
    for code, row in profile.rows.items():
        values = {k: v for k, v in row.items() if k != KEY}
        current = existing.get(code)
        if current is None:
            session.add(AreaProfileRow(model_id=model_id, pcode=code, values=values, source=source))
            added += 1
        elif current.values != values:
            current.values, current.source = values, source
            updated += 1
        else:
            unchanged += 1
    session.flush()
    return ProfileReport(len(codes), added, updated, unchanged)


def area_row(session: Session, model_id: str, pcode: str | None) -> dict[str, Any] | None:
    """The profile row of one place (``pcode`` key included), or None."""
    if not pcode:
        return None
    row = session.get(AreaProfileRow, (model_id, pcode.strip()))
    return None if row is None else {KEY: row.pcode, **row.values}


def load_area_profile(session: Session, model_id: str) -> AreaProfile | None:
    rows = session.scalars(
        select(AreaProfileRow)
        .where(AreaProfileRow.model_id == model_id)
        .order_by(AreaProfileRow.pcode)
    ).all()
    if not rows:
        return None
    return AreaProfile.from_rows(
        [{KEY: r.pcode, **r.values} for r in rows], source=f"area profile of {model_id}"
    )
