"""The capacities pillar's case outcomes: only the round's places (and the places under them),
named, small cells withheld by the same helper as every table."""

from __future__ import annotations

import pyarrow as pa

from safepath.analysis.design import Design
from safepath.report import paf
from safepath.risk import load_model


def test_outcomes_of_the_same_places_only() -> None:
    inputs = paf.Inputs(
        model=load_model("reach-msna-2024-protection"),
        data=pa.table({"admin1": ["XM01"]}),
        source="r",
        design=Design(),
        level="adm1",
        names={"XM01": "North", "XM0101": "North One"},
        outcomes=[
            {
                "place": "XM01",
                "cases": 12,
                "closed": 6,
                "outcome_achieved_pct": 50.0,
                "mean_delta_risk": -1.0,
                "suppressed": False,
            },
            {
                "place": "XM0101",
                "cases": 7,
                "closed": 3,
                "outcome_achieved_pct": None,
                "mean_delta_risk": None,
                "suppressed": True,
            },
            {
                "place": "XM02",
                "cases": 40,
                "closed": 20,
                "outcome_achieved_pct": 60.0,
                "mean_delta_risk": -2.0,
                "suppressed": False,
            },
            {
                "place": None,
                "cases": 9,
                "closed": 9,
                "outcome_achieved_pct": 10.0,
                "mean_delta_risk": 0.0,
                "suppressed": False,
            },
        ],
    )
    rows = paf._outcomes(inputs, ["XM01"])
    assert rows is not None
    assert [(r["place"], r["name"], r["cases"], r["closed"]) for r in rows] == [
        ("XM01", "North", 12, 6),
        ("XM0101", "North One", None, None),  # 3 closed < 5: withheld with its figures
    ]
    assert paf._outcomes(paf.Inputs(**{**inputs.__dict__, "outcomes": None}), ["XM01"]) is None
