"""Getting data into Ibis, and checking the columns a disclosure measure reads.

Every measure takes an Ibis table, so a survey round stored in a database is measured where it
lives; a pandas frame or Arrow table is registered on an in-process DuckDB connection.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from safepath.errors import InputError, Problem

_local = threading.local()


def connection() -> Any:
    """The in-process DuckDB connection (one per thread) for frames and Arrow tables."""
    con = getattr(_local, "con", None)
    if con is None:
        con = _local.con = ibis.duckdb.connect()
        con.raw_sql("SET enable_progress_bar = false")
    return con


def as_table(data: ir.Table | pd.DataFrame | pa.Table) -> ir.Table:
    """An Ibis table: an Ibis table as is, a frame or Arrow table as a DuckDB view over it."""
    if isinstance(data, ir.Table):
        return data
    if isinstance(data, pd.DataFrame):
        data = arrow_from_pandas(data)
    con = connection()
    name = f"_sdc_{uuid.uuid4().hex[:12]}"
    con.con.register(name, data)  # zero-copy view
    return con.table(name)


def arrow_from_pandas(frame: pd.DataFrame) -> pa.Table:
    """Arrow from pandas with NaN as null; a column mixing numbers and text becomes text."""
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        fixed = frame.copy()
        for col in fixed.columns:
            if fixed[col].dtype == object:
                fixed[col] = fixed[col].map(lambda v: None if v is None or v != v else str(v))
        return pa.Table.from_pandas(fixed, preserve_index=False)


def require(table: ir.Table, columns: Sequence[str], *, source: str = "the table") -> None:
    """InputError naming every column the measure needs that the table lacks."""
    have = set(table.columns)
    missing = [c for c in dict.fromkeys(columns) if c not in have]
    if missing:
        raise InputError(
            f"{source} lacks {len(missing)} column(s): {', '.join(missing)}",
            problems=[Problem("missing column", scope=source, column=c) for c in missing],
        )


def distinct_names(keys: Sequence[str], what: str = "key variables") -> list[str]:
    names = [k.strip() for k in keys if k and k.strip()]
    if not names:
        raise InputError(f"no {what} given")
    dupes = sorted({k for k in names if names.count(k) > 1})
    if dupes:
        raise InputError(f"{what} named more than once: {', '.join(dupes)}")
    return names


def missing_as_null(table: ir.Table, columns: Sequence[str]) -> ir.Table:
    """Floating-point NaN counts as a missing value, like NULL (pandas writes NaN for blanks)."""
    schema = table.schema()
    fixes = {
        c: ibis.ifelse(table[c].isnan(), ibis.null(schema[c]), table[c])
        for c in columns
        if schema[c].is_floating()
    }
    return table.mutate(**fixes) if fixes else table
