"""The text columns of projects and self-assessments, declared: all describe programmes, not
people (no personal text; nothing to export, erase or keep for a person)."""

from __future__ import annotations

from typing import Any

from safepath.privacy import inventory
from safepath.store.models.mainstreaming import (
    MainstreamingAction,
    MainstreamingAssessment,
    MainstreamingScore,
    Project,
    ProjectIntervention,
)

PERSONAL_TEXT: dict[type[Any], tuple[str, ...]] = {}
SAFE_TEXT: dict[type[Any], tuple[str, ...]] = {
    Project: ("code", "name", "programming_type", "pillars"),
    ProjectIntervention: ("name", "programming_type", "thematic_area", "pillars"),
    MainstreamingAssessment: ("code",),
    MainstreamingScore: ("principle", "stage", "evidence"),
    MainstreamingAction: ("principle", "stage", "action", "owner", "status"),
}

WHY = "staff-written text about a project and its staff owners, not about an affected person"


def install() -> None:
    """Declare the text columns in the data inventory (``safepath.wiring`` calls this)."""
    for model, names in SAFE_TEXT.items():
        inventory.declare(
            model, personal=PERSONAL_TEXT.get(model, ()), safe=dict.fromkeys(names, WHY)
        )
