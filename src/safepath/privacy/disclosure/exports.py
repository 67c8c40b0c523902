"""What every microdata export path calls: the operation's policy for the dataset's kind (its
key variables present in the data, its weight, its thresholds), then ``control_export``:
released, anonymised on request, or refused; one audit event with the figures either way.

The records keep their order (local suppression joins on key patterns, which would not)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd
import pyarrow as pa
from sqlalchemy.orm import Session

from safepath.errors import InputError, Problem
from safepath.privacy.actor import Actor
from safepath.privacy.disclosure.kinds import export_kind
from safepath.privacy.disclosure.policy import DisclosureReport, control_export
from safepath.privacy.disclosure.tables import as_table

ORDER = "_sdc_export_row"


@dataclass(frozen=True)
class ExportResult:
    data: pa.Table | None  # None when refused
    report: DisclosureReport

    def released(self) -> pa.Table:
        """The data to write, or DisclosureRefused (call after the audit event is committed)."""
        self.report.raise_if_refused()
        assert self.data is not None
        return self.data


def _expansion_weight(table: pa.Table, weight: str | None) -> str | None:
    """The policy's weight column when it holds expansion weights (each >= 1: the people a record
    represents), else None. Survey rounds often carry normalised weights (mean 1, some below 1),
    with which the individual-risk model is undefined; measured unweighted instead (Fk = fk), an
    export's risk is its highest, so a normalised weight never lets more through."""
    if weight is None:
        return None
    import pyarrow.compute as pc

    try:
        low = pc.min(pc.cast(table.column(weight), pa.float64())).as_py()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return weight  # not numbers: the measure refuses them, naming the column

    return weight if low is None or low >= 1 else None


def control_dataset(
    session: Session,
    actor: Actor,
    data: pa.Table | pd.DataFrame,
    *,
    kind: str,
    record_id: str | int | None = None,
    anonymise: bool = False,
    keys: Sequence[str] = (),
    importance: Sequence[str] | None = None,
    k: int | None = None,
) -> ExportResult:
    """``data`` checked against the policy of ``kind`` (``export_kinds.yaml``). ``keys`` adds key
    variables to the policy's and ``k`` can only raise its k: an exporter makes the policy
    stricter, never weaker. The caller commits, then calls ``released()``."""
    spec = export_kind(kind)
    table = data if isinstance(data, pa.Table) else pa.Table.from_pandas(data, preserve_index=False)
    if ORDER in table.column_names:
        raise InputError(f"the column name {ORDER!r} is reserved")
    key_list = spec.keys_in(table.column_names, [k_ for k_ in keys if k_])
    if not key_list:
        raise InputError(
            f"the {spec.label} have none of the policy's key variables "
            f"({', '.join(spec.keys)}): name the quasi-identifiers with keys",
            problems=[Problem("no key variables", scope=kind)],
        )
    policy = spec.policy()
    if k is not None and k > policy.k:
        policy = replace(policy, k=k)
    ordered = as_table(table.append_column(ORDER, pa.array(range(table.num_rows), pa.int64())))
    done = control_export(
        session,
        actor,
        ordered,
        key_list,
        kind=kind,
        record_id=record_id,
        policy=policy,
        weight=_expansion_weight(table, spec.weight_in(table.column_names)),
        anonymise=anonymise,
        importance=importance,
        ages=spec.ages_in(table.column_names, key_list),
    )
    if done.table is None:
        return ExportResult(None, done.report)
    out = done.table.order_by(ORDER).drop(ORDER).to_pyarrow()
    return ExportResult(out, done.report)
