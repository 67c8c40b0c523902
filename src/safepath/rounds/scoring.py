"""A stored round scored with a risk model for the analyst page: phase counts (small cells
withheld) and the number of answers the model does not score."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from safepath.errors import InputError, Problem
from safepath.privacy.disclosure import small_cells
from safepath.rounds.service import load_table


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
