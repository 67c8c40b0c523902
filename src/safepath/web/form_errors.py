"""Validation errors in words, all at once, in the reader's language: "Thematic areas: choose at
least one; Age: must be at most 129" instead of pydantic's "thematic_areas: List should have at
least 1 item after validation". The labels are the forms' own (already in the catalogs); the words
are those the API uses too (``safepath.http.validation_words``)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from safepath.errors import ValidationFailed
from safepath.http.validation_words import in_words as error_in_words
from safepath.web.i18n import reader, translate

# form field -> its label on the forms (msgids of the templates)
LABELS = {
    "given_name": "Given name",
    "family_name": "Family name",
    "other_names": "Other names",
    "age": "Age",
    "sex": "Sex",
    "phone": "Phone",
    "date_of_birth": "Date of birth",
    "nationality": "Nationality",
    "place_pcode": "Place (P-code)",
    "population_group": "Population group",
    "household_code": "Household",
    "household_size": "Household size",
    "thematic_areas": "Thematic areas",
    "narrative": "Narrative",
    "subject": "Subject",
    "purpose": "Purpose",
    "given_by": "Consent given by",
    "consents": "Consent",
    "note": "Note",
    "next_due": "Next follow-up",
    "kind": "Kind",
    "reason": "Reason",
    "service": "Service",
    "modality": "Modality",
    "thematic_area": "Thematic area",
    "due_date": "Due date",
    "description": "Description",
}


def _field(loc: tuple[Any, ...], lang: str) -> str:
    names = [str(part) for part in loc if not isinstance(part, int)]
    name = names[-1] if names else ""
    return translate(LABELS[name], lang) if name in LABELS else name


def in_words(errors: list[ValidationError], lang: str) -> ValidationFailed:
    """One refusal listing every problem of every model validated from one form."""
    parts: list[str] = []
    for exc in errors:
        for e in exc.errors():
            text = f"{_field(tuple(e['loc']), lang)}: {error_in_words(e, reader(lang))}"
            if text not in parts:
                parts.append(text)
    return ValidationFailed("; ".join(parts))


def field_errors(exc: ValidationError, lang: str) -> dict[str, str]:
    """Each field's first problem in words, to show next to the field."""
    out: dict[str, str] = {}
    for e in exc.errors():
        names = [str(part) for part in e["loc"] if not isinstance(part, int)]
        out.setdefault(names[-1] if names else "", error_in_words(e, reader(lang)))
    return out
