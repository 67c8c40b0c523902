"""Area classification: scored records -> per place x population group phase shares and PiN.

Weights are checked first (``weights``: a blank, a text, NaN or a negative weight is refused,
naming rows). Per group: ``n`` records, weighted ``population``, ``phase_1..phase_5``
(weighted shares), ``area_phase`` (the highest p with a weighted share at phase >= p of at
least ``area.threshold``) and ``pin`` (weighted population at phase >= ``area.pin_phase``).
``classify_with_rule`` sets the area phase by a severity rule set instead (``severity``). A
missing place or dimension value forms its own ``(missing)`` group; a value a dimension map
does not list forms ``(unmapped)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import ibis

from safepath.errors import InputError
from safepath.risk.codes import AGE_BRACKETS, as_number, canonical, is_missing
from safepath.risk.columns import ColumnView
from safepath.risk.severity import (
    Measures,
    SeverityRule,
    as_columns,
    decide,
    measures_expr,
    measures_from_row,
    measures_records,
)
from safepath.risk.spec import Dimension, RiskModel
from safepath.risk.table import (
    _PH_INPUT,
    _backend,
    _has_memtable,
    as_table,
    cache_key,
    compile_expr,
    compiled,
    relation,
    schema_doc,
    splice,
)
from safepath.risk.weights import check_weight_records, check_weight_table, weight_of

if TYPE_CHECKING:
    from safepath.risk.sqlcache import SqlCache

MISSING = "(missing)"
UNMAPPED = "(unmapped)"
PHASES = range(1, 6)


def _group_names(model: RiskModel, by: Sequence[str]) -> None:
    allowed = [*model.places, *model.dimensions]
    unknown = [b for b in by if b not in allowed]
    if unknown:
        raise InputError(
            f"cannot group by {unknown}: this model offers {allowed or 'no places or dimensions'}"
        )


def _text(view: ColumnView) -> Any:
    col = view.col
    return col if view.dtype.is_string() else col.cast("string")


def _dimension_expr(name: str, dim: Dimension, t: Any, backend: str) -> Any:
    missing = ibis.literal(MISSING)
    if name == "disability":
        views = [ColumnView(t[f], backend) for f in dim.fields or [] if f in t.columns]
        if not views:
            return missing
        a_lot = [v.matches(tuple(dim.a_lot or ())).fill_null(False) for v in views]
        answered = [v.present().fill_null(False) for v in views]
        any_a_lot, any_answered = a_lot[0], answered[0]
        for x in a_lot[1:]:
            any_a_lot = any_a_lot | x
        for x in answered[1:]:
            any_answered = any_answered | x
        return ibis.cases((any_a_lot, "disability"), (any_answered, "no_disability"), else_=missing)
    if dim.field is None or dim.field not in t.columns:
        return missing
    view = ColumnView(t[dim.field], backend)
    if name == "age_bracket":
        num = view.number()
        if num is None:
            return missing
        return ibis.cases(
            (num.isnull() | (num < 0), missing),
            *((num < hi, code) for code, _, hi in AGE_BRACKETS[:-1]),
            else_=ibis.literal(AGE_BRACKETS[-1][0]),
        )
    present = view.present().fill_null(False)
    if dim.map:
        mapped = ibis.cases(
            *((view.text_equals(k).fill_null(False), v) for k, v in dim.map.items()),
            else_=ibis.literal(UNMAPPED),
        )
    else:
        mapped = _text(view)
    return present.ifelse(mapped, missing)


def _place_expr(t: Any, column: str) -> Any:
    if column not in t.columns:
        return ibis.literal(MISSING)
    text = t[column].cast("string")
    return (t[column].notnull() & (text != "")).ifelse(text, ibis.literal(MISSING))


def classify_areas(
    model: RiskModel,
    scored_table: Any,
    by: Sequence[str],
    *,
    sql_cache: SqlCache | None = None,
    source: str = "scored table",
    first_row: int = 1,
) -> Any:
    """Group scored records (output of ``score_table``) by place levels and dimensions.

    Returns an Ibis table ordered by the ``by`` columns (see the module docstring for columns).
    On DuckDB the compiled SQL is cached like ``score_table``'s (``sql_cache`` between
    processes). Unusable weights are refused first, naming ``source`` and rows counted from
    ``first_row`` in table order.
    """
    _group_names(model, by)
    t = as_table(scored_table)
    if "phase" not in t.columns:
        raise InputError("scored table has no 'phase' column: run score_table first")
    check_weight_table(model, t, source=source, first_row=first_row)
    con = _backend(t)
    backend = con.name if con is not None else "duckdb"
    if backend != "duckdb" or con is None or _has_memtable(t):
        return areas_expr(model, t, by, backend)
    schema = schema_doc(t)
    key = cache_key("areas", model, backend, input=schema, by=list(by))

    def make() -> tuple[str, Any]:
        placeholder = ibis.table(dict(schema), name=_PH_INPUT)
        return compile_expr(areas_expr(model, placeholder, by, backend), con)

    sql, out_schema = compiled(key, make, sql_cache)
    spliced = splice(sql, con, {_PH_INPUT: t})
    if spliced is None:
        return areas_expr(model, t, by, backend)
    out = relation(con, spliced, out_schema)
    return out.order_by(list(by)) if by else out  # a view's ORDER BY is not a promise


def grouping_fields(model: RiskModel, by: Sequence[str]) -> list[str]:
    """The record columns the groups ``by`` (places and dimensions) are read from."""
    fields: list[str] = []
    for d in by:
        if d in model.places:
            fields.append(model.places[d])
        elif d in model.dimensions:
            dim = model.dimensions[d]
            fields.extend([dim.field] if dim.field else list(dim.fields or []))
    return fields


def _keys(model: RiskModel, t: Any, by: Sequence[str], backend: str) -> dict[str, Any]:
    keys: dict[str, Any] = {}
    for name in by:
        if name in model.places:
            keys[name] = _place_expr(t, model.places[name])
        else:
            keys[name] = _dimension_expr(name, model.dimensions[name], t, backend)
    return keys


def _weight(model: RiskModel, t: Any, backend: str) -> Any:
    weight = ibis.literal(1.0, "float64")
    wf = model.weight_field
    if wf is not None and wf in t.columns:  # checked by classify_areas: numbers >= 0
        num = ColumnView(t[wf], backend).number()
        if num is not None:
            weight = num
    return weight


def areas_expr(model: RiskModel, t: Any, by: Sequence[str], backend: str) -> Any:
    """The classification expression over the scored table ``t``."""
    keys = _keys(model, t, by, backend)
    weight = _weight(model, t, backend)
    staged = t.select(**keys, _w=weight, _phase=t.phase.cast("int64"))
    sums = {f"_p{p}": staged._w.sum(where=staged._phase == p) for p in PHASES}
    measures = dict(n=staged.count(), population=staged._w.sum(), **sums)
    # aggregate inside group_by: sum(where=) outside an aggregation becomes a window
    grouped = (
        staged.group_by(list(by)).aggregate(**measures) if by else staged.aggregate(**measures)
    )
    g = grouped
    pop = g.population
    at_least = {p: _sum([g[f"_p{q}"].fill_null(0.0) for q in PHASES if q >= p]) for p in PHASES}
    threshold = ibis.literal(model.area.threshold, "float64")
    area_phase = ibis.cases(*((at_least[p] / pop >= threshold, p) for p in (5, 4, 3, 2)), else_=1)
    # A group whose weights sum to 0 has no population: no shares and no phase (0/0 is NaN, which
    # DuckDB orders above every number, so NaN >= 0.25 would have made it phase 5).
    has_pop = pop > 0
    out = g.select(
        *by,
        "n",
        "population",
        **{
            f"phase_{p}": ibis.ifelse(
                has_pop, g[f"_p{p}"].fill_null(0.0) / pop, ibis.null("float64")
            )
            for p in PHASES
        },
        area_phase=ibis.ifelse(has_pop, area_phase.cast("int64"), ibis.null("int64")),
        pin=at_least[model.area.pin_phase],
    )
    return out.order_by(list(by)) if by else out


def _sum(parts: list[Any]) -> Any:
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out


# --- pure-Python reference (tests, small inputs) ---------------------------------------------


def _dimension_value(name: str, dim: Dimension, rec: Mapping[str, Any]) -> str:
    if name == "disability":
        values = [rec.get(f) for f in dim.fields or []]
        if any(not is_missing(v) and canonical(v) in (dim.a_lot or []) for v in values):
            return "disability"
        return "no_disability" if any(not is_missing(v) for v in values) else MISSING
    v = rec.get(dim.field or "")
    if is_missing(v):
        return MISSING
    if name == "age_bracket":
        n = as_number(v)
        if n is None or n < 0:
            return MISSING
        return next(code for code, _, hi in AGE_BRACKETS if n < hi)
    if dim.map:
        return dim.map.get(canonical(v), UNMAPPED)
    return canonical(v)


def _record_key(model: RiskModel, rec: Mapping[str, Any], by: Sequence[str]) -> tuple[str, ...]:
    return tuple(
        (MISSING if is_missing(rec.get(model.places[b])) else canonical(rec[model.places[b]]))
        if b in model.places
        else _dimension_value(b, model.dimensions[b], rec)
        for b in by
    )


def classify_records(
    model: RiskModel,
    records: Iterable[Mapping[str, Any]],
    by: Sequence[str],
    *,
    source: str = "records",
    first_row: int = 1,
) -> list[dict[str, Any]]:
    """The same classification in plain Python over scored records (dicts with ``phase``)."""
    _group_names(model, by)
    rows = list(records)
    check_weight_records(model, rows, source=source, first_row=first_row)
    groups: dict[tuple[str, ...], dict[str, Any]] = {}
    for rec in rows:
        key = _record_key(model, rec, by)
        g = groups.setdefault(key, {"n": 0, "w": [0.0] * 6})
        w = weight_of(rec[model.weight_field]) if model.weight_field else 1.0
        g["n"] += 1
        g["w"][int(rec["phase"])] += w
    out = []
    for key in sorted(groups):
        g = groups[key]
        w = g["w"]
        pop = sum(w[1:])
        at_least = {p: sum(w[p:]) for p in PHASES}
        area_phase: int | None = None  # no population (weights sum to 0): no phase
        if pop > 0:
            area_phase = next(
                (p for p in (5, 4, 3, 2) if at_least[p] / pop >= model.area.threshold), 1
            )
        out.append(
            {
                **dict(zip(by, key, strict=True)),
                "n": g["n"],
                "population": pop,
                **{f"phase_{p}": (w[p] / pop if pop > 0 else None) for p in PHASES},
                "area_phase": area_phase,
                "pin": at_least[model.area.pin_phase],
            }
        )
    return out


# --- severity rules (risk.severity): the area phase by a named, cited rule set ----------------


def _with_rule(
    rule: SeverityRule,
    rows: list[dict[str, Any]],
    by: Sequence[str],
    measures: Mapping[tuple[str, ...], Measures],
) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        key = tuple(str(row[b]) for b in by)
        m = measures.get(key) or Measures(0.0, {}, {}, {})
        out.append({**row, **as_columns(rule, decide(rule, m))})
    return out


def classify_with_rule(
    model: RiskModel,
    scored_table: Any,
    by: Sequence[str],
    rule: SeverityRule,
    *,
    source: str = "scored table",
    first_row: int = 1,
    sql_cache: SqlCache | None = None,
) -> list[dict[str, Any]]:
    """``classify_areas`` with the area phase set by ``rule`` (share rule, critical indicators,
    AoR maximum, phase-5 guard); each row names the rule and cites it. One row per group, in
    ``by`` order. One aggregate over the scored table gives the shares and the rule's measures
    (``sql_cache`` is accepted for symmetry with ``classify_areas``; the query is small)."""
    _group_names(model, by)
    t = as_table(scored_table)
    if "phase" not in t.columns:
        raise InputError("scored table has no 'phase' column: run score_table first")
    check_weight_table(model, t, source=source, first_row=first_row)
    con = _backend(t)
    backend = con.name if con is not None else "duckdb"
    expr = measures_expr(
        model, rule, t, _keys(model, t, by, backend), _weight(model, t, backend), backend
    )
    rows, measures = [], {}
    for r in expr.to_pyarrow().to_pylist():
        key = tuple(str(r[b]) for b in by)
        measures[key] = measures_from_row(rule, r)
        pop = float(r["_pop"] or 0.0)
        eq = {p: float(r[f"_eq{p}"] or 0.0) for p in PHASES}
        rows.append(
            {
                **{b: r[b] for b in by},
                "n": int(r["_n"]),
                "population": pop,
                **{f"phase_{p}": (eq[p] / pop if pop > 0 else None) for p in PHASES},
                "area_phase": None,
                "pin": sum(eq[p] for p in PHASES if p >= model.area.pin_phase),
            }
        )
    rows.sort(key=lambda row: tuple(str(row[b]) for b in by))
    return _with_rule(rule, rows, by, measures)


def classify_records_with_rule(
    model: RiskModel,
    records: Iterable[Mapping[str, Any]],
    by: Sequence[str],
    rule: SeverityRule,
    *,
    source: str = "records",
    first_row: int = 1,
) -> list[dict[str, Any]]:
    """The same in plain Python over scored records (the record evaluator's reference)."""
    rows = list(records)
    base = classify_records(model, rows, by, source=source, first_row=first_row)
    keys = [_record_key(model, r, by) for r in rows]
    return _with_rule(rule, base, by, measures_records(model, rule, rows, keys))
