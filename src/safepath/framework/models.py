"""Pydantic models of the framework catalogue: one list (one YAML file) and its entries.

Models are frozen: the catalogue is shared, cached data and must not be changed by a caller.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PrivateAttr,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from safepath.errors import InputError, NotFound

LANGUAGES: Final = ("en", "fr", "es", "ar")
CODE_PATTERN: Final = r"^[a-z0-9_]+$"
# Typed attributes some lists carry (see docs/catalogue-codes.md), in output column order.
EXTRA_ATTRIBUTES: Final = ("value", "min_age", "max_age", "sensitive")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]


def check_language(lang: str) -> str:
    """Return ``lang`` if the catalogue is translated into it, else raise ``InputError``."""
    if lang not in LANGUAGES:
        raise InputError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    return lang


class Translations(BaseModel):
    """A text in every catalogue language; each one is required and non-empty."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    en: Text
    fr: Text
    es: Text
    ar: Text

    def get(self, lang: str = "en") -> str:
        text: str = getattr(self, check_language(lang))
        return text


class OptionalTranslations(BaseModel):
    """Translations of an English text; a missing language falls back to English."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fr: Text | None = None
    es: Text | None = None
    ar: Text | None = None


class Entry(BaseModel):
    """One coded item of a list, e.g. a GPC risk or a severity phase."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Code
    labels: Translations
    description: Text
    descriptions: OptionalTranslations = OptionalTranslations()
    source: Text | None = None
    # Strict: a quoted "3" in YAML is a data error, not a number.
    value: StrictInt | None = None
    min_age: Annotated[NonNegativeInt, Field(strict=True)] | None = None
    max_age: Annotated[NonNegativeInt, Field(strict=True)] | None = None
    # Complaint categories: a sensitive one is routed to the PSEA focal point only.
    sensitive: StrictBool | None = None

    @model_validator(mode="after")
    def _age_range(self) -> Entry:
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise PydanticCustomError(
                "age_range",
                "min_age {min_age} is above max_age {max_age}",
                {"min_age": self.min_age, "max_age": self.max_age},
            )
        return self

    def label(self, lang: str = "en") -> str:
        return self.labels.get(lang)

    def describe(self, lang: str = "en") -> str:
        """The description in ``lang``, or in English when it has no translation."""
        if check_language(lang) == "en":
            return self.description
        text: str | None = getattr(self.descriptions, lang)
        return text if text is not None else self.description

    def extras(self) -> dict[str, int | bool | None]:
        return {name: getattr(self, name) for name in EXTRA_ATTRIBUTES}


class CatalogueList(BaseModel):
    """One list of the catalogue (one data file): its titles, citation and ordered entries."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    name: Code
    titles: Translations = Field(alias="title")
    description: Text
    source: Text
    entries: tuple[Entry, ...] = Field(min_length=1)
    _index: dict[str, Entry] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _unique_codes(self) -> CatalogueList:
        seen: dict[str, int] = {}
        for i, entry in enumerate(self.entries):
            if entry.code in seen:
                raise PydanticCustomError(
                    "duplicate_code",
                    "duplicate code '{code}' at entries[{i}] (first at entries[{j}])",
                    {"code": entry.code, "i": i, "j": seen[entry.code]},
                )
            seen[entry.code] = i
        return self

    def model_post_init(self, context: Any, /) -> None:
        self._index.update((entry.code, entry) for entry in self.entries)

    def title(self, lang: str = "en") -> str:
        return self.titles.get(lang)

    def codes(self) -> list[str]:
        return [entry.code for entry in self.entries]

    def has(self, code: str) -> bool:
        return code in self._index

    def entry(self, code: str) -> Entry:
        try:
            return self._index[code]
        except KeyError:
            raise NotFound(
                f"unknown code {code!r} in catalogue list {self.name!r}; "
                f"valid codes: {', '.join(self.codes())}"
            ) from None

    def extra_attributes(self) -> list[str]:
        """The typed attributes (value, min_age, max_age, sensitive) any entry of this list sets."""
        return [a for a in EXTRA_ATTRIBUTES if any(getattr(e, a) is not None for e in self.entries)]

    def rows(self, lang: str = "en") -> list[dict[str, Any]]:
        """Flat rows for JSON or CSV: code, label, description, source, then the list's extras.

        Every row has the same keys, so a CSV writer can take the first row's keys as header.
        """
        check_language(lang)
        extras = self.extra_attributes()
        return [
            {
                "code": e.code,
                "label": e.label(lang),
                "description": e.describe(lang),
                "source": e.source or self.source,
                **{a: getattr(e, a) for a in extras},
            }
            for e in self.entries
        ]
