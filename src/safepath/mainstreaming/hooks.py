"""The text columns of projects and self-assessments, declared: all describe programmes, not
people (no personal text; nothing to export, erase or keep for a person)."""

from __future__ import annotations

from typing import Any

from safepath.store.models.mainstreaming import (
    MainstreamingAction,
    MainstreamingAssessment,
    MainstreamingScore,
    Project,
    ProjectIntervention,
)

PERSONAL_TEXT: dict[type[Any], tuple[str, ...]] = {}
SAFE_TEXT: dict[type[Any], tuple[str, ...]] = {
    Project: ("code", "name", "programming_type"),
    ProjectIntervention: ("name", "programming_type", "thematic_area"),
    MainstreamingAssessment: ("code",),
    MainstreamingScore: ("principle", "stage", "evidence"),
    MainstreamingAction: ("principle", "stage", "action", "owner", "status"),
}
