"""Checks on a survey table before it is scored: the numeric fields a model reads hold numbers
on the model's scale.

The evaluators read a text (``abc``) or an out-of-scale number (``-999``) in a thresholds field
as no answer and score the record without it, silently. The shipped models declare no missing
codes, so such a value is refused instead, naming the row and column: the analyst recodes it
(an empty cell is a missing answer) and runs again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from safepath.errors import ProblemCollector
from safepath.risk.codes import as_number, is_missing
from safepath.risk.spec import RiskModel


@dataclass(frozen=True)
class NumericField:
    name: str
    minimum: float  # the lowest bound of the model's thresholds: below it nothing scores
    indicator: str


def numeric_fields(model: RiskModel) -> list[NumericField]:
    """Record columns the model scores by thresholds, with the lowest value on its scale."""
    out: dict[str, NumericField] = {}
    for ind in model.indicators:
        thresholds = ind.score.thresholds
        if ind.source != "record" or not thresholds:
            continue
        low = min(bound for bound, _ in thresholds)
        known = out.get(ind.field)
        if known is None or low < known.minimum:
            out[ind.field] = NumericField(ind.field, low, ind.id)
    return list(out.values())


def _number_text(minimum: float) -> str:
    return str(int(minimum)) if float(minimum).is_integer() else str(minimum)


def check_numeric(model: RiskModel, frame: Any, *, source: str, first_row: int = 2) -> None:
    """InputError naming each row and column whose value is not a number, or is below the
    model's scale, for a numeric field the model reads. ``frame`` is a pandas DataFrame;
    ``first_row`` is the row (line) number of its first record in the file."""
    import pandas as pd

    problems = ProblemCollector(scope=source)
    for f in numeric_fields(model):
        if f.name not in frame.columns:
            continue
        column = frame[f.name]
        if pd.api.types.is_bool_dtype(column.dtype):
            values: list[Any] = column.tolist()
        elif pd.api.types.is_numeric_dtype(column.dtype):
            low = column < f.minimum
            if not low.any():
                continue
            values = column.where(low).tolist()  # only the rows to report
        else:
            values = column.tolist()
        for i, value in enumerate(values):
            if is_missing(value):
                continue
            number = as_number(value)
            if number is None:
                problems.add(
                    f"not a number (the model scores {f.name} by number, indicator "
                    f"{f.indicator}; leave the cell empty for no answer)",
                    row=first_row + i,
                    column=f.name,
                    value=value,
                )
            elif number < f.minimum:
                problems.add(
                    f"{value!r} is out of range: below {_number_text(f.minimum)}, the lowest "
                    f"value on the model's scale for {f.name} (indicator {f.indicator}); the "
                    "model declares no missing-value codes, so leave the cell empty for no answer",
                    row=first_row + i,
                    column=f.name,
                    value=value,
                )
    problems.raise_if_any(f"{source}: cannot score")
