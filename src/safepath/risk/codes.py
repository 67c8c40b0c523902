"""Catalogue code lists the risk spec validates against, and the canonical answer string.

TODO(lead): once the ``catalogue`` branch (``safepath.framework``) is merged, drop ``_FALLBACK``
and let ``_known_codes`` read the catalogue only.
"""

from __future__ import annotations

import importlib
import math
import re
from functools import cache
from typing import Any

# Copied from docs/catalogue-codes.md; used only while safepath.framework is not importable.
_FALLBACK: dict[str, frozenset[str]] = {
    "gpc_risks": frozenset(
        "abduction_detention attacks_on_civilians family_separation child_marriage "
        "discrimination_denial disinformation child_recruitment gbv legal_identity_justice "
        "explosive_ordnance psychological_abuse theft_extortion_eviction torture "
        "trafficking_forced_labour movement_restrictions".split()
    ),
    "rights": frozenset(
        "right_to_life freedom_of_movement access_to_justice family_life social_security health "
        "education decent_work_living non_discrimination privacy_data_protection non_refoulement "
        "freedom_from_torture freedom_from_slavery".split()
    ),
    "case_risk_levels": frozenset({"high", "medium", "low", "none"}),
    "sex_gender": frozenset({"female", "male", "other", "prefer_not_to_say"}),
    "population_groups": frozenset(
        "migrant idp refugee asylum_seeker returnee host_community migrant_worker "
        "smuggled_migrant victim_of_trafficking uasc stateless other".split()
    ),
    "washington_group_answers": frozenset(
        {"no_difficulty", "some_difficulty", "a_lot_of_difficulty", "cannot_do_at_all"}
    ),
}

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
    """The codes of one catalogue list: from ``safepath.framework`` when present, else fallback."""
    try:
        framework: Any = importlib.import_module("safepath.framework")
        return frozenset(framework.catalogue().codes(list_name))
    except (ImportError, AttributeError, KeyError, LookupError):
        return _FALLBACK[list_name]


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
