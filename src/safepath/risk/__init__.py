"""Protection risk engine: Risk = (Threat + Vulnerability) / Capacity.

One YAML model (docs/risk-model.md) drives two evaluators that agree exactly: ``evaluate`` scores
one record with an explanation; ``score_table`` scores a whole table on any Ibis backend;
``classify_areas`` rolls scored records up by place and population group.

>>> from safepath.risk import evaluate, load_model_text
>>> model = load_model_text('''
... id: example
... version: "1"
... title: Example
... indicators:
...   - {id: eviction, label: Eviction threat, level: household, component: threat,
...      field: eviction, score: {map: {yes: 4, no: 1}}}
...   - {id: alone, label: Living alone, level: individual, component: vulnerability,
...      field: alone, applies_when: "age < 18", score: {map: {yes: 5, no: 1}},
...      floor: {min_score: 5, phase: 5}}
... ''')
>>> a = evaluate(model, {"eviction": "yes", "alone": "yes", "age": 15})
>>> a.threat, a.vulnerability, a.capacity, a.risk, a.phase, a.case_level
(4.0, 5.0, 3.0, 3.0, 5, 'high')
>>> a.explanation["floors"]
[{'indicator': 'alone', 'score': 5, 'min_score': 5, 'phase': 5}]
>>> import pandas as pd
>>> from safepath.risk import score_table
>>> scored = score_table(model, pd.DataFrame({"eviction": ["yes", "no"], "age": [15, 40],
...                                           "alone": ["yes", "yes"]})).to_pandas()
>>> scored[["risk", "phase", "case_level"]].values.tolist()
[[3.0, 5, 'high'], [0.666667, 1, 'none']]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from safepath.risk.record import Assessment, evaluate
from safepath.risk.spec import RiskModel, list_models, load_model, load_model_text

if TYPE_CHECKING:
    from safepath.risk.areas import classify_areas
    from safepath.risk.table import score_table

__all__ = [
    "Assessment",
    "RiskModel",
    "classify_areas",
    "evaluate",
    "list_models",
    "load_model",
    "load_model_text",
    "score_table",
]


def __getattr__(name: str) -> Any:
    # The table side imports Ibis (~0.2 s); the record evaluator does not need it.
    if name == "score_table":
        from safepath.risk.table import score_table

        return score_table
    if name == "classify_areas":
        from safepath.risk.areas import classify_areas

        return classify_areas
    raise AttributeError(name)
