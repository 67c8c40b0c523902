"""Keyset pagination: a page starts after the last row of the previous one, named by its sort
value and id, instead of OFFSET (which reads and discards every row before the page).

The cursor handed to clients is opaque and sealed (AES-GCM under a key derived from the secret
key): the internal id inside it never leaves the system readable, and a cursor that was edited,
truncated, made for another sort order or by another installation is refused with 422 naming the
parameter, never a database error.

NULL sort values sort where the database puts them (SQLite: first when ascending; PostgreSQL:
last), so that the indexes serve the ORDER BY; the predicate follows the same rule.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import ColumnElement, and_, literal, or_

from safepath.errors import Problem, ValidationFailed
from safepath.settings import get_settings

_AAD = b"safepath keyset cursor v1"


@dataclass(frozen=True)
class Position:
    """Where a page starts: after (``backward``: before) the row with this sort value and id."""

    sort: str  # the sort it was made for, e.g. "-updated_at"
    value: Any  # the row's sort value: str, int, float, datetime, date or None
    id: int
    backward: bool = False


@lru_cache(maxsize=4)
def _aead(secret: str) -> AESGCM:
    return AESGCM(hashlib.sha256(b"safepath cursor key\x00" + secret.encode()).digest())


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"cannot put a {type(value).__name__} in a cursor")


def _decode_value(raw: Any) -> Any:
    if isinstance(raw, dict) and len(raw) == 1:
        (tag, text), *_ = raw.items()
        if tag == "t" and isinstance(text, str):
            return datetime.fromisoformat(text)
        if tag == "d" and isinstance(text, str):
            return date.fromisoformat(text)
        raise ValueError("unknown value tag")
    if raw is None or isinstance(raw, str | int | float):
        return raw
    raise ValueError("bad value")


def seal(pos: Position) -> str:
    """The opaque cursor for ``pos``."""
    body = json.dumps(
        [pos.sort, _encode_value(pos.value), pos.id, int(pos.backward)], separators=(",", ":")
    ).encode()
    nonce = os.urandom(12)
    blob = nonce + _aead(get_settings().secret_key).encrypt(nonce, body, _AAD)
    return base64.urlsafe_b64encode(blob).rstrip(b"=").decode()


def unseal(cursor: str, sort: str, *, param: str = "cursor") -> Position:
    """The position in ``cursor``, made for ``sort``; 422 naming ``param`` otherwise."""
    try:
        if len(cursor) > 400:
            raise ValueError("too long")
        blob = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        if len(blob) < 12 + 16:
            raise ValueError("too short")
        body = _aead(get_settings().secret_key).decrypt(blob[:12], blob[12:], _AAD)
        made_for, raw, row_id, backward = json.loads(body)
        if not isinstance(row_id, int) or not isinstance(made_for, str) or backward not in (0, 1):
            raise ValueError("bad cursor fields")
        pos = Position(made_for, _decode_value(raw), row_id, bool(backward))
    except (ValueError, TypeError, InvalidTag, binascii.Error, UnicodeDecodeError) as exc:
        raise _invalid(param, "is not a cursor this server gave out", cursor) from exc
    if pos.sort != sort:
        raise _invalid(
            param,
            f"was made for sort {pos.sort!r}, not {sort!r}: start again from page one",
            cursor,
        )
    return pos


def _invalid(param: str, why: str, value: str) -> ValidationFailed:
    message = f"{param}: {why}"
    shown = value if len(value) <= 80 else value[:77] + "..."
    return ValidationFailed(
        message, problems=[Problem(message, scope="query", column=param, value=shown)]
    )


def nulls_sort_low(dialect: str) -> bool:
    """Whether the database sorts NULL before every value in ascending order."""
    return dialect != "postgresql"


def beyond(
    col: Any, id_col: Any, pos: Position, *, descending: bool, nulls_low: bool
) -> ColumnElement[bool]:
    """Rows strictly after ``pos`` in the order ``col, id`` (both ``descending`` or both not),
    or strictly before it for a backward cursor. An index on ``(.., col, id)`` answers it as a
    range of ``col``."""
    greater = descending == pos.backward  # walking towards larger values
    # NULLs are met first when walking up with NULLs low, or walking down with NULLs high
    nulls_first = greater == nulls_low
    if pos.value is None:
        same = and_(col.is_(None), id_col > pos.id if greater else id_col < pos.id)
        return or_(same, col.is_not(None)) if nulls_first else same
    v = literal(pos.value, col.type)
    # (col, id) beyond (v, i), written so that the first term bounds an index range on both
    # databases in both directions (SQLite does not use a row value ``<`` on a reverse scan)
    if greater:
        after = and_(col >= v, or_(col > v, id_col > pos.id))
    else:
        after = and_(col <= v, or_(col < v, id_col < pos.id))
    if nulls_first or not getattr(col, "nullable", True):
        return after
    # NULLs still to come: the OR keeps them, at the price of the index range (nullable sort
    # columns only: next_action_due, phase)
    return or_(after, col.is_(None))
