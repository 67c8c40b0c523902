"""Table evaluator: a whole survey round -> the record evaluator's outputs, as Ibis expressions.

Stages (chained selects, so no subexpression is repeated inside one select; PERFORMANCE-NOTES):
  1. join the area profile (left, by place code), 2. one int32 score column per indicator
  (null = not applicable / unanswered), 3. per-component sums and counts, 4. T, V, C with defaults
  and the floor phase, 5. R and rounding, 6. phase and case level.
Arithmetic follows ``record.py`` operation by operation (``r6`` rounding in binary doubles), so
both evaluators agree bit-for-bit. Compiled SQL is cached per (model, input schema, backend).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.datatypes as dt
import pandas as pd
import pyarrow as pa

from safepath.errors import InputError
from safepath.risk.columns import (
    SCORE_T,
    ColumnView,
    _floor_double,
    _list_extract_text,
    score_lit,
)
from safepath.risk.expressions import Source
from safepath.risk.record import compile_model
from safepath.risk.spec import COMPONENTS, Indicator, RiskModel

if TYPE_CHECKING:
    from safepath.risk.sqlcache import SqlCache

OUTPUTS = ("threat", "vulnerability", "capacity", "risk", "phase", "case_level")
_P = "__sp_"  # prefix of internal columns
_AREA_KEY = "pcode"
_PH_INPUT = "__sp_input_placeholder"
_PH_AREA = "__sp_area_placeholder"

_local = threading.local()


def default_connection() -> Any:
    """The in-process DuckDB connection used for DataFrames, Arrow tables and files."""
    con = getattr(_local, "con", None)
    if con is None:
        con = _local.con = ibis.duckdb.connect()
    return con


def as_table(obj: Any, con: Any | None = None) -> Any:
    """An Ibis table for ``obj``: an Ibis table as is; a DataFrame, Arrow table or
    Parquet/CSV path registered on ``con`` (default: the in-process DuckDB)."""
    if isinstance(obj, ibis.Table):
        return obj
    con = con or default_connection()
    if isinstance(obj, str | Path):
        path = Path(obj)
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        suffix = path.suffix.lower()
        if suffix == ".parquet":
            return con.read_parquet(path)
        if suffix in (".csv", ".tsv", ".txt"):
            # no BOOLEAN sniffing: yes/no answers must stay the strings a model maps
            types = ["BIGINT", "DOUBLE", "VARCHAR"]
            header = _hxl_header(path)
            if header is not None:  # an HXL hashtag row under the header is not a record
                return con.read_csv(
                    path, skip=2, header=False, names=header, auto_type_candidates=types
                )
            return con.read_csv(path, auto_type_candidates=types)
        raise InputError(f"{path}: unsupported file type {suffix!r} (Parquet or CSV)")
    name = f"{_P}t_{uuid.uuid4().hex[:12]}"
    if isinstance(obj, pd.DataFrame):
        # via Arrow: Ibis 12's pandas schema inference warns under pandas 3
        obj = pa.Table.from_pandas(obj, preserve_index=False)
    if con.name == "duckdb":
        con.con.register(name, obj)  # zero-copy view over the DataFrame / Arrow table
        return con.table(name)
    if con.name == "sqlite":
        return _sqlite_temp_table(con, name, obj)
    return con.create_table(name, obj, temp=True)


def _hxl_header(path: Path) -> list[str] | None:
    """The header of a CSV file whose second line is an HXL hashtag row, else None."""
    import csv

    from safepath.hxl import is_hashtag_row

    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        rows = [row for _, row in zip(range(2), csv.reader(fh), strict=False)]
    if len(rows) == 2 and is_hashtag_row(rows[1]):
        return [c.strip() for c in rows[0]]
    return None


def _sqlite_temp_table(con: Any, name: str, data: Any) -> Any:
    """Load an Arrow table through sqlite3 itself (ibis 12's SQLite create_table from memory
    fails under this sqlglot, and binds pandas NA values, which sqlite3 rejects)."""
    if not isinstance(data, pa.Table):
        data = pa.table(data)
    cols = ", ".join(f'"{f.name}" {_sqlite_type(f.type)}' for f in data.schema)
    marks = ", ".join("?" * data.num_columns)
    con.con.execute(f'CREATE TEMP TABLE "{name}" ({cols})')
    con.con.executemany(
        f'INSERT INTO "{name}" VALUES ({marks})', [tuple(r.values()) for r in data.to_pylist()]
    )
    return con.table(name, database="temp")


def _sqlite_type(typ: Any) -> str:
    if pa.types.is_integer(typ) or pa.types.is_boolean(typ):
        return "INTEGER"
    return "REAL" if pa.types.is_floating(typ) else "TEXT"


def _backend(table: Any) -> Any:
    try:
        return table._find_backend(use_default=True)
    except Exception:  # noqa: BLE001 - an unbound table has no backend: compile for DuckDB
        return None


# --- expression building -------------------------------------------------------------------


def _indicator_score(ind: Indicator, view: ColumnView) -> Any:
    score = ind.score
    if score.map is not None:
        mapping = {k: v for k, v in score.map.items() if v is not None and k != ""}
        return view.lookup(mapping)
    if score.thresholds is not None:
        num = view.number()
        if num is None:
            return ibis.null(SCORE_T)
        return ibis.cases(
            *(
                (num >= ibis.literal(b, "float64"), score_lit(s))
                for b, s in reversed(score.thresholds)
            ),
            else_=ibis.null(SCORE_T),
        )
    multi = score.multiple
    assert multi is not None
    hits = {c: view.has_token(c).fill_null(False) for c in multi.values}
    none_any = _any([view.has_token(c).fill_null(False) for c in multi.none])
    values = dict(multi.values)
    if multi.else_ is not None:  # ``else``: any choice the model does not list
        hits["\x00else"] = _unlisted(view, [*multi.values, *multi.none]).fill_null(False)
        values["\x00else"] = multi.else_
    if multi.rule == "max":
        best = _greatest(
            [h.ifelse(s, 0) for (c, h), s in zip(hits.items(), values.values(), strict=True)]
        )
        chosen = best > 0
        value = best.cast(SCORE_T)
    else:
        total = _sum([h.ifelse(values[c] - 1, 0) for c, h in hits.items()])
        chosen = _any(list(hits.values()))
        value = ibis.least(total + 1, 5).cast(SCORE_T)
    return ibis.cases((chosen, value), (none_any, score_lit(1)), else_=ibis.null(SCORE_T))


def _unlisted(view: ColumnView, listed: list[str]) -> Any:
    """A select-multiple answer has a token outside ``listed`` (string functions only, so every
    backend runs it: each listed token is removed, twice for neighbours sharing a space)."""
    if not view._is_text():
        return ~view.matches(tuple(listed)) & view.present()
    rest = (ibis.literal(" ") + view.col) + ibis.literal(" ")
    for _ in range(2):
        for token in listed:
            rest = rest.replace(f" {token} ", " ")
    return rest.strip() != ""


def _explain_columns(
    i: int, ind: Indicator, view: ColumnView | None, resolve: Any
) -> dict[str, Any]:
    """What the explanation needs of indicator ``i`` besides its score (record.py's cases:
    not applicable, missing, mapped to null, unmapped)."""
    no = ibis.literal(False)
    applies = ibis.literal(True) if ind.condition is None else ind.condition.to_ibis(resolve)
    if view is None:
        return {f"{_P}ap{i}": applies, f"{_P}pr{i}": no, f"{_P}nm{i}": no}
    nulls = {k: 1 for k, v in (ind.score.map or {}).items() if v is None and k != ""}
    return {
        f"{_P}ap{i}": applies,
        f"{_P}pr{i}": view.present().fill_null(False),
        f"{_P}nm{i}": view.lookup(nulls).notnull() if nulls else no,
        f"{_P}raw{i}": view.col,
    }


def _flag(cond: Any, backend: str) -> Any:
    """1 / 0 for a non-null boolean: a cast in DuckDB (cheapest), CASE elsewhere (PostgreSQL
    cannot cast boolean to bigint)."""
    return cond.cast("int32") if backend == "duckdb" else cond.ifelse(1, 0)


def _any(parts: list[Any]) -> Any:
    out = ibis.literal(False) if not parts else parts[0]
    for p in parts[1:]:
        out = out | p
    return out


def _sum(parts: list[Any]) -> Any:
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out


def _greatest(parts: list[Any]) -> Any:
    return parts[0] if len(parts) == 1 else ibis.greatest(*parts)


def _least(a: Any, b: Any) -> Any:
    return ibis.least(a, b)


def build(
    model: RiskModel, table: Any, area: Any | None, backend: str, *, explain: bool = False
) -> Any:
    """The scoring expression over ``table`` (and ``area`` keyed by ``pcode``). With
    ``explain``, each indicator's score, whether it applies, whether it was answered, whether
    its answer is mapped to null, and the answer itself are carried to the output as internal
    columns (``explain_sql`` turns them into the explanation)."""
    clash = [c for c in OUTPUTS if c in table.columns]
    t = table.drop(*clash) if clash else table  # outputs replace same-named input columns
    inputs = list(t.columns)
    area_cols: dict[str, str] = {}
    if area is not None and model.place_field and model.place_field in inputs:
        wanted = [f for f in model.area_fields() if f in area.columns]
        area_cols = {f: f"{_P}a_{f}" for f in wanted}
        a = area.select(
            **{f"{_P}a_key": area[_AREA_KEY].cast("string")},
            **{alias: area[f] for f, alias in area_cols.items()},
        )
        t = t.left_join(a, t[model.place_field].cast("string") == a[f"{_P}a_key"])
        t = t.select(*inputs, *area_cols.values())

    def resolve(source: Source, name: str) -> ColumnView | None:
        if source == "area":
            alias = area_cols.get(name)
            return None if alias is None else ColumnView(t[alias], backend)
        return ColumnView(t[name], backend) if name in inputs else None

    # stage 2: scores
    scores: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for i, ind in enumerate(model.indicators):
        view = resolve(ind.source, ind.field)
        s = ibis.null(SCORE_T) if view is None else _indicator_score(ind, view)
        if ind.condition is not None:
            s = ind.condition.to_ibis(resolve).ifelse(s, ibis.null(SCORE_T))
        scores[f"{_P}s{i}"] = s
        if explain:
            extra.update(_explain_columns(i, ind, view, resolve))
    t = t.select(*inputs, **scores, **extra)
    if explain:  # carried through every later stage, like the input columns
        inputs = [*inputs, *scores, *extra]

    # stage 3: per-component sums and counts
    agg: dict[str, Any] = {}
    members = {
        c: [(i, ind) for i, ind in enumerate(model.indicators) if ind.component == c]
        for c in COMPONENTS
    }
    duck = backend == "duckdb"
    for comp in COMPONENTS:
        cols = [(t[f"{_P}s{i}"], ind) for i, ind in members[comp]]
        how = model.components[comp].aggregation
        if not cols:
            agg[f"{_P}{comp}_n"] = ibis.literal(0, "int32")
            continue
        if duck and how == "max":
            # DuckDB's GREATEST skips nulls (null only when all are): no count needed
            agg[f"{_P}{comp}_x"] = _greatest([s for s, _ in cols])
            continue
        if duck and how == "mean":
            # one sum carries both the count and the total: each answer adds its score + K
            # (K a power of two above the largest possible total), split again in stage 4
            key = _mean_key(len(cols))
            agg[f"{_P}{comp}_e"] = _sum([(s + key).fill_null(0) for s, _ in cols])
            continue
        agg[f"{_P}{comp}_n"] = _sum([_flag(s.notnull(), backend) for s, _ in cols])
        if how == "max":
            agg[f"{_P}{comp}_x"] = _greatest([s.fill_null(0) for s, _ in cols])
        elif how == "mean":
            agg[f"{_P}{comp}_x"] = _sum([s.fill_null(0) for s, _ in cols])
        elif how == "weighted_mean":
            agg[f"{_P}{comp}_x"] = _sum(
                [(ibis.literal(ind.weight, "float64") * s).fill_null(0.0) for s, ind in cols]
            )
            agg[f"{_P}{comp}_w"] = _sum(
                [s.notnull().ifelse(ibis.literal(ind.weight, "float64"), 0.0) for s, ind in cols]
            )
        else:  # top_half_mean: sum of the top k = sum over v of min(k, #scores >= v)
            for v in range(2, 6):
                agg[f"{_P}{comp}_ge{v}"] = _sum(
                    [(s >= v).fill_null(False).ifelse(1, 0) for s, _ in cols]
                )
    floors = [(t[f"{_P}s{i}"], ind.floor) for i, ind in enumerate(model.indicators) if ind.floor]
    # a null score compares null, and CASE WHEN null takes the ELSE branch
    agg[f"{_P}floor"] = (
        _greatest([(s >= fl.min_score).ifelse(fl.phase, 1) for s, fl in floors])
        if floors
        else ibis.literal(1, "int32")
    )
    t = t.select(*inputs, **agg)

    # stage 4: component values (defaults when nothing was answered)
    comps: dict[str, Any] = {}
    for comp in COMPONENTS:
        spec = model.components[comp]
        default = ibis.literal(float(spec.default), "float64")
        if not members[comp]:
            comps[f"{_P}{comp}"] = default
            continue
        if duck and spec.aggregation == "max":
            comps[f"{_P}{comp}"] = t[f"{_P}{comp}_x"].cast("float64").fill_null(default)
            continue
        if duck and spec.aggregation == "mean":
            e, key = t[f"{_P}{comp}_e"], _mean_key(len(members[comp]))
            total = (e & (key - 1)).cast("float64")
            count = (e >> (key.bit_length() - 1)).cast("float64")
            comps[f"{_P}{comp}"] = (e >= key).ifelse(total / count, default)
            continue
        n = t[f"{_P}{comp}_n"]
        if spec.aggregation == "max":
            val = t[f"{_P}{comp}_x"].cast("float64")
        elif spec.aggregation == "mean":
            val = t[f"{_P}{comp}_x"].cast("float64") / n.cast("float64")
        elif spec.aggregation == "weighted_mean":
            val = t[f"{_P}{comp}_x"] / t[f"{_P}{comp}_w"]
        else:
            k = ((n + 1) // 2).cast("int64")
            top = _sum([_least(k, n), *(_least(k, t[f"{_P}{comp}_ge{v}"]) for v in range(2, 6))])
            val = top.cast("float64") / k.cast("float64")
        comps[f"{_P}{comp}"] = (n > 0).ifelse(val, default)
    t = t.select(*inputs, **comps, **{f"{_P}floor": t[f"{_P}floor"]})

    # stage 5: risk and rounding
    tv, vv, cv = (t[f"{_P}{c}"] for c in COMPONENTS)
    t = t.select(
        *inputs,
        threat=_r6(tv, backend),
        vulnerability=_r6(vv, backend),
        capacity=_r6(cv, backend),
        risk=_r6((tv + vv) / cv, backend),
        **{f"{_P}floor": t[f"{_P}floor"]},
    )

    # stage 6: phase (cuts, then floors) and case level
    # phase from R = 1 + number of cuts R reaches (cuts ascending): no CASE needed
    from_risk = (
        _sum([_flag(t.risk >= ibis.literal(c, "float64"), backend) for c in model.severity.cuts])
        + 1
    )
    phase = from_risk if not floors else ibis.greatest(from_risk, t[f"{_P}floor"])
    t = t.select(*inputs, "threat", "vulnerability", "capacity", "risk", phase=phase.cast("int64"))
    levels = model.case_levels.phases
    if backend == "duckdb":
        names = ibis.literal([levels[p] for p in range(1, 6)], type=dt.Array(dt.string))
        case_level = _list_extract_text(names, t.phase)
    else:
        case_level = t.phase.cases(
            *((p, levels[p]) for p in sorted(levels)), else_=ibis.null("string")
        )
    return t.select(
        *inputs, "threat", "vulnerability", "capacity", "risk", "phase", case_level=case_level
    )


def _mean_key(members: int) -> int:
    """The power of two K above the largest total of ``members`` scores (5 each)."""
    return 1 << max(3, (5 * members).bit_length())


def _r6(x: Any, backend: str) -> Any:
    """record.r6 in SQL: floor(x * 1e6 + 0.5) / 1e6 in doubles."""
    scaled = x * ibis.literal(1000000.0, "float64") + ibis.literal(0.5, "float64")
    if backend == "duckdb":
        # FLOOR of a DOUBLE is a DOUBLE there: no round trip through BIGINT (same value)
        return _floor_double(scaled) / ibis.literal(1000000.0, "float64")
    return scaled.floor().cast("float64") / ibis.literal(1000000.0, "float64")


# --- compiled SQL cache ---------------------------------------------------------------------


def schema_doc(table: Any) -> list[list[str]]:
    """A table's schema as JSON: ``[[name, type], ...]`` (the types Ibis parses back)."""
    return [[n, str(t)] for n, t in table.schema().items()]


_SQL_CACHE: dict[str, tuple[str, Any]] = {}  # canonical key -> (SQL, Ibis schema)
_SQL_CACHE_SIZE = 64


def compiled(
    key: dict[str, Any],
    make: Callable[[], tuple[str, Any]],
    cache: SqlCache | None,
) -> tuple[str, Any]:
    """The SQL and Ibis result schema ``make()`` compiles, looked up by ``key`` in this
    process, then in ``cache``; built and compiled only when both miss."""
    from safepath.risk.sqlcache import valid_entry

    name = json.dumps(key, sort_keys=True)
    hit = _SQL_CACHE.get(name)
    if hit is not None:
        return hit
    value = cache.get(key) if cache is not None else None
    schema = None
    if value is not None and valid_entry(value):
        try:
            schema = ibis.schema([(n, t) for n, t in value["schema"]])
        except Exception:  # noqa: BLE001 - a type this Ibis cannot parse: compile afresh
            schema = None
    if schema is None:
        sql, schema = make()
        value = {"sql": sql, "schema": [[n, str(t)] for n, t in schema.items()]}
        if cache is not None:
            cache.put(key, value)
    assert value is not None
    hit = (str(value["sql"]), schema)
    if len(_SQL_CACHE) >= _SQL_CACHE_SIZE:
        _SQL_CACHE.pop(next(iter(_SQL_CACHE)))
    _SQL_CACHE[name] = hit
    return hit


def compile_expr(expr: Any, con: Any) -> tuple[str, Any]:
    return str(con.compile(expr)), expr.schema()


def cache_key(kind: str, model: RiskModel, backend: str, **parts: Any) -> dict[str, Any]:
    from safepath.risk.sqlcache import code_version

    return {
        "kind": kind,
        "model": [model.id, model.version, model.digest()],
        "backend": backend,
        "code": code_version(),
        **parts,
    }


def splice(sql: str, con: Any, inputs: dict[str, Any]) -> str | None:
    """``sql`` with each placeholder table replaced by the SQL of its input (None when a
    placeholder cannot be found, e.g. a backend that renames identifiers)."""
    for placeholder, expr in inputs.items():
        if expr is None:
            continue
        sub = f"({con.compile(expr)})"
        quoted = (f'"{placeholder}"', f"`{placeholder}`")
        if not any(q in sql for q in quoted):
            return None
        for q in quoted:
            sql = sql.replace(q, sub)
    return None if _PH_INPUT in sql or _PH_AREA in sql else sql


def relation(con: Any, sql: str, schema: Any) -> Any:
    """An Ibis table over ``sql``. On DuckDB a temporary view: later expressions (and the
    final fetch) then refer to it by name, where Ibis would parse the whole SQL text again
    each time it compiles a ``con.sql`` table."""
    if con.name == "duckdb":
        import ibis.expr.operations as ops

        name = f"{_P}v_{uuid.uuid4().hex[:12]}"
        con.con.execute(f'CREATE TEMPORARY VIEW "{name}" AS {sql}')
        # the schema is known: con.table(name) would ask DuckDB and parse every type again
        return ops.DatabaseTable(
            name, schema=schema, source=con, namespace=ops.Namespace(catalog=None, database=None)
        ).to_expr()
    return con.sql(sql, schema=schema)


def _score_sql(
    model: RiskModel,
    table: Any,
    area: Any | None,
    con: Any,
    cache: SqlCache | None,
    *,
    explain: bool = False,
) -> tuple[str, Any] | None:
    """Cached SQL with the input tables spliced in (and its schema), or None when this
    backend can't do it. ``explain`` (DuckDB): with the explanation column in SQL."""
    schema = schema_doc(table)
    area_schema = None if area is None else schema_doc(area)
    kind = "score+explanation" if explain else "score"
    key = cache_key(kind, model, con.name, input=schema, area=area_schema)

    def make() -> tuple[str, Any]:
        placeholder = ibis.table(dict(schema), name=_PH_INPUT)
        area_ph = None if area_schema is None else ibis.table(dict(area_schema), name=_PH_AREA)
        expr = build(model, placeholder, area_ph, con.name, explain=explain)
        if not explain:
            return compile_expr(expr, con)
        from safepath.risk.explain_sql import explanation_sql

        inner = expr.schema()
        keep = [*(n for n, _ in schema if n not in OUTPUTS and n != "explanation"), *OUTPUTS]
        sql = explanation_sql(model, str(con.compile(expr)), dict(inner.items()), keep)
        out = ibis.schema([*((n, inner[n]) for n in keep), ("explanation", "string")])
        return sql, out

    try:
        sql, out_schema = compiled(key, make, cache)
    except Exception:  # noqa: BLE001 - this backend cannot compile unbound tables: no cache
        if explain:
            raise
        return None
    spliced = splice(sql, con, {_PH_INPUT: table, _PH_AREA: area})
    return None if spliced is None else (spliced, out_schema)


# --- public ---------------------------------------------------------------------------------


def score_table(
    model: RiskModel,
    table: Any,
    area_profile: Any | None = None,
    *,
    explain: bool = False,
    sql_cache: SqlCache | None = None,
) -> Any:
    """Score every row of ``table`` (Ibis table, DataFrame, Arrow table or Parquet/CSV path).

    Returns an Ibis table: the input columns (any named like an output are replaced) plus
    ``threat, vulnerability, capacity, risk, phase, case_level``. ``area_profile`` is a table
    keyed by ``pcode`` (unique) joined on the model's ``place_field``. With ``explain=True`` an
    ``explanation`` JSON column is added: the record evaluator's explanation, computed in SQL on
    DuckDB (``explain_sql``); elsewhere the rows are fetched and explained one by one (the
    result is then an in-memory table). ``sql_cache`` keeps the compiled SQL between processes
    (see ``sqlcache``): with a warm cache no expression is built.
    """
    t = as_table(table)
    con = _backend(t)
    area = None if area_profile is None else as_table(area_profile, con)
    if area is not None and _AREA_KEY not in area.columns:
        raise InputError(f"area profile has no {_AREA_KEY!r} column")
    backend = con.name if con is not None else "duckdb"
    in_sql = con is not None and not _has_memtable(t) and (area is None or not _has_memtable(area))
    if explain and not (in_sql and backend == "duckdb"):
        return _explained(model, t, area)  # row by row, through the record evaluator
    cached = _score_sql(model, t, area, con, sql_cache, explain=explain) if in_sql else None
    if cached is not None:
        return relation(con, *cached)
    return build(model, t, area, backend)


def _has_memtable(expr: Any) -> bool:
    """Memtables are registered at execution: raw cached SQL cannot refer to them."""
    import ibis.expr.operations as ops

    return bool(expr.op().find(ops.InMemoryTable))


def _explained(model: RiskModel, t: Any, area: Any | None) -> Any:
    """Fetch rows, evaluate each with the record evaluator (which the property test ties to the
    table evaluator), and return them with an ``explanation`` column."""
    compiled = compile_model(model)
    rows = t.to_pyarrow().to_pylist()
    profile: dict[str, dict[str, Any]] = {}
    if area is not None:
        for row in area.to_pyarrow().to_pylist():
            profile[str(row[_AREA_KEY])] = row
    place = model.place_field
    out: dict[str, list[Any]] = {c: [] for c in (*OUTPUTS, "explanation")}
    for rec in rows:
        key = rec.get(place) if place else None
        a = compiled.evaluate(rec, profile.get(str(key)) if key is not None else None, True)
        for c in OUTPUTS:
            out[c].append(getattr(a, c))
        out["explanation"].append(json.dumps(a.explanation, ensure_ascii=False))
    base = t.to_pyarrow()
    keep = [c for c in base.column_names if c not in (*OUTPUTS, "explanation")]
    result = base.select(keep)
    types = {"phase": pa.int64(), "case_level": pa.string(), "explanation": pa.string()}
    for c, values in out.items():
        result = result.append_column(c, pa.array(values, type=types.get(c, pa.float64())))
    return ibis.memtable(result)
