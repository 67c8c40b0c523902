"""Small-cell suppression, the one rule of every aggregate table (the callers' own tests check
the reports; these check the rule)."""

from __future__ import annotations

from typing import Any

from safepath.privacy.disclosure import small_cells
from safepath.settings import Settings


def test_threshold_comes_from_the_settings() -> None:
    assert small_cells.threshold(Settings()) == 5
    assert small_cells.threshold(Settings(disclosure_threshold=10)) == 10


def test_groups_counts_and_derived_figures() -> None:
    assert small_cells.group_too_small(4, 5) and not small_cells.group_too_small(5, 5)
    assert small_cells.enough(5, 5) and not small_cells.enough(0, 5)
    assert [small_cells.count(n, 5) for n in (0, 1, 4, 5, 9)] == [0, None, None, 5, 9]


def test_one_withheld_row_takes_the_next_smallest_with_it() -> None:
    rows: list[dict[str, Any]] = [
        {"g": "a", "n": None, "size": 2},
        {"g": "b", "n": 7, "size": 7},
        {"g": "c", "n": 6, "size": 6},
    ]

    def hide(r: dict[str, Any]) -> None:
        r["n"] = None

    small_cells.secondary(
        rows, hidden=lambda r: r["n"] is None, size=lambda r: r["size"], hide=hide
    )
    assert [r["n"] for r in rows] == [None, 7, None]
    # two withheld already: the total no longer gives either away
    small_cells.secondary(
        rows, hidden=lambda r: r["n"] is None, size=lambda r: r["size"], hide=hide
    )
    assert [r["n"] for r in rows] == [None, 7, None]
