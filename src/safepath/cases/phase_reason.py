"""Why an assessment has its phase: the phase the risk score alone gives, and the red flags
(indicator floors) that hold it higher. The case page shows it, so a caseworker sees why a case
whose risk fell stays "High" and why its outcome is "not achieved"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from safepath.errors import SafepathError
from safepath.risk import load_model


@dataclass(frozen=True)
class Floor:
    indicator: str
    label: str
    score: int
    min_score: int
    phase: int


@dataclass(frozen=True)
class PhaseReason:
    phase: int | None
    phase_from_risk: int | None
    floors: list[Floor]  # the red flags that hold the phase above what the risk gives

    @property
    def held(self) -> bool:
        return bool(self.floors) and (
            self.phase_from_risk is None or (self.phase or 0) > self.phase_from_risk
        )


def phase_reason(explanation: dict[str, Any], phase: int | None) -> PhaseReason:
    """From a stored explanation; indicator labels come from its model (the id if the model is
    no longer installed: the explanation is history and must still show)."""
    labels: dict[str, str] = {}
    model_id = (explanation.get("model") or {}).get("id")
    if model_id:
        try:
            labels = {i.id: i.label for i in load_model(str(model_id)).indicators}
        except (SafepathError, OSError):
            labels = {}
    floors = [
        Floor(
            str(f["indicator"]),
            labels.get(str(f["indicator"]), str(f["indicator"])),
            int(f["score"]),
            int(f["min_score"]),
            int(f["phase"]),
        )
        for f in explanation.get("floors") or []
        if phase is None or int(f["phase"]) >= phase  # only those that set this phase
    ]
    from_risk = explanation.get("phase_from_risk")
    return PhaseReason(phase, int(from_risk) if from_risk is not None else None, floors)
