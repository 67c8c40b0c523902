"""The time the case services stamp on what they write.

Every case service reads :func:`now` for the times it records (case created/updated, assessed,
plan approved, referral sent/answered, follow-up, closure requested/closed) and for deadlines.
Outside :func:`at` that is the real time (UTC), which is all production code ever sees.

:func:`at` replays work at a past moment: the demo loader registers a case "300 days ago" and
records its assessment, plan, referrals, follow-ups and closure at their own past times, through
the same services a user calls. It is a context variable, so it holds for the current thread or
task only and cannot leak into concurrent requests.

What the clock does *not* move: the audit chain. ``safepath.privacy.audit`` stamps each event
with the real time it was written, because the chain is evidence of when records were written
(and by whom), not of when the work they describe took place. A replayed history therefore has
record timestamps in the past and audit events dated at load time, in the order they were
written. Person and consent records (the person service) keep the real time too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_replayed: ContextVar[datetime | None] = ContextVar("safepath_cases_clock", default=None)


def now() -> datetime:
    """The time to record: the replayed moment inside :func:`at`, otherwise the real time."""
    when = _replayed.get()
    return when if when is not None else datetime.now(UTC)


@contextmanager
def at(when: datetime) -> Iterator[datetime]:
    """Make :func:`now` return ``when`` (timezone-aware, not in the future) inside the block."""
    if when.tzinfo is None:
        raise ValueError("the replay time must be timezone-aware")
    when = when.astimezone(UTC)
    if when > datetime.now(UTC):
        raise ValueError(f"cannot record work in the future ({when.isoformat()})")
    token = _replayed.set(when)
    try:
        yield when
    finally:
        _replayed.reset(token)
