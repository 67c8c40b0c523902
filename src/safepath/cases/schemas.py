"""Inputs of the case services (the API uses the same models as request bodies).

Catalogue fields are checked against the framework catalogue, so only stable codes get stored.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from safepath.framework import catalogue
from safepath.inputs import (
    CODE_LENGTH,
    MAX_INTERVENTIONS,
    MAX_ITEMS,
    NOTE_LENGTH,
    Code,
    DbId,
    Name,
    Note,
    SafeStr,
    no_nul_anywhere,
    text,
)

CLOSURE_REASONS = ("lost_contact", "relocated", "deceased", "consent_withdrawn", "other")
INTERVENTION_STATUSES = ("planned", "in_progress", "done", "cancelled")
OPEN_INTERVENTION_STATUSES = ("planned", "in_progress")  # a case with one of these cannot close
# What a sender may choose to share with a partner (never names or contacts by default; those
# only when ticked, and only while the person's consent to share stands).
SHAREABLE_FIELDS = (
    "given_name",
    "family_name",
    "phone",
    "sex",
    "age",
    "population_group",
    "place_pcode",
    "thematic_areas",
    "gpc_risks",
    "risk_level",
    "phase",
    "subject",
    "household_size",
    "narrative",
    "latest_assessment",
)


def _codes(list_name: str, values: list[str]) -> list[str]:
    cat = catalogue()
    bad = [v for v in values if not cat.has(list_name, v)]
    if bad:
        raise ValueError(f"not {list_name} code(s): {', '.join(bad)}")
    return list(dict.fromkeys(values))


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseDetailsIn(_In):
    """A case's own fields, before its person exists (registration opens both at once)."""

    subject: Literal["individual", "household"] = "individual"
    household_size: int | None = Field(default=None, ge=1, le=50)
    thematic_areas: list[Code] = Field(min_length=1, max_length=MAX_ITEMS)
    gpc_risks: list[Code] = Field(default_factory=list, max_length=MAX_ITEMS)
    population_group: Code | None = None
    place_pcode: Code | None = None
    narrative: Note | None = None
    caseworker: Name | None = None  # username; default: the registering user
    team_id: DbId | None = None

    @field_validator("thematic_areas")
    @classmethod
    def _areas(cls, v: list[str]) -> list[str]:
        return _codes("thematic_areas", v)

    @field_validator("gpc_risks")
    @classmethod
    def _risks(cls, v: list[str]) -> list[str]:
        return _codes("gpc_risks", v)

    @field_validator("population_group")
    @classmethod
    def _group(cls, v: str | None) -> str | None:
        return None if v is None else _codes("population_groups", [v])[0]


class CaseIn(CaseDetailsIn):
    person_code: SafeStr = Field(min_length=1, max_length=20)


class CaseUpdate(_In):
    thematic_areas: list[Code] | None = Field(default=None, max_length=MAX_ITEMS)
    gpc_risks: list[Code] | None = Field(default=None, max_length=MAX_ITEMS)
    population_group: Code | None = None
    place_pcode: Code | None = None
    narrative: Note | None = None
    household_size: int | None = Field(default=None, ge=1, le=50)

    _areas = field_validator("thematic_areas")(
        classmethod(lambda cls, v: None if v is None else _codes("thematic_areas", v))
    )
    _risks = field_validator("gpc_risks")(
        classmethod(lambda cls, v: None if v is None else _codes("gpc_risks", v))
    )
    _group = field_validator("population_group")(
        classmethod(lambda cls, v: None if v is None else _codes("population_groups", [v])[0])
    )


class AssessmentIn(_In):
    answers: dict[str, Any] = Field(max_length=1_000)

    _no_nul = field_validator("answers")(classmethod(lambda cls, v: no_nul_anywhere(v)))


class InterventionIn(_In):
    modality: Code
    thematic_area: Code
    gpc_risks: list[Code] = Field(default_factory=list, max_length=MAX_ITEMS)
    rights: list[Code] = Field(default_factory=list, max_length=MAX_ITEMS)
    responsible_organisation: Code | None = None  # organisation code
    description: Note | None = None
    due_date: date | None = None
    status: Literal["planned", "in_progress", "done", "cancelled"] = "planned"

    _modality = field_validator("modality")(
        classmethod(lambda cls, v: _codes("modalities", [v])[0])
    )
    _area = field_validator("thematic_area")(
        classmethod(lambda cls, v: _codes("thematic_areas", [v])[0])
    )
    _risks = field_validator("gpc_risks")(classmethod(lambda cls, v: _codes("gpc_risks", v)))
    _rights = field_validator("rights")(classmethod(lambda cls, v: _codes("rights", v)))


class InterventionProgressIn(_In):
    """Progress on one intervention of the plan: its new status and what happened."""

    status: Literal["planned", "in_progress", "done", "cancelled"]
    note: Note | None = None


class PlanIn(_In):
    interventions: list[InterventionIn] = Field(min_length=1, max_length=MAX_INTERVENTIONS)


class ReferralIn(_In):
    service: text(2 * CODE_LENGTH + 1)  # type: ignore[valid-type]  # "<organisation>/<service>"
    shared_fields: list[Literal[SHAREABLE_FIELDS]] = Field(  # type: ignore[valid-type]
        min_length=1, max_length=len(SHAREABLE_FIELDS)
    )
    reason: Note | None = None
    urgency: Literal["high", "medium", "low"] | None = None
    override_reason: text(2_000, min_length=10) | None = None  # type: ignore[valid-type]


class ReferralAnswer(_In):
    note: Note | None = None


class DeclineIn(_In):
    reason: text(NOTE_LENGTH, min_length=3)  # type: ignore[valid-type]


class FollowUpIn(_In):
    kind: Literal["visit", "call", "review", "other"] = "visit"
    note: Note | None = None
    next_due: date | None = None


class ClosureIn(_In):
    reason: Literal[CLOSURE_REASONS] | None = None  # type: ignore[valid-type]
    note: Note | None = None


class AssignIn(_In):
    caseworker: Name | None = None  # username
    team_id: DbId | None = None
