"""Small-cell suppression of aggregate tables: the one rule every report that leaves the system
applies (outcomes, complaints, areas, scored rounds, the analyst's area classification).

The threshold is ``settings.disclosure_threshold`` (default 5, REFERENCE.md). A group counting
fewer records shows no figures; within a shown group, a count between 1 and k - 1 is withheld
(0 reveals no one) and a figure derived from fewer than k records (a share, a mean, a median) is
not computed; when a table withholds exactly one group beside published ones, the next smallest
is withheld too (secondary suppression), so the hidden cell cannot be recovered from the total.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from safepath.settings import Settings, get_settings

T = TypeVar("T")


def threshold(settings: Settings | None = None) -> int:
    return (settings or get_settings()).disclosure_threshold


def group_too_small(records: int, k: int | None = None) -> bool:
    """A whole group (row of a table) with fewer than k records shows no figures."""
    return records < (threshold() if k is None else k)


def enough(records: int, k: int | None = None) -> bool:
    """A figure derived from ``records`` records (share, mean, median) may be shown."""
    return not group_too_small(records, k)


def count(n: int, k: int | None = None) -> int | None:
    """A count within a shown group: None when 1 to k - 1 (0 reveals no one)."""
    return None if 0 < n < (threshold() if k is None else k) else n


def secondary(
    rows: Sequence[T],
    *,
    hidden: Callable[[T], bool],
    size: Callable[[T], Any],
    hide: Callable[[T], None],
) -> None:
    """When exactly one row is withheld and others are shown, withhold the smallest shown row
    too (``size`` orders them; ties broken by the caller's key)."""
    withheld = [r for r in rows if hidden(r)]
    shown = [r for r in rows if not hidden(r)]
    if len(withheld) == 1 and shown:
        hide(min(shown, key=size))


SUPPRESSED = "suppressed"


def _small(row: Mapping[str, Any], counts: Sequence[str], k: int) -> bool:
    return any(isinstance(row.get(c), int | float) and 0 < float(row[c]) < k for c in counts)


def _size(row: Mapping[str, Any], counts: Sequence[str]) -> float:
    values = [float(row[c]) for c in counts if isinstance(row.get(c), int | float)]
    return min(values) if values else 0.0


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def suppress_small_cells(
    rows: Sequence[Mapping[str, Any]],
    *,
    counts: Sequence[str],
    figures: Sequence[str],
    k: int,
    within: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Copies of generic table ``rows`` with small cells withheld, as the rule above says.

    ``counts``: the columns holding numbers of records (a value in 1..k-1 withholds the row's
    counts and figures, marked ``suppressed: true``); ``figures``: the columns derived from them;
    ``within``: the keys of a block for secondary suppression (``None``: none, for tables with
    neither a total nor shares)."""
    out: list[dict[str, Any]] = []
    for row in rows:
        copy = dict(row)
        copy[SUPPRESSED] = _small(copy, counts, k) or bool(copy.get(SUPPRESSED))
        out.append(copy)
    sizes = {
        id(r): (_size(src, counts), i) for i, (r, src) in enumerate(zip(out, rows, strict=True))
    }

    def hide(row: dict[str, Any]) -> None:
        for c in (*counts, *figures):
            if c in row:
                row[c] = None
        row[SUPPRESSED] = True

    for row in out:
        if row[SUPPRESSED]:
            hide(row)
    if within is not None:
        blocks: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for row in out:
            blocks.setdefault(tuple(_hashable(row.get(w)) for w in within), []).append(row)
        for members in blocks.values():
            secondary(
                members,
                hidden=lambda r: bool(r[SUPPRESSED]),
                size=lambda r: sizes[id(r)],
                hide=hide,
            )
    return out
