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


def test_primary_and_secondary_suppression() -> None:
    rows = [
        {"area": "A", "value": "yes", "n": 40, "count": 3, "prop": 0.075},
        {"area": "A", "value": "no", "n": 40, "count": 30, "prop": 0.75},
        {"area": "A", "value": "dnk", "n": 40, "count": 7, "prop": 0.175},
        {"area": "B", "value": "yes", "n": 4, "count": 2, "prop": 0.5},
        {"area": "C", "value": "yes", "n": 20, "count": 0, "prop": 0.0},
    ]
    out = small_cells.suppress_small_cells(
        rows, counts=["n", "count"], figures=["prop"], k=5, within=["area"]
    )
    assert [(r["count"], r["prop"], r["suppressed"]) for r in out] == [
        (None, None, True),  # 3 < 5
        (30, 0.75, False),
        (None, None, True),  # secondary: 1 - 0.75 would give the hidden share away
        (None, None, True),  # n = 4
        (0, 0.0, False),  # a zero hides no one
    ]
    assert rows[0]["prop"] == 0.075  # the input is not changed


def test_without_blocks_only_primary() -> None:
    rows = [{"n": 4, "pin": 10.0}, {"n": 9, "pin": 20.0}]
    out = small_cells.suppress_small_cells(rows, counts=["n"], figures=["pin"], k=5)
    assert [r["pin"] for r in out] == [None, 20.0]
