"""Spreadsheet output safety: no cell of a CSV or XLSX we write is read as a formula.

OWASP's CSV-injection advice: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is prefixed with a single quote, so Excel, LibreOffice and Google Sheets show it as
text. Plain numbers written as text ("-3", "+1.5") are left alone: they are not formulas. Every
CSV/XLSX writer (risk, analysis, audit, exports) passes its cells through here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# The same rule as a regular expression, for writers that stream from a database (Ibis).
UNSAFE_PATTERN = r"^[=+\-@\t\r]"
NUMBER_PATTERN = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def neutralise(value: Any) -> Any:
    """The value as a spreadsheet must show it; non-text values are returned unchanged."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: neutralise(v) for k, v in row.items()}


def neutralise_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [neutralise_row(r) for r in rows]
