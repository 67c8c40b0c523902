"""The protection analysis report, structured by the GPC Protection Analytical Framework (2021):
context; current threats; the threats' effect on the population; existing capacities.

``build(inputs)`` turns one survey round scored with one risk model into the report's figures
(a ``PafReport``: plain data, no markup), every figure from the same functions the command line
gives (``analysis.estimate``, ``analysis.people_in_need``, ``risk.classify_areas``):

- context: the round, its design, the areas with their population and area profile;
- current threats: per threat indicator of the model, the share of households it flags as
  severe (a score of 4 or 5), a design-based estimate with its interval;
- effects: phases and people in need overall, per area (map) and per sex, age group and
  disability (``groups``); the vulnerability indicators, as the threats;
- existing capacities: per capacity indicator, the share with a strong capacity (4 or 5), and
  the case outcomes of the same
  places (aggregated by the outcomes service).

Every table passes the small-cell suppression helper (``privacy.disclosure.small_cells``): a figure
made from fewer than ``k`` records is withheld, with secondary suppression inside each table.
Nothing personal is read: a stored round's personal columns are never loaded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa

from safepath.analysis.design import Design
from safepath.analysis.design import check as check_design
from safepath.analysis.estimates import estimate, estimate_flags
from safepath.analysis.pin import people_in_need
from safepath.analysis.population import Population
from safepath.errors import InputError
from safepath.privacy.disclosure.small_cells import suppress_small_cells
from safepath.report.groups import Grouping
from safepath.risk.area_profile import AreaProfile
from safepath.risk.spec import RiskModel

PILLARS = ("context", "current_threats", "threat_effects", "existing_capacities")
AREA_FIGURES = (
    "area_phase",
    *(f"phase_{p}" for p in range(1, 6)),
    "share",
    "ci_low",
    "ci_high",
    "population",
    "pin",
    "pin_low",
    "pin_high",
)
SHARE_FIGURES = ("share", "ci_low", "ci_high", "population", "pin", "pin_low", "pin_high")
ESTIMATE_FIGURES = ("estimate", "ci_low", "ci_high", "se")
OUTCOME_FIGURES = ("outcome_achieved_pct", "mean_delta_risk")
SEVERE = 4  # an indicator score of 4 or 5 of 5: a severe threat or vulnerability, a strong capacity
FLAG = "_sp_flag_"


@dataclass(frozen=True)
class Inputs:
    """Everything the report reads, gathered by ``sources`` (a stored round) or the caller."""

    model: RiskModel
    data: pa.Table  # the round's records, with the grouping columns added
    source: str  # the round's name or the file's
    design: Design
    level: str  # the model's place name the areas are (adm1, adm2 ...)
    groupings: Sequence[Grouping] = ()
    population: Population | None = None
    household_size: str | None = None
    outlines: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)
    profile: AreaProfile | None = None
    outcomes: Sequence[Mapping[str, Any]] | None = None  # None: not read (a file, no database)
    k: int = 5
    small_n: int = 30
    level_conf: float = 0.95
    lang: str = "en"


@dataclass(frozen=True)
class GroupTable:
    name: str  # sex, age_bracket, disability
    source: str
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class PafReport:
    source: str
    model_id: str
    model_version: str
    model_title: str
    generated: str
    records: int
    design: Design
    level: str
    place_column: str
    pin_phase: int
    threshold: float
    k: int
    small_n: int
    level_conf: float
    population_source: str | None
    household_size: str | None
    overall: dict[str, Any]  # PiN overall (suppressed like every table)
    phases: list[dict[str, Any]]  # overall phase shares with intervals
    areas: list[dict[str, Any]]
    groups: list[GroupTable]
    indicators: dict[str, list[dict[str, Any]]]  # threat, vulnerability, capacity -> rows
    profile_columns: list[str]
    profile: list[dict[str, Any]]
    outcomes: list[dict[str, Any]] | None
    outlines: Mapping[str, Mapping[str, Any]]
    names: Mapping[str, str]
    lang: str


def _table(data: pa.Table) -> Any:
    from safepath.risk.table import as_table

    return as_table(data)


def _pin_rows(
    scored: Any, inputs: Inputs, by: list[str], population: Population | None
) -> list[dict[str, Any]]:
    if population is not None and not by:  # overall: the whole population
        population = Population((), {(): population.total}, population.source)
    elif population is not None and len(population.keys) != len(by):
        population = None  # figures per area, not per sex or age: shares only
    pop = population or Population(tuple(by), {}, "none")
    rows = people_in_need(
        scored,
        inputs.design,
        pop,
        phase=inputs.model.area.pin_phase,
        by=by,
        household_size=inputs.household_size,
        level=inputs.level_conf,
        small_n=inputs.small_n,
        checked=True,  # in build(), once
    )
    out = []
    for r in rows:
        d = r.as_dict()
        if population is None:
            d.update(population=None, pin=None, pin_low=None, pin_high=None)
        d["key"] = r.group[0] if r.group else None
        out.append(d)
    return out


def indicator_flags(
    model: RiskModel, data: pa.Table, profile: AreaProfile | None
) -> dict[str, list[float | None]]:
    """Per record and indicator, 1.0 when the indicator signals a severe threat or
    vulnerability (score >= 4 of 5) or a strong capacity (>= 4), 0.0 when it scored lower,
    None when it was unanswered or does not apply: from the record evaluator's explanation,
    so the figures are exactly the model's."""
    from safepath.risk import evaluate

    fields = [c for c in dict.fromkeys(model.record_fields()) if c in data.column_names]
    place = model.place_field
    ids = [i.id for i in model.indicators]
    out: dict[str, list[float | None]] = {i: [] for i in ids}
    records = data.select(fields).to_pylist()
    for rec in records:
        area = profile.lookup(str(rec.get(place))) if profile and place else None
        e = evaluate(model, rec, dict(area) if area is not None else None).explanation
        scores = {
            ind["id"]: ind["score"]
            for comps in e.get("levels", {}).values()
            for group in comps.values()
            for ind in group.get("indicators", [])
        }
        for i in ids:
            score = scores.get(i)
            out[i].append(None if score is None else (1.0 if score >= SEVERE else 0.0))
    return out


def _indicators(flags: Any, inputs: Inputs, available: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Per component, one row per indicator the round answers: the share flagged (see
    ``indicator_flags``) with its interval, suppressed as every table."""
    model = inputs.model
    columns = [FLAG + i.id for i in model.indicators if i.id in available]
    found = {
        str(e.value): e
        for e in estimate_flags(
            flags, columns, inputs.design, level=inputs.level_conf, small_n=inputs.small_n
        )
    }
    out: dict[str, list[dict[str, Any]]] = {c: [] for c in ("threat", "vulnerability", "capacity")}
    for ind in model.indicators:
        e = found.get(FLAG + ind.id)
        if e is None:
            continue
        out[ind.component].append(
            {
                "id": ind.id,
                "label": ind.label,
                "field": ind.field,
                "level": ind.level,
                "gpc_risks": list(ind.gpc_risks),
                "estimate": e.estimate,
                "se": e.se,
                "ci_low": e.ci_low,
                "ci_high": e.ci_high,
                "n": e.n,
                "count": e.count,
                "small_n": e.small_n,
            }
        )
    return {
        c: suppress_small_cells(rows, counts=["n", "count"], figures=ESTIMATE_FIGURES, k=inputs.k)
        for c, rows in out.items()
    }


def _areas(scored: Any, inputs: Inputs, place: str) -> list[dict[str, Any]]:
    from safepath.risk import classify_areas

    classified = classify_areas(inputs.model, scored, by=[inputs.level]).to_pyarrow().to_pylist()
    by_code = {str(r[inputs.level]): r for r in classified}
    pins = {r["key"]: r for r in _pin_rows(scored, inputs, [place], inputs.population) if r["key"]}
    rows = []
    for code in sorted(by_code):
        c, p = by_code[code], pins.get(code, {})
        rows.append(
            {
                "pcode": code,
                "name": inputs.names.get(code),
                "n": int(c["n"]),
                "area_phase": c["area_phase"],
                **{f"phase_{q}": c[f"phase_{q}"] for q in range(1, 6)},
                **{k: p.get(k) for k in SHARE_FIGURES},
                "small_n": p.get("small_n", False),
            }
        )
    return suppress_small_cells(rows, counts=["n"], figures=AREA_FIGURES, k=inputs.k, within=[])


def _groups(scored: Any, inputs: Inputs) -> list[GroupTable]:
    out = []
    for g in inputs.groupings:
        rows = [r for r in _pin_rows(scored, inputs, [g.column], inputs.population) if r["key"]]
        for r in rows:
            r["value"] = r["key"]
        rows = suppress_small_cells(
            rows, counts=["n"], figures=SHARE_FIGURES, k=inputs.k, within=[]
        )
        out.append(GroupTable(g.name, g.source, rows))
    return out


def _phases(scored: Any, inputs: Inputs) -> list[dict[str, Any]]:
    found = estimate(
        scored,
        "phase",
        inputs.design,
        kind="categorical",
        level=inputs.level_conf,
        small_n=inputs.small_n,
        checked=True,  # in build(), once
    )
    rows: list[dict[str, Any]] = [
        {
            "var": "phase",
            "phase": int(e.value or 0),
            "estimate": e.estimate,
            "se": e.se,
            "ci_low": e.ci_low,
            "ci_high": e.ci_high,
            "n": e.n,
            "count": e.count,
        }
        for e in found
    ]
    present = {r["phase"] for r in rows}
    n = rows[0]["n"] if rows else 0
    for p in range(1, 6):  # a phase nobody is in: 0 %, published (a zero hides no one)
        if p not in present:
            rows.append(
                {
                    "var": "phase",
                    "phase": p,
                    "estimate": 0.0,
                    "se": 0.0,
                    "ci_low": 0.0,
                    "ci_high": 0.0,
                    "n": n,
                    "count": 0,
                }
            )
    rows.sort(key=lambda r: int(r["phase"]))
    return suppress_small_cells(
        rows, counts=["n", "count"], figures=ESTIMATE_FIGURES, k=inputs.k, within=["var"]
    )


def _outcomes(inputs: Inputs, codes: Sequence[str]) -> list[dict[str, Any]] | None:
    if inputs.outcomes is None:
        return None
    rows = [
        dict(r)
        for r in inputs.outcomes
        if r.get("place") and any(str(r["place"]).startswith(c) for c in codes)
    ]
    for r in rows:
        r["name"] = inputs.names.get(str(r["place"]))
    return suppress_small_cells(
        rows, counts=["cases", "closed"], figures=OUTCOME_FIGURES, k=inputs.k
    )


def build(inputs: Inputs) -> PafReport:
    """The report's figures (see the module docstring). InputError when the round lacks what
    the model or the design needs."""
    from safepath.risk import score_table

    model = inputs.model
    if inputs.level not in model.places:
        raise InputError(
            f"--level {inputs.level!r}: model {model.id} has places "
            f"{', '.join(model.places) or 'none'}"
        )
    place = model.places[inputs.level]
    missing = [
        c
        for c in [*model.record_fields(), place, *inputs.design.columns()]
        if c not in inputs.data.column_names
    ]
    if missing:
        raise InputError(
            f"{inputs.source} lacks {len(missing)} column(s) the report needs: "
            + ", ".join(missing[:10]),
        )
    # Scored once and kept in memory: every estimate below reads it (the scoring SQL is not
    # run again per estimate), narrowed to the columns the estimates use.
    keep = [
        c
        for c in dict.fromkeys(
            [
                *inputs.design.columns(),
                place,
                *(g.column for g in inputs.groupings),
                inputs.household_size,
            ]
        )
        if c and c in inputs.data.column_names
    ]
    flags = indicator_flags(model, inputs.data, inputs.profile)
    answered = {i for i, v in flags.items() if any(x is not None for x in v)}
    flag_table = inputs.data.select(keep)
    for i in sorted(answered):
        flag_table = flag_table.append_column(FLAG + i, pa.array(flags[i], pa.float64()))
    area = inputs.profile.to_arrow(model) if inputs.profile and model.area_fields() else None
    phases = score_table(model, inputs.data, area).select([*keep, "phase"]).to_pyarrow()
    scored = _table(phases)
    check_design(scored, inputs.design)  # once for every estimate below
    overall_rows = _pin_rows(scored, inputs, [], inputs.population)
    overall = suppress_small_cells(overall_rows, counts=["n"], figures=SHARE_FIGURES, k=inputs.k)[0]
    areas = _areas(scored, inputs, place)
    codes = [a["pcode"] for a in areas]
    profile_columns = list(inputs.profile.columns) if inputs.profile else []
    profile = (
        [
            {"pcode": c, "name": inputs.names.get(c), **dict(inputs.profile.rows[c])}
            for c in codes
            if c in inputs.profile.rows
        ]
        if inputs.profile
        else []
    )
    return PafReport(
        source=inputs.source,
        model_id=model.id,
        model_version=model.version,
        model_title=model.title,
        generated=date.today().isoformat(),
        records=inputs.data.num_rows,
        design=inputs.design,
        level=inputs.level,
        place_column=place,
        pin_phase=model.area.pin_phase,
        threshold=model.area.threshold,
        k=inputs.k,
        small_n=inputs.small_n,
        level_conf=inputs.level_conf,
        population_source=inputs.population.source if inputs.population else None,
        household_size=inputs.household_size,
        overall=overall,
        phases=_phases(scored, inputs),
        areas=areas,
        groups=_groups(scored, inputs),
        indicators=_indicators(_table(flag_table), inputs, answered),
        profile_columns=[c for c in profile_columns if c not in ("pcode", "name")],
        profile=profile,
        outcomes=_outcomes(inputs, codes),
        outlines={c: inputs.outlines[c] for c in codes if c in inputs.outlines},
        names=inputs.names,
        lang=inputs.lang,
    )
