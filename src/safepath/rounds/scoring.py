"""A stored round scored with a risk model for the analyst page: phase counts (small cells
withheld) and the number of answers the model does not score."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from safepath.errors import InputError, Problem
from safepath.privacy.disclosure import small_cells
from safepath.rounds.service import load_table

if TYPE_CHECKING:
    import pyarrow as pa

    from safepath.risk.spec import RiskModel


@dataclass(frozen=True)
class RoundScore:
    model: str
    phases: dict[int, int | None]  # phase -> households (None: fewer than the threshold)
    scored: int
    unscored: int  # answers the model does not score, over all indicators


def score_round(session: Session, name: str, model_name: str) -> RoundScore:
    """Phase counts of a stored round under a risk model (with household columns from its
    repeats); counts below ``disclosure_threshold`` are withheld."""
    import pyarrow.compute as pc

    from safepath.risk import load_model, score_table
    from safepath.risk.unmapped import unmapped
    from safepath.surveys.household import repeat_tables, with_household_columns

    model = load_model(model_name)
    data = load_table(session, name)
    repeats = {t: load_table(session, name, t) for t in repeat_tables(model)}
    data = with_household_columns(model, data, repeats)
    missing = [c for c in model.record_fields() if c not in data.column_names]
    if missing:
        raise InputError(
            f"round {name!r} lacks {len(missing)} column(s) model {model.id} reads: "
            + ", ".join(missing[:10]),
            problems=[Problem("missing column", scope=name, column=c) for c in missing],
        )
    phases = score_table(model, data.select(model.record_fields())).to_pyarrow().column("phase")
    counts = {int(v["values"]): int(v["counts"]) for v in pc.value_counts(phases).to_pylist()}
    shown = {p: small_cells.count(counts.get(p, 0)) for p in range(1, 6)}
    return RoundScore(model.id, shown, data.num_rows, sum(u.records for u in unmapped(model, data)))


def model_records(session: Session, name: str, model: RiskModel, *, row: str) -> pa.Table:
    """A stored round as a model reads it: the main table (personal columns left out) with the
    household columns the model aggregates from repeat rows and each record's row number in
    ``row`` (counted from 1); InputError naming the columns the model reads and it lacks."""
    import pyarrow as pa

    from safepath.surveys.household import repeat_tables, with_household_columns

    data = load_table(session, name)
    repeats = {t: load_table(session, name, t) for t in repeat_tables(model)}
    data = with_household_columns(model, data, repeats)
    missing = [c for c in model.record_fields() if c not in data.column_names]
    if missing:
        raise InputError(
            f"round {name!r} lacks {len(missing)} column(s) model {model.id} reads: "
            + ", ".join(missing[:10]),
            problems=[Problem("missing column", scope=name, column=c) for c in missing],
        )
    return data.append_column(row, pa.array(range(1, data.num_rows + 1), pa.int64()))


def previous_round(session: Session, name: str) -> str:
    """The round stored just before ``name`` (by creation time): what a trend compares with."""
    from sqlalchemy import select

    from safepath.rounds.service import _get
    from safepath.store.models import SurveyRound

    current = _get(session, name)
    earlier = session.scalars(
        select(SurveyRound.name)
        .where(SurveyRound.created_at < current.created_at)
        .order_by(SurveyRound.created_at.desc())
        .limit(1)
    ).first()
    if earlier is None:
        raise InputError(
            f"no round was stored before {name!r}: name the earlier round (since)",
            problems=[Problem("no earlier round", scope=name)],
        )
    return str(earlier)
