"""Pydantic's validation errors in words ("is too long (at most 80)"), for the API's problems and
the web forms alike: one mapping, kept as data. The words are the ``http.validation.*`` templates
of ``error_messages.yaml`` (translated in the catalogues); each lists the pydantic error types it
reads for, and the error's ``ctx`` values fill its placeholders."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

from safepath.errors import Reader, localise


@lru_cache(maxsize=1)
def words_by_type() -> dict[str, str]:
    """pydantic error type -> the English template that says it."""
    text = (files("safepath") / "error_messages.yaml").read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for entry in yaml.safe_load(text)["messages"]:
        for kind in entry.get("pydantic", ()):
            table[str(kind)] = str(entry["en"])
    return table


def _kind_and_values(error: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    kind = str(error["type"])
    ctx = dict(error.get("ctx") or {})
    if kind in ("too_short", "string_too_short") and ctx.get("min_length") == 1:
        return f"{kind}_one", ctx
    bound = {"greater_than": "gt", "greater_than_equal": "ge"}
    bound |= {"less_than": "lt", "less_than_equal": "le"}
    if kind in bound:
        limit = ctx.get(bound[kind])
        # a whole-number bound reads inclusive, as forms say it: "< 130" is "at most 129"
        if isinstance(limit, int) and not isinstance(limit, bool):
            if kind == "less_than":
                return "less_than_equal", {"limit": limit - 1}
            if kind == "greater_than":
                return "greater_than_equal", {"limit": limit + 1}
        return kind, {"limit": limit}
    return kind, ctx


def phrase(error: Mapping[str, Any]) -> str | None:
    """The error in our English words, or None for a type the mapping does not know. A
    ``value_error`` is a validator's own message (itself in ``error_messages.yaml``)."""
    if error["type"] == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    kind, values = _kind_and_values(error)
    template = words_by_type().get(kind)
    if template is None:
        return None
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):  # a ctx without the value the words name
        return None


def in_words(error: Mapping[str, Any], reader: Reader | None) -> str:
    """The error in the reader's language (our English words when None); pydantic's own
    message for a type the mapping does not know."""
    said = phrase(error)
    if said is None:
        return str(error["msg"])
    return localise(said, reader) if reader is not None else said
