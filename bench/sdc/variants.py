"""The three ways of computing the risk measures, on the same Parquet file.

Each returns the summary (global risk, expected re-identifications, k-anonymity violations for
k = 2, 3, 5) and, with ``per_record``, materialises fk, Fk and risk for every record in input
order, as ``safepath sdc risk --format json`` needs them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

KEYS = ["urbrur", "roof", "walls", "water", "electcon", "relat", "sex"]
WEIGHT = "sampling_weight"
ROW = "row_id"


def safepath(path: Path, per_record: bool) -> dict[str, Any]:
    import ibis

    from safepath.privacy.disclosure import measure_risk, record_risk

    con = ibis.duckdb.connect()
    t = con.read_parquet(path)
    m = measure_risk(t, KEYS, WEIGHT)
    out: dict[str, Any] = {
        "global_risk": m.global_risk,
        "er": m.expected_reidentifications,
        "k": dict(m.k_violations),
    }
    if per_record:
        rows = record_risk(t.select(ROW, *KEYS, WEIGHT), m).order_by(ROW)
        out["rows"] = rows.select("fk", "Fk_pop", "risk").to_pyarrow().num_rows
    return out


# The approximate risk, written out in SQL (f = 1, f = 2, f >= 3; F = f gives 1/f).
_RISK_SQL = """
CASE WHEN n = W THEN 1.0 / n
     WHEN n = 1 THEN (n / (W - n)) * ln(W / n)
     WHEN n = 2 THEN (n / (W - n)) - (n / (W - n)) * (n / (W - n)) * ln(W / n)
     ELSE (n / W) / (n - (W - n) / W) END
"""


def sql(path: Path, per_record: bool) -> dict[str, Any]:
    """Hand-written DuckDB: a GROUP BY of the keys (a missing value is its own category here:
    it matches nothing, unlike sdcMicro; the benchmark data have none for this comparison)."""
    import duckdb

    keys = ", ".join(KEYS)
    con = duckdb.connect()
    g = (
        f"SELECT {keys}, count(*)::DOUBLE AS n, sum({WEIGHT})::DOUBLE AS W "
        f"FROM '{path}' GROUP BY ALL"
    )
    summary = f"""WITH g AS ({g}), r AS (SELECT *, {_RISK_SQL} AS risk FROM g)
        SELECT sum(n * risk) / sum(n), sum(n * risk),
               sum(n) FILTER (WHERE n < 2), sum(n) FILTER (WHERE n < 3), sum(n) FILTER (WHERE n < 5)
        FROM r"""
    row = con.sql(summary).fetchall()[0]
    out: dict[str, Any] = {
        "global_risk": row[0],
        "er": row[1],
        "k": {2: int(row[2] or 0), 3: int(row[3] or 0), 5: int(row[4] or 0)},
    }
    if per_record:
        rec = con.sql(
            f"""WITH g AS ({g}), r AS (SELECT *, {_RISK_SQL} AS risk FROM g)
            SELECT t.{ROW}, r.n AS fk, r.W AS Fk, r.risk FROM '{path}' t
            JOIN r USING ({keys}) ORDER BY t.{ROW}"""
        ).to_arrow_table()
        out["rows"] = rec.num_rows
    return out


def pandas(path: Path, per_record: bool) -> dict[str, Any]:
    """As an analyst would write it: read, group by, the closed forms vectorised."""
    import numpy as np
    import pandas as pd

    df = pd.read_parquet(path, columns=[ROW, *KEYS, WEIGHT])
    g = df.groupby(KEYS, sort=False)[WEIGHT].agg(["size", "sum"])
    n, W = g["size"].to_numpy(float), g["sum"].to_numpy(float)
    p = n / W
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(
            n == W,
            1 / n,
            np.where(
                n == 1,
                p / (1 - p) * np.log(1 / p),
                np.where(
                    n == 2, p / (1 - p) - (p / (1 - p)) ** 2 * np.log(1 / p), p / (n - (1 - p))
                ),
            ),
        )
    er = float((n * r).sum())
    out: dict[str, Any] = {
        "global_risk": er / n.sum(),
        "er": er,
        "k": {k: int(n[n < k].sum()) for k in (2, 3, 5)},
    }
    if per_record:
        grp = df.groupby(KEYS, sort=False)[WEIGHT]
        fk = grp.transform("size")
        Fk = grp.transform("sum")
        risk = pd.Series(r, index=g.index).reindex(pd.MultiIndex.from_frame(df[KEYS])).to_numpy()
        out["rows"] = len(pd.DataFrame({"fk": fk, "Fk": Fk, "risk": risk}))
    return out


VARIANTS = {"sql": sql, "safepath": safepath, "pandas": pandas}
