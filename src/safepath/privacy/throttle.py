"""Login throttling that holds under concurrency.

Per user, every attempt first *reserves* a slot with one atomic upsert that returns the new count,
committed at once in its own transaction so that concurrent attempts see it. An attempt over the
limit, or while the account is locked, is refused (429) before its password is evaluated, so at
most ``login_max_failures`` guesses per window are ever checked, however many arrive at once; the
correct password is refused too while locked. A successful login clears the user's counter.

Per address, failures are counted atomically after evaluation and checked before it: an office
behind one NAT address must not be locked out by its own successful logins, so in-flight attempts
are not reserved there (the per-address bound can be overshot by the requests in flight).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from safepath.errors import TooManyRequests
from safepath.settings import get_settings
from safepath.store.models import LoginThrottle

T = LoginThrottle


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def _refuse(locked_until: datetime | None) -> TooManyRequests:
    wait = 60
    if locked_until is not None:
        wait = max(1, int((_aware(locked_until) - _now()).total_seconds()) + 1)
    exc = TooManyRequests(f"too many failed logins; try again in {wait} seconds")
    exc.headers = {"Retry-After": str(wait)}  # type: ignore[attr-defined]
    return exc


def _upsert(engine: Engine, key: str) -> tuple[int, datetime | None]:
    """failures + 1 (or 1 when the window or the lock has expired), atomically; returns the new
    count and the lock."""
    s = get_settings()
    now = _now()
    expired = or_(
        T.window_start < now - timedelta(minutes=s.login_window_minutes),
        and_(T.locked_until.is_not(None), T.locked_until <= now),
    )
    dialect: Any = postgresql if engine.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(T).values(key=key, failures=1, window_start=now, locked_until=None)
    stmt = stmt.on_conflict_do_update(
        index_elements=[T.key],
        set_={
            "failures": case((expired, 1), else_=T.failures + 1),
            "window_start": case((expired, now), else_=T.window_start),
            "locked_until": case((expired, None), else_=T.locked_until),
        },
    ).returning(T.failures, T.locked_until)
    with engine.begin() as conn:
        row = conn.execute(stmt).one()
    return int(row[0]), row[1]


def _lock(engine: Engine, key: str) -> None:
    until = _now() + timedelta(minutes=get_settings().login_lockout_minutes)
    with engine.begin() as conn:
        conn.execute(update(T).where(T.key == key).values(locked_until=until))


def user_key(username: str) -> str:
    return f"user:{username.lower()}"


def ip_key(ip: str) -> str:
    return f"ip:{ip}"


def before_attempt(engine: Engine, username: str, ip: str | None) -> None:
    """Reserve the user's slot and check the address; raises 429 instead of evaluating."""
    s = get_settings()
    if ip:
        with engine.connect() as conn:
            row = conn.execute(
                select(T.failures, T.locked_until).where(T.key == ip_key(ip))
            ).first()
        if row is not None and row[1] is not None and _aware(row[1]) > _now():
            raise _refuse(row[1])
    failures, locked_until = _upsert(engine, user_key(username))
    if locked_until is not None and _aware(locked_until) > _now():
        raise _refuse(locked_until)
    if failures > s.login_max_failures:
        _lock(engine, user_key(username))
        raise _refuse(_now() + timedelta(minutes=s.login_lockout_minutes))


def after_failure(engine: Engine, username: str, ip: str | None) -> None:
    s = get_settings()
    failures = _count(engine, user_key(username))
    if failures >= s.login_max_failures:
        _lock(engine, user_key(username))
    if ip:
        n, _ = _upsert(engine, ip_key(ip))
        if n >= s.login_max_failures_per_ip:
            _lock(engine, ip_key(ip))


def _count(engine: Engine, key: str) -> int:
    # The failed attempt was already counted by its reservation.
    with engine.connect() as conn:
        value = conn.execute(select(T.failures).where(T.key == key)).scalar()
    return int(value or 0)


def after_success(engine: Engine, username: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(T).where(T.key == user_key(username)))
