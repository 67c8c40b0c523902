"""Catalogue code lists the risk spec validates against, and the canonical answer string."""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any

from safepath.framework import catalogue

# Age brackets (min_age, max_age inclusive, whole years); "unknown" is reported as "(missing)".
AGE_BRACKETS: tuple[tuple[str, float, float], ...] = (
    ("age_0_4", 0, 5),
    ("age_5_11", 5, 12),
    ("age_12_17", 12, 18),
    ("age_18_59", 18, 60),
    ("age_60_plus", 60, math.inf),
)


@cache
def _known_codes(list_name: str) -> frozenset[str]:
    """The codes of one catalogue list (``safepath.framework``)."""
    return frozenset(catalogue().codes(list_name))


# A number written plainly: the only strings both evaluators read as numbers.
NUMERIC_RE = r"^[+-]?[0-9]+(\.[0-9]+)?$"
_NUMERIC = re.compile(NUMERIC_RE)


def canonical(value: Any) -> str:
    """The string form an answer is matched by: ``1`` for 1 and 1.0, ``true`` for True."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def as_number(value: Any) -> float | None:
    """The numeric reading of an answer, or None (bools, text and NaN are not numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        f = float(value)
        return None if math.isnan(f) else f
    if isinstance(value, str) and _NUMERIC.match(value):
        return float(value)
    return None


def is_missing(value: Any) -> bool:
    """Missing answer: None, NaN or the empty string."""
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))
