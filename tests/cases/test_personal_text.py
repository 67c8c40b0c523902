"""Every encrypted (personal free text) column of the case models is declared once, so erasure
blanks it and the data-subject export carries it."""

from __future__ import annotations

from typing import Any

from safepath.cases.hooks import PERSONAL_TEXT
from safepath.store.models import Base


def _encrypted_columns() -> dict[type[Any], set[str]]:
    found: dict[type[Any], set[str]] = {}
    for mapper in Base.registry.mappers:
        names = {c.key for c in mapper.columns if type(c.type).__name__ == "EncryptedText"}
        if names and mapper.class_.__module__.endswith("models.cases"):
            found[mapper.class_] = names
    return found


def test_every_encrypted_case_column_is_declared_personal() -> None:
    found = _encrypted_columns()
    assert found, "no encrypted columns found on the case models: is the check looking?"
    declared = {model: set(cols) for model, cols in PERSONAL_TEXT.items()}
    assert declared == found
