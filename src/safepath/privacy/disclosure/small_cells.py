"""Small-cell suppression of aggregate tables: the one rule every report that leaves the system
applies (outcomes, complaints, areas, scored rounds, the analyst's area classification).

The threshold is ``settings.disclosure_threshold`` (default 5, REFERENCE.md). A group counting
fewer records shows no figures; within a shown group, a count between 1 and k - 1 is withheld
(0 reveals no one) and a figure derived from fewer than k records (a share, a mean, a median) is
not computed; when a table withholds exactly one group beside published ones, the next smallest
is withheld too (secondary suppression), so the hidden cell cannot be recovered from the total.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
