"""Input shapes for persons and consents, validated against the framework catalogue."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from safepath.framework import catalogue, countries
from safepath.inputs import (
    MAX_DOCUMENTS,
    MAX_ITEMS,
    SHORT_LENGTH,
    Code,
    Note,
    SafeStr,
    not_implausible_birth,
    text,
)

_SEX_ALIASES = {"f": "female", "m": "male", "woman": "female", "man": "male"}
Name = Field(default=None, min_length=1, max_length=200)


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: SafeStr = Field(min_length=1, max_length=60)
    number: SafeStr = Field(min_length=1, max_length=100)


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    purpose: Literal["case_management", "referral_sharing", "analysis"]
    given_by: Literal["person", "guardian"] = "person"
    child_assent: bool | None = None


class _PersonFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    given_name: SafeStr | None = Name
    family_name: SafeStr | None = Name
    other_names: SafeStr | None = Name
    date_of_birth: date | None = None
    phone: SafeStr | None = Field(default=None, max_length=40, pattern=r"^[0-9+()\-. ]+$")
    documents: list[DocumentIn] | None = Field(default=None, max_length=MAX_DOCUMENTS)
    address: text(SHORT_LENGTH) | None = None  # type: ignore[valid-type]
    notes: Note | None = None
    sex: Code | None = None
    age: int | None = Field(default=None, ge=0, lt=130)
    nationality: SafeStr | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")
    languages: list[Code] | None = Field(default=None, max_length=MAX_ITEMS)
    place_pcode: text(32) | None = None  # type: ignore[valid-type]
    population_group: Code | None = None
    washington_group: dict[Code, Code] | None = Field(default=None, max_length=MAX_ITEMS)
    household_code: Code | None = None
    team: Code | None = None

    _birth = field_validator("date_of_birth")(classmethod(lambda cls, v: not_implausible_birth(v)))

    @field_validator("sex")
    @classmethod
    def _sex(cls, v: str | None) -> str | None:
        if v is None:
            return None
        code = _SEX_ALIASES.get(v.lower(), v.lower())
        if not catalogue().has("sex_gender", code):
            raise ValueError(f"sex must be one of {', '.join(catalogue().codes('sex_gender'))}")
        return code

    @field_validator("population_group")
    @classmethod
    def _group(cls, v: str | None) -> str | None:
        if v is not None and not catalogue().has("population_groups", v):
            raise ValueError(f"unknown population group {v!r}")
        return v

    @field_validator("nationality")
    @classmethod
    def _nationality(cls, v: str | None) -> str | None:
        if not v:
            return v
        code = v.upper()
        # ISO 3166-1 alpha-3, or the range ISO leaves to users (XAA-XZZ: stateless, unknown)
        if code not in countries.codes() and not code.startswith("X"):
            raise ValueError(f"nationality {v!r} is not an ISO 3166-1 alpha-3 code")
        return code

    @field_validator("languages")
    @classmethod
    def _languages(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return None
        for code in v:
            if not (2 <= len(code) <= 3 and code.isalpha()):
                raise ValueError(f"language {code!r} is not an ISO 639 code")
        return [c.lower() for c in v]

    @field_validator("washington_group")
    @classmethod
    def _wg(cls, v: dict[str, str] | None) -> dict[str, str] | None:
        if v is None:
            return None
        cat = catalogue()
        for domain, answer in v.items():
            if not cat.has("washington_group_domains", domain):
                raise ValueError(f"unknown Washington Group domain {domain!r}")
            if not cat.has("washington_group_answers", answer):
                raise ValueError(f"unknown Washington Group answer {answer!r}")
        return v


class PersonIn(_PersonFields):
    consents: list[ConsentIn] = Field(default_factory=list, max_length=10)


class PersonPatch(_PersonFields):
    """Only the fields present are changed; ``null`` clears a field."""
