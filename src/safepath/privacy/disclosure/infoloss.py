"""Information loss of an anonymised file against the original (Templ 2017, ch. 5): per
variable the values suppressed (newly missing) and changed (any difference, suppression
included), and for numeric variables the distortion of the mean."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class MeanShift:
    before: float | None
    after: float | None

    @property
    def relative(self) -> float | None:
        """|after - before| / |before| (None when either is undefined or before is 0)."""
        if self.before is None or self.after is None or self.before == 0:
            return None
        return abs(self.after - self.before) / abs(self.before)


@dataclass(frozen=True)
class InformationLoss:
    suppressed: dict[str, int]
    changed: dict[str, int]
    means: dict[str, MeanShift]

    def as_dict(self) -> dict[str, object]:
        return {
            "suppressed": self.suppressed,
            "changed": self.changed,
            "means": {
                c: {"before": m.before, "after": m.after, "relative_change": m.relative}
                for c, m in self.means.items()
            },
        }


def _mean(s: pd.Series) -> float | None:
    v = pd.to_numeric(s, errors="coerce")
    return None if v.notna().sum() == 0 else float(v.mean())


def information_loss(
    before: pd.DataFrame, after: pd.DataFrame, columns: Sequence[str]
) -> InformationLoss:
    """Row i of ``after`` is the anonymised row i of ``before``."""
    if len(before) != len(after):
        raise ValueError("the anonymised table must have the same records as the original")
    suppressed: dict[str, int] = {}
    changed: dict[str, int] = {}
    means: dict[str, MeanShift] = {}
    for c in columns:
        b = before[c].reset_index(drop=True)
        a = after[c].reset_index(drop=True)
        newly_missing = a.isna() & b.notna()
        same = (a.astype(object) == b.astype(object)) | (a.isna() & b.isna())
        suppressed[c] = int(newly_missing.sum())
        changed[c] = int((~same.to_numpy(dtype=bool)).sum())
        if pd.api.types.is_numeric_dtype(b) and pd.api.types.is_numeric_dtype(a):
            means[c] = MeanShift(_mean(b), _mean(a))
    return InformationLoss(suppressed=suppressed, changed=changed, means=means)
