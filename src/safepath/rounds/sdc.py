"""Disclosure risk and anonymisation for the API and the data-protection page: on a stored round
(its table without the personal columns) or on an uploaded microdata file.

Measuring reads nothing personal and records nothing; anonymising a stored round is an export
(``export_round``: the policy, audited), anonymising an upload returns the caller's own records
suppressed (nothing of the store leaves, nothing is audited)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy.orm import Session

from safepath.errors import InputError
from safepath.privacy.actor import Actor
from safepath.privacy.disclosure import local_suppression, measure_risk
from safepath.privacy.disclosure.exports import ExportResult
from safepath.privacy.disclosure.payloads import ROW, figures, risk_of
from safepath.privacy.disclosure.tables import arrow_from_pandas, as_table
from safepath.rounds.access import require_rounds
from safepath.rounds.export import export_round
from safepath.rounds.service import load_table
from safepath.surveys.submissions import MAIN
from safepath.surveys.tables import read_table

MAX_RECORDS_SHOWN = 10_000  # records listed in an answer; the figures always cover all


def read_upload(path: Path, columns: Sequence[str]) -> pa.Table:
    frame = read_table(path, columns=[c for c in dict.fromkeys(columns) if c])
    return arrow_from_pandas(frame)


def round_data(session: Session, actor: Actor, name: str, table: str = MAIN) -> pa.Table:
    require_rounds(actor)
    return load_table(session, name, table)


def measure(
    data: pa.Table,
    keys: Sequence[str],
    *,
    weight: str | None = None,
    household: str | None = None,
    method: str = "approx",
    qual: float = 1.0,
    records: bool = False,
    source: str,
) -> dict[str, Any]:
    """sdc risk: the figures, and with ``records`` each record's fk, Fk and risk (input
    order; at most MAX_RECORDS_SHOWN)."""
    if records and data.num_rows > MAX_RECORDS_SHOWN:
        raise InputError(
            f"{source} has {data.num_rows} records: per-record risk is listed for at most "
            f"{MAX_RECORDS_SHOWN} (use the command line, or records=false)"
        )
    out = risk_of(
        data,
        keys,
        weight,
        method=method,
        qual=qual,
        household=household,
        records=records,
        source=source,
    )
    return {"source": source, **out}


def anonymise_upload(
    data: pa.Table,
    keys: Sequence[str],
    *,
    k: int = 3,
    importance: Sequence[str] | None = None,
    weight: str | None = None,
    source: str,
) -> tuple[pa.Table, dict[str, Any]]:
    """Local suppression of an uploaded file to k-anonymity: the records (input order) and the
    summary (suppressions per variable, the risk before and after)."""
    if ROW in data.column_names:
        raise InputError(f"{source}: the column name {ROW!r} is reserved")
    table = as_table(data.append_column(ROW, pa.array(range(data.num_rows), pa.int64())))
    before = measure_risk(table, keys, weight, source=source)
    safe, sup = local_suppression(
        table, keys, k, importance=importance or None, weight=weight, source=source
    )
    out = safe.order_by(ROW).drop(ROW).to_pyarrow()
    after = measure_risk(as_table(out), keys, weight, source=source)
    return out, {
        "source": source,
        "records_count": out.num_rows,
        "k": k,
        "keys": list(keys),
        "importance": list(sup.importance),
        "suppressed": dict(sup.suppressed),
        "suppressed_total": sup.total,
        "before": figures(before),
        "after": figures(after),
    }


def anonymise_round(
    session: Session,
    actor: Actor,
    name: str,
    *,
    keys: Sequence[str] = (),
    k: int | None = None,
    importance: Sequence[str] | None = None,
    table: str = MAIN,
) -> ExportResult:
    """A stored round exported anonymised through the policy (audited). The caller commits,
    then calls ``released()`` (DisclosureRefused when even anonymised it is over policy)."""
    return export_round(
        session, actor, name, table=table, anonymise=True, keys=keys, importance=importance, k=k
    )
