"""Query parameters every list endpoint shares, bound the same way (``safepath.inputs``): a page of
1..500 rows from an offset of 0..1,000,000, integer ids within the database's range, and text
without NUL characters. Out of bounds answers 422 naming the parameter, never a database error."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator

from safepath.inputs import CODE_LENGTH, DB_INT_MAX, MAX_OFFSET, MAX_PAGE, NAME_LENGTH, no_nul

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
IdParam = Annotated[int | None, Query(ge=1, le=DB_INT_MAX)]


def _optional_no_nul(value: str | None) -> str | None:
    return None if value is None else no_nul(value)


# optional text: a name or search text (200 characters), a code (40)
NameParam = Annotated[str | None, Query(max_length=NAME_LENGTH), AfterValidator(_optional_no_nul)]
CodeParam = Annotated[str | None, Query(max_length=CODE_LENGTH), AfterValidator(_optional_no_nul)]
