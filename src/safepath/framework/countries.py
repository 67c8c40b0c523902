"""Country names for nationality pickers: ISO 3166-1 alpha-3 codes with their names in English,
French, Spanish and Arabic (``countries.csv``: the ISO 3166-1 code list, with each country's
name from the Unicode CLDR as Babel ships it, under the Unicode licence). The person record keeps
the alpha-3 code."""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib.resources import files


@lru_cache(maxsize=1)
def _rows() -> tuple[dict[str, str], ...]:
    with (files("safepath.framework") / "countries.csv").open(encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


def names() -> tuple[tuple[str, str, str, str, str], ...]:
    """(alpha-3, English, French, Spanish, Arabic) for every country, in the file's order (a
    missing translation is the English name)."""
    return tuple(
        (r["alpha_3"], r["en"], r["fr"] or r["en"], r["es"] or r["en"], r["ar"] or r["en"])
        for r in _rows()
    )


def codes() -> frozenset[str]:
    return frozenset(r["alpha_3"] for r in _rows())


@lru_cache(maxsize=8)
def choices(lang: str) -> tuple[tuple[str, str], ...]:
    """(alpha-3, name in ``lang``; English when not translated), sorted by name."""
    column = lang if lang in ("en", "fr", "es", "ar") else "en"
    named = [(r["alpha_3"], r[column] or r["en"]) for r in _rows()]
    return tuple(sorted(named, key=lambda c: c[1].casefold()))
