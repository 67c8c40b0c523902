"""The explanation column in DuckDB SQL: the record evaluator's explanation (``record.py``),
document for document, computed set-wise instead of row by row in Python.

Input: the scoring query built with ``table.build(..., explain=True)``, whose rows carry per
indicator ``i`` its score ``__sp_s{i}`` and flags ``__sp_ap{i}`` (applies), ``__sp_pr{i}``
(answered), ``__sp_nm{i}`` (answer mapped to null) and the answer ``__sp_raw{i}``. Output: the
input and output columns plus ``explanation``, JSON text that parses to the same document as
``evaluate(...).explanation`` (the same arithmetic, the same order of lists and keys; see
tests/risk/test_explain_sql.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from safepath.risk.record import DRIVERS_C, DRIVERS_TV
from safepath.risk.spec import COMPONENTS, LEVELS, RiskModel

_P = "__sp_"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _num(x: float) -> str:
    return repr(float(x))


def _r6(x: str) -> str:
    return f"(FLOOR(({x}) * 1000000.0 + 0.5) / 1000000.0)"


def _sum(parts: Sequence[str], empty: str = "0") -> str:
    return "(" + " + ".join(parts) + ")" if parts else empty


def _nonnull_list(items: Sequence[str], empty_type: str) -> str:
    if not items:
        return f"CAST([] AS {empty_type})"
    return f"list_filter([{', '.join(items)}], lambda x: x IS NOT NULL)"


def _raw_json(name: str, dtype: Any) -> str:
    """record._jsonable in SQL: numbers, text and booleans as they are, a non-finite float as
    null, anything else as its text."""
    col = _q(name)
    if dtype.is_floating():
        return f"CASE WHEN isinf({col}) THEN NULL ELSE to_json({col}) END"
    if dtype.is_string() or dtype.is_integer() or dtype.is_boolean():
        return f"to_json({col})"
    return f"to_json(CAST({col} AS VARCHAR))"


_TRUE_END = _lit(',"defaulted":true}')
_FALSE_END = _lit(',"defaulted":false}')


def _cat(*parts: str) -> str:
    """SQL string concatenation (null when any part is null)."""
    return "(" + " || ".join(parts) + ")"


def _floor_head(ind_id: str) -> str:
    return _lit('{"indicator":' + json.dumps(ind_id) + ',"score":')


def _floor_tail(min_score: int, phase: int) -> str:
    return _lit(f',"min_score":{min_score},"phase":{phase}}}')


def explanation_sql(
    model: RiskModel, inner: str, schema: Mapping[str, Any], keep: Sequence[str]
) -> str:
    """``SELECT keep..., explanation FROM (inner)``; ``schema`` types the inner columns."""
    inds = list(enumerate(model.indicators))
    how = {c: model.components[c].aggregation for c in COMPONENTS}
    members = {c: [i for i, ind in inds if ind.component == c] for c in COMPONENTS}

    def s(i: int) -> str:
        return _q(f"{_P}s{i}")

    def answered(i: int) -> str:
        return f"CAST({s(i)} IS NOT NULL AS INT)"

    def count(idx: Sequence[int]) -> str:
        return _sum([answered(i) for i in idx])

    def weight(i: int) -> str:
        return _num(model.indicators[i].weight)

    # stage a: per-component counts and what contributions need
    stage_a: list[str] = []
    for c in COMPONENTS:
        idx = members[c]
        stage_a.append(f"{count(idx)} AS {_q(f'{_P}n_{c}')}")
        if not idx:
            continue
        if how[c] == "max":
            mx = f"GREATEST({', '.join(s(i) for i in idx)})"
            first = " ".join(f"WHEN {s(i)} = {mx} THEN {i}" for i in idx)
            stage_a.append(f"CASE {first} END AS {_q(f'{_P}top_{c}')}")
        elif how[c] == "weighted_mean":
            den = _sum([f"CASE WHEN {s(i)} IS NOT NULL THEN {weight(i)} ELSE 0.0 END" for i in idx])
            stage_a.append(f"{den} AS {_q(f'{_P}den_{c}')}")

    def n(c: str) -> str:
        return _q(f"{_P}n_{c}")

    # stage b: each answered score's contribution (record.contributions, then r6)
    stage_b: list[str] = []
    for c in COMPONENTS:
        for i in members[c]:
            if how[c] == "mean":
                share = f"CAST({s(i)} AS DOUBLE) / CAST({n(c)} AS DOUBLE)"
            elif how[c] == "max":
                share = (
                    f"CASE WHEN {_q(f'{_P}top_{c}')} = {i} THEN CAST({s(i)} AS DOUBLE) ELSE 0.0 END"
                )
            elif how[c] == "weighted_mean":
                share = f"{weight(i)} * {s(i)} / {_q(f'{_P}den_{c}')}"
            else:  # top_half_mean: the k highest, ties to the earlier indicator
                k = f"(({n(c)} + 1) // 2)"
                rank = _sum(
                    [
                        f"CAST(COALESCE({s(a)} > {s(i)}, FALSE) AS INT)"
                        if a > i
                        else f"CAST(COALESCE({s(a)} >= {s(i)}, FALSE) AS INT)"
                        for a in members[c]
                        if a != i
                    ]
                )
                share = (
                    f"CASE WHEN {rank} < {k} THEN CAST({s(i)} AS DOUBLE) / CAST({k} AS DOUBLE) "
                    "ELSE 0.0 END"
                )
            stage_b.append(f"{_r6(share)} AS {_q(f'{_P}c{i}')}")

    def contribution(i: int) -> str:
        return _q(f"{_P}c{i}")

    def js(value: Any) -> str:
        """A JSON text as an SQL string literal."""
        return _lit(json.dumps(value, ensure_ascii=False))

    def text(expr: str) -> str:
        return f"CAST({expr} AS VARCHAR)"

    def joined(parts: Sequence[str], open_: str = "[", close: str = "]") -> str:
        """``open part,part,... close``; null parts are left out (concat_ws skips them)."""
        if not parts:
            return js(json.loads(open_ + close))
        return f"({_lit(open_)} || concat_ws(',', {', '.join(parts)}) || {_lit(close)})"

    def entry(i: int) -> str:  # null when unanswered: || propagates it
        ind = model.indicators[i]
        head = _lit('{"id":' + json.dumps(ind.id) + ',"score":')
        mid = _lit(',"weight":' + json.dumps(ind.weight) + ',"contribution":')
        return f"({head} || {text(s(i))} || {mid} || {text(contribution(i))} || '}}')"

    def cell_value(idx: Sequence[int], aggregation: str) -> str:
        single = f"CAST(COALESCE({', '.join(s(i) for i in idx)}) AS DOUBLE)"
        cnt = count(idx)
        if aggregation == "max":
            many = f"CAST(GREATEST({', '.join(s(i) for i in idx)}) AS DOUBLE)"
        elif aggregation == "mean":
            total = _sum([f"COALESCE({s(i)}, 0)" for i in idx])
            many = f"CAST({total} AS DOUBLE) / CAST({cnt} AS DOUBLE)"
        elif aggregation == "weighted_mean":
            num = _sum([f"COALESCE({weight(i)} * {s(i)}, 0.0)" for i in idx])
            den = _sum([f"CASE WHEN {s(i)} IS NOT NULL THEN {weight(i)} ELSE 0.0 END" for i in idx])
            many = f"{num} / {den}"
        else:
            k = f"(({cnt} + 1) // 2)"
            ge = [
                _sum([f"CAST(COALESCE({s(i)} >= {v}, FALSE) AS INT)" for i in idx])
                for v in range(2, 6)
            ]
            top = _sum([f"LEAST({k}, {cnt})", *(f"LEAST({k}, {g})" for g in ge)])
            many = f"CAST({top} AS DOUBLE) / CAST({k} AS DOUBLE)"
        return f"CASE WHEN {cnt} = 1 THEN {single} ELSE {many} END"

    level_parts: list[str] = []
    for lv in LEVELS:
        cells: list[str] = []
        for c in COMPONENTS:
            idx = [i for i in members[c] if model.indicators[i].level == lv]
            if not idx:
                continue
            head = _lit(json.dumps(c) + ':{"value":')
            listed = joined([entry(i) for i in idx])
            value = text(_r6(cell_value(idx, how[c])))
            cells.append(
                f"CASE WHEN {count(idx)} > 0 THEN {head} || {value} || "
                f"',\"indicators\":' || {listed} || '}}' END"
            )
        if cells:
            answered_here = " OR ".join(f"{s(i)} IS NOT NULL" for i, ind in inds if ind.level == lv)
            level_parts.append(
                f"CASE WHEN {answered_here} THEN {_lit(json.dumps(lv) + ':')} || "
                f"{joined(cells, '{', '}')} END"
            )
    levels = joined(level_parts, "{", "}")

    # drivers: threat then vulnerability scores >= 3 by (score desc, contribution desc), then
    # capacity scores <= 2 by score; ties keep that order. Each candidate gets a unique integer
    # key in that order; the top ones are found with GREATEST (LEAST), no sorting.
    def driver(i: int) -> str:
        ind = model.indicators[i]
        fixed = {k: getattr(ind, k) for k in ("id", "label", "level", "component")}
        fixed |= {"gpc_risks": ind.gpc_risks, "rights": ind.rights}
        head = json.dumps(fixed, ensure_ascii=False)[:-1] + ',"score":'
        return f"{_lit(head)} || {text(s(i))} || '}}'"

    tv_idx = [*members["threat"], *members["vulnerability"]]
    m = len(tv_idx) + 1
    tv_key = {
        i: f"CASE WHEN {s(i)} >= 3 THEN (CAST({s(i)} AS BIGINT) * 10000000 + "
        f"CAST(ROUND({contribution(i)} * 1000000.0) AS BIGINT)) * {m} + {m - 1 - p} END"
        for p, i in enumerate(tv_idx)
    }
    cap_idx = members["capacity"]
    cap_key = {
        i: f"CASE WHEN {s(i)} <= 2 THEN CAST({s(i)} AS BIGINT) * {len(cap_idx) + 1} + {p} END"
        for p, i in enumerate(cap_idx)
    }

    key_cols = [f"{k} AS {_q(f'{_P}tk{i}')}" for i, k in tv_key.items()]
    key_cols += [f"{k} AS {_q(f'{_P}ck{i}')}" for i, k in cap_key.items()]
    # the best keys, one stage each (a stage refers to the previous best by name)
    best_stages: list[list[str]] = []
    picks: list[tuple[dict[int, str], str]] = []  # (keys, column of the r-th best)
    for keys, prefix, n_top, pick, cmp in (
        ({i: _q(f"{_P}tk{i}") for i in tv_key}, "tb", DRIVERS_TV, "GREATEST", "<"),
        ({i: _q(f"{_P}ck{i}") for i in cap_key}, "cb", DRIVERS_C, "LEAST", ">"),
    ):
        bound: str | None = None
        for r in range(min(n_top, len(keys))):
            pool = [
                k if bound is None else f"CASE WHEN {k} {cmp} {bound} THEN {k} END"
                for k in keys.values()
            ]
            best = f"{pick}({', '.join(pool)})" if len(pool) > 1 else pool[0]
            name = _q(f"{_P}{prefix}{r}")
            while len(best_stages) <= r:
                best_stages.append([])
            best_stages[r].append(f"{best} AS {name}")
            picks.append((keys, name))
            bound = name
    slots = [
        "CASE " + " ".join(f"WHEN {k} = {best} THEN {driver(i)}" for i, k in keys.items()) + " END"
        for keys, best in picks
    ]
    # tv slots come first in picks, then capacity: the drivers' order
    drivers = joined(slots)

    def flag(prefix: str, i: int) -> str:
        return _q(f"{_P}{prefix}{i}")

    unanswered = joined(
        [
            f"CASE WHEN {flag('ap', i)} AND (NOT {flag('pr', i)} OR {s(i)} IS NULL) "
            f"THEN {js(ind.id)} END"
            for i, ind in inds
        ]
    )
    unmapped_items = []
    for i, ind in inds:
        raw = f"{_P}raw{i}"
        if raw not in schema:
            continue  # never answered (no such column): never unmapped
        head = _lit('{"indicator":' + json.dumps(ind.id) + ',"value":')
        unmapped_items.append(
            f"CASE WHEN {flag('ap', i)} AND {flag('pr', i)} AND {s(i)} IS NULL AND NOT "
            f"{flag('nm', i)} THEN {head} || COALESCE({text(_raw_json(raw, schema[raw]))}, "
            "'null') || '}' END"
        )
    unmapped = joined(unmapped_items)
    floors = joined(
        [
            f"CASE WHEN {s(i)} >= {ind.floor.min_score} THEN {_floor_head(ind.id)} || "
            f"{text(s(i))} || {_floor_tail(ind.floor.min_score, ind.floor.phase)} END"
            for i, ind in inds
            if ind.floor is not None
        ]
    )
    from_risk = _sum([f'CAST("risk" >= {_num(cut)} AS INT)' for cut in model.severity.cuts])
    components = joined(
        [
            _cat(
                _lit(json.dumps(c) + ':{"value":'),
                text(_q(c)),
                _lit(',"aggregation":' + json.dumps(how[c]) + ',"answered":'),
                text(n(c)),
                f"CASE WHEN {n(c)} = 0 THEN {_TRUE_END} ELSE {_FALSE_END} END",
            )
            for c in COMPONENTS
        ],
        "{",
        "}",
    )
    defaulted = joined([f"CASE WHEN {n(c)} = 0 THEN {js(c)} END" for c in COMPONENTS])
    model_ref = json.dumps({"id": model.id, "version": model.version}, ensure_ascii=False)
    doc = _cat(
        _lit('{"model":' + model_ref + ',"components":'),
        components,
        _lit(',"levels":'),
        levels,
        _lit(',"drivers":'),
        drivers,
        _lit(',"unanswered":'),
        unanswered,
        _lit(',"unmapped":'),
        unmapped,
        _lit(',"floors":'),
        floors,
        _lit(',"phase_from_risk":'),
        text(from_risk + " + 1"),
        _lit(',"defaulted":'),
        defaulted,
        _lit("}"),
    )
    cols = ", ".join(_q(c) for c in keep)
    stages = [
        f"{_P}xa AS (SELECT *, {', '.join(stage_a)} FROM ({inner}) AS {_P}xi)",
        f"{_P}xb AS (SELECT *{''.join(', ' + b for b in stage_b)} FROM {_P}xa)",
        f"{_P}x0 AS (SELECT *{''.join(', ' + k for k in key_cols)} FROM {_P}xb)",
    ]
    for r, cols_r in enumerate(best_stages):
        stages.append(f"{_P}x{r + 1} AS (SELECT *, {', '.join(cols_r)} FROM {_P}x{r})")
    last = f"{_P}x{len(best_stages)}"
    return f"WITH {', '.join(stages)} SELECT {cols}, {doc} AS explanation FROM {last}"
