"""Model validation: every invalid model fails with a message naming the indicator, key and why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from safepath.errors import NotFound, ValidationFailed
from safepath.risk import list_models, load_model
from safepath.risk.spec import load_model_text, validate_model

DATA = Path(__file__).parent / "data"


def model(**indicator: Any) -> dict[str, Any]:
    ind = {
        "id": "hh_x",
        "label": "x",
        "level": "household",
        "component": "threat",
        "field": "f",
        "score": {"map": {"yes": 4}},
    }
    return {"id": "m", "version": "1", "title": "t", "indicators": [{**ind, **indicator}]}


CASES: list[tuple[dict[str, Any], str]] = [
    (model(score={"map": {"yes": 7}}), "indicator 'hh_x': score.map: value 7 is outside 1..5"),
    (
        model(score={"map": {"yes": 2.5}}),
        "indicator 'hh_x': score.map: value 2.5 is not a whole number 1..5",
    ),
    (model(gpc_risks=["nope"]), "indicator 'hh_x': gpc_risks: unknown catalogue code 'nope'"),
    (model(rights=["health", "nah"]), "indicator 'hh_x': rights: unknown catalogue code 'nah'"),
    (
        model(score={"thresholds": [[5, 1], [2, 3]]}),
        "indicator 'hh_x': score.thresholds: bounds must be ascending (2 after 5)",
    ),
    (
        model(score={"map": {"a": 1}, "thresholds": [[1, 1]]}),
        "indicator 'hh_x': score: needs exactly one of map / thresholds / multiple, "
        "got ['map', 'thresholds']",
    ),
    (
        model(score={}),
        "indicator 'hh_x': score: needs exactly one of map / thresholds / multiple, got none",
    ),
    (
        model(score={"multiple": {"values": {"a": 2}, "none": ["a"]}}),
        "indicator 'hh_x': score.multiple: none choices ['a'] are also listed in values",
    ),
    (
        model(applies_when="age >> 3"),
        "indicator 'hh_x': applies_when: 'age >> 3': arithmetic is not allowed; expected a "
        "comparison at position 1",
    ),
    (
        model(applies_when="age < 'x'"),
        "indicator 'hh_x': applies_when: \"age < 'x'\": '<' needs a number, not a string at "
        "position 7",
    ),
    (
        model(applies_when="age <"),
        "indicator 'hh_x': applies_when: 'age <': syntax error (invalid syntax) at position 6",
    ),
    (
        model(applies_when="age == (3"),
        "indicator 'hh_x': applies_when: 'age == (3': syntax error "
        "('(' was never closed) at position 8",
    ),
    (
        model(applies_when="1 < age < 5"),
        "indicator 'hh_x': applies_when: '1 < age < 5': chained comparisons are not allowed; use "
        "'and' at position 1",
    ),
    (
        model(floor={"min_score": 5, "phase": 7}),
        "indicator 'hh_x': floor.phase: phase 7 is outside 1..5",
    ),
    (model(weight=0), "indicator 'hh_x': weight: 0.0 must be a number > 0"),
    (
        model(level="nation"),
        "indicator 'hh_x': level: Input should be 'individual', "
        "'household', 'community' or 'structural'",
    ),
    (model(source="area"), "place_field: needed by indicators with source: area"),
    (
        {**model(), "severity": {"cuts": [1, 3, 2, 4]}},
        "severity.cuts: values must be ascending, got [1.0, 3.0, 2.0, 4.0]",
    ),
    ({**model(), "severity": {"cuts": [1, 2, 3]}}, "severity.cuts: needs 4 values, got 3"),
    (
        {
            **model(),
            "case_levels": {"phases": {1: "none", 2: "low", 3: "urgent", 4: "high", 5: "high"}},
        },
        "case_levels: unknown case_risk_levels code 'urgent'",
    ),
    (
        {**model(), "components": {"threat": {"aggregation": "median", "default": 1}}},
        "components.threat.aggregation: Input should be 'max', 'mean', 'weighted_mean' or "
        "'top_half_mean'",
    ),
]


@pytest.mark.parametrize(("data", "message"), CASES, ids=[m[:40] for _, m in CASES])
def test_invalid_model_names_indicator_key_and_why(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        validate_model(data)
    assert [p.message for p in err.value.problems][0] == message
    assert message in err.value.message


def test_duplicate_indicator_id() -> None:
    data = model()
    data["indicators"].append(dict(data["indicators"][0]))
    with pytest.raises(ValidationFailed, match="indicator 'hh_x': duplicate indicator id"):
        validate_model(data)


def test_all_problems_reported_together() -> None:
    data = model(score={"map": {"yes": 9}}, weight=-1)
    with pytest.raises(ValidationFailed) as err:
        validate_model(data)
    messages = [p.message for p in err.value.problems]
    assert messages == [
        "indicator 'hh_x': score.map: value 9 is outside 1..5",
        "indicator 'hh_x': weight: -1.0 must be a number > 0",
    ]
    assert err.value.message.endswith("(and 1 more)")


def test_yaml_yes_no_stay_strings_and_numbers_are_canonical() -> None:
    m = load_model_text("""
id: m
version: 1.0
title: t
indicators:
  - {id: a, label: a, level: household, component: threat, field: f,
     score: {map: {yes: 4, no: 1, on: 2, 1.0: 3, 2: null}}}
""")
    assert m.version == "1"
    assert m.indicators[0].score.map == {"yes": 4, "no": 1, "on": 2, "1": 3, "2": None}


def test_load_by_path_and_defaults() -> None:
    m = load_model(DATA / "small.yaml")
    assert m.id == "test-small"
    assert m.case_levels.phases[4] == "high"
    assert m.case_levels.deadlines_hours == {"high": 24, "medium": 72, "low": 168}
    assert m.record_fields()[:3] == ["eviction", "violence", "alone"]
    assert "age" in m.record_fields()
    assert m.area_fields() == ["services"]


def test_unknown_model_name_is_not_found() -> None:
    with pytest.raises(NotFound, match="no-such-model"):
        load_model("no-such-model")
    assert isinstance(list_models(), list)


def test_invalid_yaml_is_reported() -> None:
    with pytest.raises(ValidationFailed, match="not valid YAML"):
        load_model_text("id: [unclosed")


def test_shipped_models_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from safepath.risk import spec

    monkeypatch.setattr(spec, "_models_dir", lambda: DATA)
    assert "small" in list_models()
    assert load_model("small").id == "test-small"
