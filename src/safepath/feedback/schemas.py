"""Inputs of the complaint services (the API takes the same models as request bodies). Catalogue
fields are checked against the framework catalogue, so only stable codes are stored."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from safepath.framework import catalogue
from safepath.inputs import CODE_LENGTH, NOTE_LENGTH, SHORT_LENGTH, Code, Name, text


def _code(list_name: str, value: str | None) -> str | None:
    if value is not None and not catalogue().has(list_name, value):
        codes = ", ".join(catalogue().codes(list_name))
        raise ValueError(f"not a {list_name} code: {value!r} (one of {codes})")
    return value


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ComplaintIn(_In):
    """A complaint or feedback. ``contact`` (how to reach the person) needs their consent to be
    contacted; without it the complaint is anonymous."""

    channel: Code
    category: Code
    description: text(NOTE_LENGTH, min_length=1)  # type: ignore[valid-type]
    place_pcode: text(32) | None = None  # type: ignore[valid-type]
    population_group: Code | None = None
    contact: text(SHORT_LENGTH) | None = None  # type: ignore[valid-type]
    contact_consent: bool = False
    # Anonymous submissions only: which agency receives it (organisation code).
    agency: text(CODE_LENGTH) | None = None  # type: ignore[valid-type]

    @field_validator("channel")
    @classmethod
    def _channel(cls, v: str) -> str:
        return _code("complaint_channels", v) or v

    @field_validator("category")
    @classmethod
    def _category(cls, v: str) -> str:
        return _code("complaint_categories", v) or v

    @field_validator("population_group")
    @classmethod
    def _group(cls, v: str | None) -> str | None:
        return _code("population_groups", v)

    @field_validator("contact", "place_pcode", "agency")
    @classmethod
    def _blank_is_none(cls, v: str | None) -> str | None:
        return v or None

    @model_validator(mode="after")
    def _consent_to_contact(self) -> ComplaintIn:
        if self.contact and not self.contact_consent:
            raise ValueError(
                "contact given without the person's consent to be contacted: set "
                "contact_consent, or leave contact out (an anonymous complaint)"
            )
        return self


class AssignIn(_In):
    assignee: Name = Field(min_length=1)  # username of the agency


class ResponseIn(_In):
    response: text(NOTE_LENGTH, min_length=1)  # type: ignore[valid-type]


class ClosureIn(_In):
    """What the person was told (or how the answer reached them, for an anonymous complaint)."""

    feedback_given: text(NOTE_LENGTH, min_length=1)  # type: ignore[valid-type]


class CategoryIn(_In):
    category: Code

    @field_validator("category")
    @classmethod
    def _category(cls, v: str) -> str:
        return _code("complaint_categories", v) or v


class CaseReferralIn(_In):
    """Open a case for the person behind a complaint that reveals a protection risk. Only with
    their informed consent to case management, recorded here as the handler took it.

    From a sensitive complaint (the PSEA focal point's), the case carries only what is given
    here, which is what the person agreed to share with case management: ``shared_summary``
    as the case narrative, the place and population group only if given, never the complaint's
    code, category or text. ``caseworker`` names who takes the case (a caseworker or supervisor
    of the agency); the PSEA focal point must name one, case staff may (default: themselves)."""

    consent_case_management: bool
    thematic_areas: list[Code] = Field(min_length=1, max_length=20)
    gpc_risks: list[Code] = Field(default_factory=list, max_length=20)
    given_name: Name | None = None
    sex: Code | None = None
    age: int | None = Field(default=None, ge=0, lt=130)
    caseworker: Name | None = None
    shared_summary: text(NOTE_LENGTH) | None = None  # type: ignore[valid-type]
    place_pcode: text(32) | None = None  # type: ignore[valid-type]
    population_group: Code | None = None

    @field_validator("population_group")
    @classmethod
    def _group(cls, v: str | None) -> str | None:
        return _code("population_groups", v)

    @field_validator("caseworker", "shared_summary", "place_pcode")
    @classmethod
    def _blank_is_none(cls, v: str | None) -> str | None:
        return v or None

    @field_validator("consent_case_management")
    @classmethod
    def _consented(cls, v: bool) -> bool:
        if not v:
            raise ValueError(
                "a complaint becomes a case only with the person's consent to case management"
            )
        return v
