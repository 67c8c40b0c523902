"""Inputs of the case services (the API uses the same models as request bodies).

Catalogue fields are checked against the framework catalogue, so only stable codes get stored.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from safepath.framework import catalogue

CLOSURE_REASONS = ("lost_contact", "relocated", "deceased", "consent_withdrawn", "other")
INTERVENTION_STATUSES = ("planned", "in_progress", "done", "cancelled")
# What a sender may choose to share with a partner (never names or contacts by default).
SHAREABLE_FIELDS = (
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
    thematic_areas: list[str] = Field(min_length=1)
    gpc_risks: list[str] = Field(default_factory=list)
    population_group: str | None = None
    place_pcode: str | None = None
    narrative: str | None = Field(default=None, max_length=20_000)
    caseworker: str | None = None  # username; default: the registering user
    team_id: int | None = None

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
    person_code: str = Field(min_length=1, max_length=20)


class CaseUpdate(_In):
    thematic_areas: list[str] | None = None
    gpc_risks: list[str] | None = None
    population_group: str | None = None
    place_pcode: str | None = None
    narrative: str | None = Field(default=None, max_length=20_000)
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
    answers: dict[str, Any]


class InterventionIn(_In):
    modality: str
    thematic_area: str
    gpc_risks: list[str] = Field(default_factory=list)
    rights: list[str] = Field(default_factory=list)
    responsible_organisation: str | None = None  # organisation code
    description: str | None = Field(default=None, max_length=5_000)
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


class PlanIn(_In):
    interventions: list[InterventionIn] = Field(min_length=1)


class ReferralIn(_In):
    service: str  # "<organisation code>/<service code>"
    shared_fields: list[Literal[SHAREABLE_FIELDS]] = Field(min_length=1)  # type: ignore[valid-type]
    reason: str | None = Field(default=None, max_length=5_000)
    urgency: Literal["high", "medium", "low"] | None = None
    override_reason: str | None = Field(default=None, min_length=10, max_length=2_000)


class ReferralAnswer(_In):
    note: str | None = Field(default=None, max_length=5_000)


class DeclineIn(_In):
    reason: str = Field(min_length=3, max_length=5_000)


class FollowUpIn(_In):
    kind: Literal["visit", "call", "review", "other"] = "visit"
    note: str | None = Field(default=None, max_length=20_000)
    next_due: date | None = None


class ClosureIn(_In):
    reason: Literal[CLOSURE_REASONS] | None = None  # type: ignore[valid-type]
    note: str | None = Field(default=None, max_length=20_000)


class AssignIn(_In):
    caseworker: str | None = None  # username
    team_id: int | None = None
