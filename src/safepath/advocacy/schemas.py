"""Inputs of the advocacy services; catalogue fields are checked against the catalogue."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from safepath.framework import catalogue
from safepath.inputs import NOTE_LENGTH, Code, text

STATUSES = ("open", "in_progress", "achieved", "dropped")
Status = Literal["open", "in_progress", "achieved", "dropped"]


def _codes(list_name: str, values: list[str]) -> list[str]:
    bad = [v for v in values if not catalogue().has(list_name, v)]
    if bad:
        raise ValueError(f"not {list_name} code(s): {', '.join(bad)}")
    return list(dict.fromkeys(values))


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IssueIn(_In):
    """An advocacy issue. Its texts are about authorities and policies: no personal data."""

    title: text(200, min_length=1)  # type: ignore[valid-type]
    summary: text(NOTE_LENGTH) | None = None  # type: ignore[valid-type]
    duty_bearer: text(200, min_length=1)  # type: ignore[valid-type]
    duty_bearer_level: Code
    rights: list[Code] = Field(default_factory=list, max_length=20)
    gpc_risks: list[Code] = Field(default_factory=list, max_length=20)
    areas: list[text(32, min_length=1)] = Field(default_factory=list, max_length=50)  # type: ignore[valid-type]

    @field_validator("duty_bearer_level")
    @classmethod
    def _level(cls, v: str) -> str:
        return _codes("duty_bearer_levels", [v])[0]

    @field_validator("rights")
    @classmethod
    def _rights(cls, v: list[str]) -> list[str]:
        return _codes("rights", v)

    @field_validator("gpc_risks")
    @classmethod
    def _risks(cls, v: list[str]) -> list[str]:
        return _codes("gpc_risks", v)

    @model_validator(mode="after")
    def _concerns_something(self) -> IssueIn:
        if not self.rights and not self.gpc_risks:
            raise ValueError("name the rights or the GPC risks the issue concerns")
        return self


class ActionIn(_In):
    kind: Code
    taken_on: date
    description: text(NOTE_LENGTH, min_length=1)  # type: ignore[valid-type]
    response: text(NOTE_LENGTH) | None = None  # type: ignore[valid-type]
    response_on: date | None = None

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        return _codes("advocacy_actions", [v])[0]

    @model_validator(mode="after")
    def _dates(self) -> ActionIn:
        if self.taken_on > date.today():
            raise ValueError("taken_on: an action is recorded once taken, not in the future")
        if self.response_on is not None and self.response_on < self.taken_on:
            raise ValueError("response_on: the response cannot come before the action")
        if self.response_on is not None and not self.response:
            raise ValueError("response: a response date needs the response")
        return self


class StatusIn(_In):
    status: Status


class IssueEdit(_In):
    """A change to an issue: the fields given replace the recorded ones (lists whole)."""

    title: text(200, min_length=1) | None = None  # type: ignore[valid-type]
    summary: text(NOTE_LENGTH) | None = None  # type: ignore[valid-type]
    duty_bearer: text(200, min_length=1) | None = None  # type: ignore[valid-type]
    duty_bearer_level: Code | None = None
    rights: list[Code] | None = Field(default=None, max_length=20)
    gpc_risks: list[Code] | None = Field(default=None, max_length=20)
    areas: list[text(32, min_length=1)] | None = Field(default=None, max_length=50)  # type: ignore[valid-type]
    status: Status | None = None

    @field_validator("duty_bearer_level")
    @classmethod
    def _level(cls, v: str | None) -> str | None:
        return _codes("duty_bearer_levels", [v])[0] if v is not None else None

    @field_validator("rights")
    @classmethod
    def _rights(cls, v: list[str] | None) -> list[str] | None:
        return _codes("rights", v) if v is not None else None

    @field_validator("gpc_risks")
    @classmethod
    def _risks(cls, v: list[str] | None) -> list[str] | None:
        return _codes("gpc_risks", v) if v is not None else None

    @model_validator(mode="after")
    def _changes_something(self) -> IssueEdit:
        if not self.model_fields_set:
            raise ValueError("name at least one field to change")
        for name in ("title", "duty_bearer", "duty_bearer_level", "status"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name}: cannot be emptied")
        return self


class ActionEdit(_In):
    """A change to a recorded action, typically its response once it comes."""

    kind: Code | None = None
    taken_on: date | None = None
    description: text(NOTE_LENGTH, min_length=1) | None = None  # type: ignore[valid-type]
    response: text(NOTE_LENGTH) | None = None  # type: ignore[valid-type]
    response_on: date | None = None

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str | None) -> str | None:
        return _codes("advocacy_actions", [v])[0] if v is not None else None

    @model_validator(mode="after")
    def _changes_something(self) -> ActionEdit:
        if not self.model_fields_set:
            raise ValueError("name at least one field to change")
        for name in ("kind", "taken_on", "description"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name}: cannot be emptied")
        return self
