"""Validation errors in words, all at once, in the reader's language: "Thematic areas: choose at
least one; Age: must be at most 129" instead of pydantic's "thematic_areas: List should have at
least 1 item after validation". The labels are the forms' own (already in the catalogs)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from safepath.errors import ValidationFailed, localise
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


def _words(error: Any, lang: str) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}

    def t(message: str, **values: object) -> str:
        return translate(message, lang) % values if values else translate(message, lang)

    if kind == "missing":
        return t("is required")
    if kind == "too_short":
        return t("choose at least one") if ctx.get("min_length") == 1 else t("too few")
    if kind in ("string_too_long", "too_long"):
        return t("is too long (at most %(n)s)", n=ctx.get("max_length"))
    if kind == "string_too_short":
        return t("is required")
    if kind in ("int_parsing", "int_from_float", "float_parsing"):
        return t("must be a number")
    if kind in ("greater_than_equal", "greater_than"):
        return t("must be at least %(n)s", n=ctx.get("ge", ctx.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        limit = ctx.get("le", ctx.get("lt"))
        if kind == "less_than" and isinstance(limit, int):
            limit -= 1
        return t("must be at most %(n)s", n=limit)
    if kind.startswith("date") or kind.startswith("datetime"):
        return t("must be a date (YYYY-MM-DD)")
    if kind in ("literal_error", "enum"):
        return t("is not one of the choices")
    if kind == "string_pattern_mismatch":
        return t("is not in the expected form")
    if kind == "value_error":  # a validator's own message (catalogue checks), in the language
        return localise(str(error["msg"]).removeprefix("Value error, "), reader(lang))
    return str(error["msg"])


def _field(loc: tuple[Any, ...], lang: str) -> str:
    names = [str(part) for part in loc if not isinstance(part, int)]
    name = names[-1] if names else ""
    return translate(LABELS[name], lang) if name in LABELS else name


def in_words(errors: list[ValidationError], lang: str) -> ValidationFailed:
    """One refusal listing every problem of every model validated from one form."""
    parts: list[str] = []
    for exc in errors:
        for e in exc.errors():
            text = f"{_field(tuple(e['loc']), lang)}: {_words(e, lang)}"
            if text not in parts:
                parts.append(text)
    return ValidationFailed("; ".join(parts))
