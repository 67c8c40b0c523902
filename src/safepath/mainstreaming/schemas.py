"""Inputs of the project and self-assessment services, checked against the catalogue."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from safepath.framework import catalogue
from safepath.inputs import NOTE_LENGTH, Code, text

MAX_SCORE = 3


def _codes(list_name: str, values: list[str]) -> list[str]:
    bad = [v for v in values if not catalogue().has(list_name, v)]
    if bad:
        raise ValueError(f"not {list_name} code(s): {', '.join(bad)}")
    return list(dict.fromkeys(values))


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Tagged(_In):
    name: text(200, min_length=1)  # type: ignore[valid-type]
    programming_type: Code
    pillars: list[Code] = Field(min_length=1, max_length=5)

    @field_validator("programming_type")
    @classmethod
    def _type(cls, v: str) -> str:
        return _codes("programming_types", [v])[0]

    @field_validator("pillars")
    @classmethod
    def _pillars(cls, v: list[str]) -> list[str]:
        return _codes("roadmap_pillars", v)


class InterventionIn(_Tagged):
    thematic_area: Code | None = None

    @field_validator("thematic_area")
    @classmethod
    def _area(cls, v: str | None) -> str | None:
        return _codes("thematic_areas", [v])[0] if v else None


class ProjectIn(_Tagged):
    interventions: list[InterventionIn] = Field(default_factory=list, max_length=100)


class ScoreIn(_In):
    principle: Code
    stage: Code
    score: int = Field(ge=0, le=MAX_SCORE)
    evidence: text(NOTE_LENGTH) | None = None  # type: ignore[valid-type]

    @field_validator("principle")
    @classmethod
    def _principle(cls, v: str) -> str:
        return _codes("mainstreaming_principles", [v])[0]

    @field_validator("stage")
    @classmethod
    def _stage(cls, v: str) -> str:
        return _codes("project_cycle_stages", [v])[0]


class PlannedActionIn(_In):
    principle: Code
    stage: Code | None = None
    action: text(NOTE_LENGTH, min_length=1)  # type: ignore[valid-type]
    owner: text(200, min_length=1)  # type: ignore[valid-type]
    due_on: date

    @field_validator("principle")
    @classmethod
    def _principle(cls, v: str) -> str:
        return _codes("mainstreaming_principles", [v])[0]

    @field_validator("stage")
    @classmethod
    def _stage(cls, v: str | None) -> str | None:
        return _codes("project_cycle_stages", [v])[0] if v else None


class AssessmentIn(_In):
    """A complete checklist: every principle at every stage, once."""

    assessed_on: date
    scores: list[ScoreIn] = Field(min_length=1, max_length=100)
    actions: list[PlannedActionIn] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _complete(self) -> AssessmentIn:
        if self.assessed_on > date.today():
            raise ValueError("assessed_on: an assessment is recorded once made")
        cells = [(s.principle, s.stage) for s in self.scores]
        cat = catalogue()
        wanted = {
            (p, st)
            for p in cat.codes("mainstreaming_principles")
            for st in cat.codes("project_cycle_stages")
        }
        repeated = sorted({c for c in cells if cells.count(c) > 1})
        missing = sorted(wanted - set(cells))
        if repeated or missing:
            raise ValueError(
                "scores must cover every principle at every stage once: "
                + "; ".join(
                    [f"missing {p} × {s}" for p, s in missing[:5]]
                    + [f"repeated {p} × {s}" for p, s in repeated[:5]]
                )
            )
        return self


class ProjectEdit(_In):
    """A change to a project's name or tags (pillars replaced whole)."""

    name: text(200, min_length=1) | None = None  # type: ignore[valid-type]
    programming_type: Code | None = None
    pillars: list[Code] | None = Field(default=None, min_length=1, max_length=5)

    @field_validator("programming_type")
    @classmethod
    def _type(cls, v: str | None) -> str | None:
        return _codes("programming_types", [v])[0] if v is not None else None

    @field_validator("pillars")
    @classmethod
    def _pillars(cls, v: list[str] | None) -> list[str] | None:
        return _codes("roadmap_pillars", v) if v is not None else None

    @model_validator(mode="after")
    def _changes_something(self) -> ProjectEdit:
        if not self.model_fields_set:
            raise ValueError("name at least one field to change")
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name}: cannot be emptied")
        return self
