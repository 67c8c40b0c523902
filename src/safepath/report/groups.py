"""The report's disaggregation columns: sex, age group and disability (Washington Group), by
default wherever the round has what they need (``disaggregation.yaml``).

Values are catalogue codes (``sex_gender``, ``age_brackets``; ``disability`` / ``no_disability``)
or ``(missing)``: a blank answer, or one the list does not know, is its own group, never dropped
and never guessed. Households take their disability from their members (any member with a lot of
difficulty or unable in one domain), when the WG questions sit in a repeat table (the roster).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import pyarrow as pa
import yaml

from safepath.risk.codes import AGE_BRACKETS, as_number, canonical, is_missing
from safepath.risk.spec import RiskModel
from safepath.surveys.submissions import KEY, SUBMISSION

MISSING = "(missing)"
DIMENSIONS = ("sex", "age_bracket", "disability")
PREFIX = "_sp_by_"


@dataclass(frozen=True)
class Grouping:
    """A disaggregation found in the round: its name, the column it adds, where it comes from."""

    name: str
    column: str
    source: str  # the round column(s) it is read from, for the report's method note


@cache
def spec() -> dict[str, Any]:
    text = (files("safepath.report") / "disaggregation.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _sex(v: Any, values: Mapping[str, str]) -> str:
    return MISSING if is_missing(v) else values.get(canonical(v), MISSING)


def _age(v: Any) -> str:
    n = as_number(v)
    if n is None or n < 0:
        return MISSING
    return next(code for code, _, hi in AGE_BRACKETS if n < hi)


def _wg(values: list[Any], a_lot: set[str], unanswered: set[str]) -> str:
    answered = [canonical(v) for v in values if not is_missing(v)]
    answered = [v for v in answered if v not in unanswered]
    if any(v in a_lot for v in answered):
        return "disability"
    return "no_disability" if answered else MISSING


def add_groupings(
    model: RiskModel, data: pa.Table, repeats: Mapping[str, pa.Table] | None = None
) -> tuple[pa.Table, list[Grouping]]:
    """``data`` with one column per default disaggregation the round supports."""
    s = spec()
    names = set(data.column_names)
    found: list[Grouping] = []

    def add(name: str, values: list[str], source: str) -> None:
        nonlocal data
        column = PREFIX + name
        data = data.append_column(column, pa.array(values, pa.string()))
        found.append(Grouping(name, column, source))

    dim = model.dimensions.get("sex")
    field = dim.field if dim and dim.field in names else None
    field = field or next((c for c in s["sex"]["columns"] if c in names), None)
    if field:
        mapping = {canonical(k): v for k, v in s["sex"]["values"].items()}
        if dim and dim.map and field == dim.field:
            mapping = {**mapping, **dim.map}
        add("sex", [_sex(v, mapping) for v in data.column(field).to_pylist()], field)
    dim = model.dimensions.get("age_bracket")
    field = dim.field if dim and dim.field in names else None
    field = field or next((c for c in s["age_bracket"]["columns"] if c in names), None)
    if field:
        add("age_bracket", [_age(v) for v in data.column(field).to_pylist()], field)
    d = s["disability"]
    a_lot = {canonical(v) for v in d["a_lot"]}
    unanswered = {canonical(v) for v in d["unanswered"]}
    dim = model.dimensions.get("disability")
    wg = [c for c in (dim.fields or []) if c in names] if dim else []
    if dim and dim.a_lot:
        a_lot |= {canonical(v) for v in dim.a_lot}
    wg = wg or [c for c in d["wg_columns"] if c in names]
    if wg:
        rows = data.select(wg).to_pylist()
        add("disability", [_wg(list(r.values()), a_lot, unanswered) for r in rows], ", ".join(wg))
    elif repeats and KEY in names:
        for table_name, table in repeats.items():
            cols = [c for c in d["wg_columns"] if c in table.column_names]
            if not cols or SUBMISSION not in table.column_names:
                continue
            members: dict[str, list[Any]] = {}
            for r in table.select([SUBMISSION, *cols]).to_pylist():
                members.setdefault(str(r[SUBMISSION]), []).extend(r[c] for c in cols)
            values = [
                _wg(members.get(str(k), []), a_lot, unanswered)
                for k in data.column(KEY).to_pylist()
            ]
            add("disability", values, f"{table_name}: {', '.join(cols)} (any member)")
            break
    return data, found
