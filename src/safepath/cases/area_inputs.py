"""What fed an assessment's community and structural levels: the area indicators of the case's
place (from the area profile, not from the person), each with its score, so the case page can
show where those two levels come from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from safepath.errors import SafepathError
from safepath.risk import load_model

AREA_LEVELS = ("community", "structural")
COMPONENTS = ("threat", "vulnerability", "capacity")


@dataclass(frozen=True)
class AreaInput:
    label: str  # the model's English label (pages print it in the reader's language)
    component: str
    score: int | None


def area_inputs(explanation: dict[str, Any]) -> dict[str, list[AreaInput]]:
    """Per area level present in the explanation, the indicators that fed it, in model order."""
    try:
        model = load_model(str((explanation.get("model") or {})["id"]))
        labels = {i.id: i.label for i in model.indicators}
    except (KeyError, SafepathError):  # a model no longer shipped: its ids are still shown
        labels = {}
    out: dict[str, list[AreaInput]] = {}
    levels = explanation.get("levels") or {}
    for level in AREA_LEVELS:
        cells = levels.get(level) or {}
        for component in COMPONENTS:
            for ind in (cells.get(component) or {}).get("indicators", []):
                score = ind.get("score")
                out.setdefault(level, []).append(
                    AreaInput(labels.get(ind["id"], ind["id"]), component, score)
                )
    return out
