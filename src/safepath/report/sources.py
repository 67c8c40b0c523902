"""Gathering what the report reads: a stored round (or a survey file), the model, the places'
names and boundaries, the area profile and the case outcomes of the same places."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy.orm import Session

from safepath.analysis.design import Design, LonelyPsu
from safepath.analysis.population import Population
from safepath.errors import InputError
from safepath.privacy.actor import Actor
from safepath.report.groups import add_groupings
from safepath.report.paf import Inputs
from safepath.risk.spec import RiskModel
from safepath.settings import get_settings

ROW = "_sp_row"


@dataclass(frozen=True)
class Options:
    """The analyst's choices (command-line options or the page's form)."""

    model: str
    level: str | None = None  # default: the model's first place level
    strata: str | None = None
    cluster: str | None = None
    weight: str | None = None  # default: the model's weight field
    lonely_psu: LonelyPsu | None = None
    household_size: str | None = None
    groupings: tuple[str, ...] | None = None  # None: every default the round supports
    lang: str = "en"


def round_data(
    session: Session, name: str, model: RiskModel
) -> tuple[pa.Table, dict[str, pa.Table]]:
    """A stored round's main table (personal columns left out) with the model's household
    columns, and the repeat tables (for household disability)."""
    from safepath.rounds.service import load_table, show_round
    from safepath.surveys.household import with_household_columns
    from safepath.surveys.submissions import MAIN

    view = show_round(session, name)
    repeats = {t: load_table(session, name, t) for t in view.tables if t != MAIN}
    data = with_household_columns(model, load_table(session, name), repeats)
    return data, repeats


def file_data(path: Path, sheet: str | None) -> pa.Table:
    from safepath.privacy.disclosure.tables import arrow_from_pandas
    from safepath.surveys.tables import read_table

    frame = read_table(path, sheet=sheet)
    frame.columns = [str(c) for c in frame.columns]
    return arrow_from_pandas(frame)


def inputs(
    model: RiskModel,
    data: pa.Table,
    source: str,
    options: Options,
    *,
    session: Session | None = None,
    actor: Actor | None = None,
    repeats: dict[str, pa.Table] | None = None,
    population: Population | None = None,
) -> Inputs:
    """The report's inputs; with a session, the places' names and boundaries, the stored area
    profile and (with an actor allowed to read outcomes) the case outcomes."""
    settings = get_settings()
    level = options.level or next(iter(model.places), None)
    if level is None:
        raise InputError(f"model {model.id} names no place level (places: adm1: column)")
    data, groupings = add_groupings(model, data, repeats)
    if options.groupings is not None:
        unknown = [g for g in options.groupings if g not in {x.name for x in groupings}]
        if unknown:
            have = ", ".join(x.name for x in groupings) or "none"
            raise InputError(
                f"{source} cannot be disaggregated by {', '.join(unknown)} (it supports: {have})"
            )
        groupings = [g for g in groupings if g.name in options.groupings]
    design = Design(
        weight=options.weight or model.weight_field,
        strata=options.strata,
        cluster=options.cluster,
        lonely_psu=options.lonely_psu or settings.analysis_lonely_psu,
        source=source,
    )
    extra: dict[str, Any] = {}
    if session is not None:
        extra = _stored(session, model, data, model.places.get(level, ""), actor)
    return Inputs(
        model=model,
        data=data,
        source=source,
        design=design,
        level=level,
        groupings=groupings,
        population=population,
        household_size=options.household_size,
        k=settings.disclosure_threshold,
        small_n=settings.analysis_small_n,
        lang=options.lang,
        **extra,
    )


def _stored(
    session: Session, model: RiskModel, data: pa.Table, place: str, actor: Actor | None
) -> dict[str, Any]:
    from safepath.cases import outcomes
    from safepath.cases.access import OUTCOMES
    from safepath.places.area_profiles import load_area_profile
    from safepath.places.boundaries import load_outlines, place_names

    codes = (
        sorted({str(v) for v in data.column(place).to_pylist() if v is not None})
        if place in data.column_names
        else []
    )
    outlines = {c: o.geometry for c, o in load_outlines(session, codes).items()}
    out: dict[str, Any] = {
        "outlines": outlines,
        "names": place_names(session, codes),
        "profile": load_area_profile(session, model.id),
    }
    if actor is not None and actor.role in OUTCOMES:
        out["outcomes"] = outcomes.report(session, actor, "place")
    return out
