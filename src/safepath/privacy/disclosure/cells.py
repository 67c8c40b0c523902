"""Small-cell suppression for aggregate tables: a figure made from fewer than ``k`` records never
leaves the system (the OCHA Centre for Humanitarian Data practice; ``k`` is
``settings.disclosure_threshold``, default 5).

Primary: a row whose count columns hold a value in 1..k-1 loses its figures and counts
(``suppressed: true``); zeros are published (they say "nobody", and hide no one). Secondary: within
each block of rows sharing the ``within`` keys, one suppressed row beside published ones could be
recovered from the block's total (or, for shares, from 1 minus the others), so the published row
with the smallest count is suppressed too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

SUPPRESSED = "suppressed"


def _small(row: Mapping[str, Any], counts: Sequence[str], k: int) -> bool:
    return any(isinstance(row.get(c), int | float) and 0 < float(row[c]) < k for c in counts)


def _size(row: Mapping[str, Any], counts: Sequence[str]) -> float:
    values = [float(row[c]) for c in counts if isinstance(row.get(c), int | float)]
    return min(values) if values else 0.0


def suppress_small_cells(
    rows: Sequence[Mapping[str, Any]],
    *,
    counts: Sequence[str],
    figures: Sequence[str],
    k: int,
    within: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Copies of ``rows`` with small cells withheld (see the module docstring).

    ``counts``: the columns holding numbers of records (checked, then withheld with the figures);
    ``figures``: the columns derived from them; ``within``: the keys of a block for secondary
    suppression (``None``: no secondary suppression, for tables without a total or shares)."""
    out: list[dict[str, Any]] = []
    for row in rows:
        copy = dict(row)
        small = _small(copy, counts, k) or bool(copy.get(SUPPRESSED))
        if small:
            for c in (*counts, *figures):
                if c in copy:
                    copy[c] = None
        copy[SUPPRESSED] = small
        out.append(copy)
    if within is None:
        return out
    sizes = [_size(r, counts) for r in rows]
    blocks: dict[tuple[Any, ...], list[int]] = {}
    for i, row in enumerate(out):
        blocks.setdefault(tuple(_hashable(row.get(w)) for w in within), []).append(i)
    for members in blocks.values():
        hidden = [i for i in members if out[i][SUPPRESSED]]
        shown = [i for i in members if not out[i][SUPPRESSED]]
        if len(hidden) == 1 and shown:
            j = min(shown, key=lambda i: (sizes[i], i))
            for c in (*counts, *figures):
                if c in out[j]:
                    out[j][c] = None
            out[j][SUPPRESSED] = True
    return out


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
