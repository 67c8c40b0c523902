"""The answers of ``sdc risk`` and ``sdc anonymise``, one shape for the CLI, the API and the
data-protection page: the figures of a table, and its records' fk, Fk and risk in input order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa

from safepath.privacy.disclosure.measures import RiskMeasures, measure_risk, record_risk
from safepath.privacy.disclosure.tables import as_table

ROW = "_sdc_row"


def figures(m: RiskMeasures) -> dict[str, Any]:
    return {
        "global_risk": m.global_risk,
        "expected_reidentifications": m.expected_reidentifications,
        "max_risk": m.max_risk,
        "k_violations": {str(k): v for k, v in m.k_violations.items()},
    }


def risk_summary(m: RiskMeasures) -> dict[str, Any]:
    summary = m.summary()
    out: dict[str, Any] = {
        **figures(m),
        "records_count": m.records,
        **{n: summary[n] for n in ("keys", "weight", "method", "qual")},
    }
    if "household" in summary:
        out["household"] = summary["household"]
    return out


def per_record(table: ir.Table, m: RiskMeasures, order: str = ROW) -> list[dict[str, Any]]:
    """fk, Fk and risk of every record, ordered by the ``order`` column."""
    rows = record_risk(table, m).order_by(order).to_pyarrow()
    cols = ["fk", "Fk_pop", "risk"] + (["household_risk"] if m.household_column else [])
    data = {c: rows[c].to_pylist() for c in cols}
    out = []
    for i in range(rows.num_rows):
        rec = {"fk": data["fk"][i], "Fk": data["Fk_pop"][i], "risk": data["risk"][i]}
        if m.household_column:
            rec["household_risk"] = data["household_risk"][i]
        out.append(rec)
    return out


def risk_of(
    data: pa.Table,
    keys: Sequence[str],
    weight: str | None = None,
    *,
    method: str = "approx",
    qual: float = 1.0,
    household: str | None = None,
    records: bool = True,
    source: str = "the table",
) -> dict[str, Any]:
    """``sdc risk`` on an Arrow table: the summary, and per record (input order) on request."""
    from safepath.errors import InputError

    if ROW in data.column_names:
        raise InputError(f"{source}: the column name {ROW!r} is reserved")
    table = as_table(data.append_column(ROW, pa.array(range(data.num_rows), pa.int64())))
    m = measure_risk(
        table, keys, weight, method=method, qual=qual, household=household, source=source
    )
    out = risk_summary(m)
    if records:
        out = {"records": per_record(table, m), **out}
    return out
