"""The protection outcome of a case: baseline vs latest assessment.

ΔX = latest − baseline, so a fall in risk is a negative ΔR. "Outcome achieved" follows the rule in
``settings.outcome_rule`` (default ``phase_fell``): the rule that counts is stored with the case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from safepath.settings import get_settings
from safepath.store.models.cases import Assessment, Case

RULES: dict[str, Callable[[Assessment, Assessment], bool]] = {
    "phase_fell": lambda base, last: last.phase < base.phase,
    "risk_fell": lambda base, last: last.risk < base.risk,
    # phase fell, or the person is now at phase 1 (nothing left to reduce)
    "phase_fell_or_minimal": lambda base, last: last.phase < base.phase or last.phase == 1,
}


@dataclass(frozen=True)
class Outcome:
    baseline_phase: int
    latest_phase: int
    delta_threat: float
    delta_vulnerability: float
    delta_capacity: float
    delta_risk: float
    achieved: bool
    rule: str


def _d(a: float, b: float) -> float:
    return round(a - b, 6)


def measure(assessments: list[Assessment], rule: str | None = None) -> Outcome | None:
    """``None`` without a follow-up assessment (nothing to compare the baseline with)."""
    if len(assessments) < 2:
        return None
    ordered = sorted(assessments, key=lambda a: a.seq)
    base, last = ordered[0], ordered[-1]
    name = rule or get_settings().outcome_rule
    return Outcome(
        baseline_phase=base.phase,
        latest_phase=last.phase,
        delta_threat=_d(last.threat, base.threat),
        delta_vulnerability=_d(last.vulnerability, base.vulnerability),
        delta_capacity=_d(last.capacity, base.capacity),
        delta_risk=_d(last.risk, base.risk),
        achieved=RULES[name](base, last),
        rule=name,
    )


def record_outcome(case: Case, outcome: Outcome | None) -> None:
    """Write a measured outcome (or its absence: no follow-up assessment) onto a closing case."""
    case.baseline_phase = (
        outcome.baseline_phase
        if outcome
        else (case.assessments[0].phase if case.assessments else None)
    )
    case.latest_phase = outcome.latest_phase if outcome else case.baseline_phase
    case.delta_threat = outcome.delta_threat if outcome else None
    case.delta_vulnerability = outcome.delta_vulnerability if outcome else None
    case.delta_capacity = outcome.delta_capacity if outcome else None
    case.delta_risk = outcome.delta_risk if outcome else None
    case.outcome_achieved = outcome.achieved if outcome else None
    case.outcome_rule = outcome.rule if outcome else None
