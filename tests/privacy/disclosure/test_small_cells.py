"""The small-cell suppression helper every published table passes through."""

from __future__ import annotations

from safepath.privacy.disclosure.cells import suppress_small_cells


def test_primary_and_secondary_suppression() -> None:
    rows = [
        {"area": "A", "value": "yes", "n": 40, "count": 3, "prop": 0.075},
        {"area": "A", "value": "no", "n": 40, "count": 30, "prop": 0.75},
        {"area": "A", "value": "dnk", "n": 40, "count": 7, "prop": 0.175},
        {"area": "B", "value": "yes", "n": 4, "count": 2, "prop": 0.5},
        {"area": "C", "value": "yes", "n": 20, "count": 0, "prop": 0.0},
    ]
    out = suppress_small_cells(rows, counts=["n", "count"], figures=["prop"], k=5, within=["area"])
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
    out = suppress_small_cells(rows, counts=["n"], figures=["pin"], k=5)
    assert [r["pin"] for r in out] == [None, 20.0]
