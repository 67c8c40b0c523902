"""Finding a place from what a person types: a P-code in any case (``xm0102``) or a place name in
any case (``Birchfield``). Field staff rarely know P-codes by heart, and a refusal for lower case
costs a registration."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safepath.errors import InputError, Problem
from safepath.store.models import Place


@dataclass(frozen=True)
class PlaceChoice:
    pcode: str
    name: str
    level: int


def resolve_place(session: Session, typed: str, *, field: str = "place_pcode") -> str:
    """The P-code for ``typed``: the P-code itself (any case), a "Name (PCODE)" choice from the
    picker, or a place name that names exactly one place. Anything else is refused naming the
    field (and the candidates when a name is ambiguous)."""
    text = typed.strip()
    if text.endswith(")") and "(" in text:  # "Birchfield (XM0102)" from the picker
        text = text[text.rindex("(") + 1 : -1].strip()
    code = session.scalar(select(Place.pcode).where(func.upper(Place.pcode) == text.upper()))
    if code is not None:
        return code
    named = session.execute(
        select(Place.pcode, Place.name)
        .where(func.lower(Place.name) == text.casefold(), Place.level > 0)
        .order_by(Place.pcode)
        .limit(6)
    ).all()
    if len(named) == 1:
        return str(named[0][0])
    if named:
        options = ", ".join(f"{n} ({p})" for p, n in named[:5])
        message = f"{field}: {typed!r} names several places: {options}; choose one"
    else:
        message = f"{field}: no place with the P-code or name {typed!r}"
    raise InputError(message, problems=[Problem(message, column=field, value=typed)])


def place_choices(session: Session, limit: int = 500) -> list[PlaceChoice]:
    """Admin places for the picker (level 1 and below), or none when there are more than
    ``limit`` (a page is no place for a country's 30,000 districts: typing the code works)."""
    rows = session.execute(
        select(Place.pcode, Place.name, Place.level)
        .where(Place.level > 0)
        .order_by(Place.level, Place.name)
        .limit(limit + 1)
    ).all()
    if len(rows) > limit:
        return []
    return [PlaceChoice(str(p), str(n), int(lv)) for p, n, lv in rows]
