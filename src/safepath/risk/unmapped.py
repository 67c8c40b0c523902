"""Answers a model does not score: per indicator, how many records have an answer that its map,
thresholds or choices do not cover (scored as unanswered), and the most frequent such values.
A label export scored with a names model shows up here instead of silently scoring low."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from safepath.risk.spec import Indicator, RiskModel


@dataclass(frozen=True)
class Unmapped:
    indicator: str
    field: str
    records: int
    values: list[tuple[str, int]]  # the most frequent unscored answers


def _text(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return pc.utf8_trim_whitespace(arr)
    return arr.cast(pa.string())  # 1.0 -> "1", as the evaluators' canonical text


def _indicator(ind: Indicator, col: Any) -> pa.Array:
    """A boolean per record: an answer is present and not scored."""
    text = _text(col)
    present = pc.and_(pc.is_valid(text), pc.not_equal(text, ""))
    score = ind.score
    if score.map is not None:
        return pc.and_(present, pc.invert(pc.is_in(text, value_set=pa.array(list(score.map)))))
    if score.thresholds is not None:
        numeric = pc.match_substring_regex(text, r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
        number = pc.if_else(numeric, text, None).cast(pa.float64())
        low = pc.less(number, score.thresholds[0][0])
        return pc.and_(present, pc.or_kleene(pc.invert(numeric), low).fill_null(True))
    multi = score.multiple
    assert multi is not None
    if multi.else_ is not None:
        return pc.and_(present, pa.array([False] * len(text)))
    tokens = pc.split_pattern(text, pattern=" ")
    known = pc.is_in(pc.list_flatten(tokens), value_set=pa.array([*multi.values, *multi.none]))
    parents = pc.list_parent_indices(tokens)
    scored = pc.unique(pc.filter(parents, known)).cast(pa.int64())
    mapped = pc.is_in(pa.array(range(len(text)), pa.int64()), value_set=scored)
    return pc.and_(present, pc.invert(mapped))


def unmapped(model: RiskModel, table: pa.Table, *, top: int = 5) -> list[Unmapped]:
    """Per record indicator reading a column of ``table``: answers it does not score (over all
    records; ``applies_when`` is not applied, so this counts what the model cannot read)."""
    out: list[Unmapped] = []
    for ind in model.indicators:
        if ind.source != "record" or ind.field not in table.column_names:
            continue
        col = table.column(ind.field)
        mask = _indicator(ind, col)
        n = pc.sum(mask.cast(pa.int64())).as_py() or 0
        if not n:
            continue
        values = Counter(pc.filter(_text(col), mask).to_pylist())
        out.append(Unmapped(ind.id, ind.field, int(n), values.most_common(top)))
    return out
