"""The shapes every input shares: text without NUL characters and within a length, integers in
the database's range, list lengths. Used by the schemas of ``cases`` and ``privacy`` and by the
API's query parameters, so one rule holds everywhere.

PostgreSQL cannot store a NUL character (``\\x00``) in text; it used to surface as a 500. Any string
input holding one is refused with 422 naming the field, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints

# PostgreSQL ``integer`` (SQLite takes more, but the schema is shared): ids, sizes, versions.
DB_INT_MIN = -(2**31)
DB_INT_MAX = 2**31 - 1

# Lengths (characters) and counts used across the schemas.
NAME_LENGTH = 200
NOTE_LENGTH = 10_000
CODE_LENGTH = 40
SHORT_LENGTH = 500  # a reason, an address, a description line
MAX_ITEMS = 50  # codes in one list (thematic areas, risks, languages, shared fields ...)
MAX_DOCUMENTS = 20
MAX_INTERVENTIONS = 100

# Page bounds of every list endpoint.
MAX_PAGE = 500
MAX_OFFSET = 1_000_000

EARLIEST_BIRTH = date(1900, 1, 1)


def no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain a NUL character (\\x00)")
    return value


def no_nul_anywhere(value: Any) -> Any:
    """Refuse a NUL in any string inside a JSON value (keys included): free-form answers."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            no_nul(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return value


SafeStr = Annotated[str, AfterValidator(no_nul)]


def text(max_length: int, min_length: int = 0) -> Any:
    """A ``SafeStr`` of at most ``max_length`` characters (the annotated type)."""
    return Annotated[
        str,
        StringConstraints(min_length=min_length, max_length=max_length),
        AfterValidator(no_nul),
    ]


Name = Annotated[str, StringConstraints(max_length=NAME_LENGTH), AfterValidator(no_nul)]
Note = Annotated[str, StringConstraints(max_length=NOTE_LENGTH), AfterValidator(no_nul)]
Code = Annotated[str, StringConstraints(max_length=CODE_LENGTH), AfterValidator(no_nul)]
DbInt = Annotated[int, Field(ge=DB_INT_MIN, le=DB_INT_MAX)]
DbId = Annotated[int, Field(ge=1, le=DB_INT_MAX)]


def not_implausible_birth(value: date | None) -> date | None:
    """A date of birth is not in the future and not before 1900 (the store refuses both)."""
    if value is None:
        return None
    if value < EARLIEST_BIRTH:
        raise ValueError(f"must not be before {EARLIEST_BIRTH.isoformat()}")
    if value > date.today():
        raise ValueError("must not be in the future")
    return value
