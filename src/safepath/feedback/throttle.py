"""The public intake's flood limit: complaints sent without an account, per address and window.

Counted with one atomic upsert in its own committed transaction (as login throttling is), so
concurrent requests and several server processes see one count. The counter lives in the login
throttle table under its own key prefix (``complaint-ip:``), which login keys never use.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, case
from sqlalchemy.dialects import postgresql, sqlite

from safepath.errors import TooManyRequests
from safepath.settings import get_settings
from safepath.store.models import LoginThrottle

T = LoginThrottle
PREFIX = "complaint-ip:"


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def count_public_submission(engine: Engine, ip: str | None) -> None:
    """Count one submission from ``ip``; 429 (with ``Retry-After``) once over the limit."""
    s = get_settings()
    now = datetime.now(UTC)
    window = timedelta(minutes=s.complaint_public_window_minutes)
    expired = T.window_start < now - window
    dialect: Any = postgresql if engine.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(T).values(
        key=PREFIX + (ip or "unknown"), failures=1, window_start=now, locked_until=None
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[T.key],
        set_={
            "failures": case((expired, 1), else_=T.failures + 1),
            "window_start": case((expired, now), else_=T.window_start),
        },
    ).returning(T.failures, T.window_start)
    with engine.begin() as conn:
        count, started = conn.execute(stmt).one()
    if int(count) > s.complaint_public_limit:
        wait = max(1, int((_aware(started) + window - now).total_seconds()) + 1)
        exc = TooManyRequests(
            f"too many complaints sent from this address; try again in {wait} seconds, or "
            "call the hotline"
        )
        exc.headers = {"Retry-After": str(wait)}  # type: ignore[attr-defined]
        raise exc
