"""Retention: anonymise what is kept past its period (dry run by default, counts reported).

Persons untouched for ``retention_days_person`` are anonymised unless a hold says they are still
needed (the wiring adds the cases layer's: persons with an open case). Expired credentials are
purged. The report names how many persons each hold kept.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session

from safepath.privacy.actor import SYSTEM, Actor
from safepath.privacy.hooks import require_wired
from safepath.settings import get_settings
from safepath.store.models import ApiToken, WebSession
from safepath.store.models.persons import Person

# rule(session, actor, now, apply) -> how many records are (or would be) affected
Rule = Callable[[Session, Actor, datetime, bool], int]
# hold(now) -> a select of person ids that must be kept although past their period
Hold = Callable[[datetime], Select[Any]]
RULES: dict[str, Rule] = {}
HOLDS: dict[str, Hold] = {}


def register_rule(name: str, rule: Rule) -> None:
    RULES[name] = rule


def register_hold(name: str, hold: Hold) -> None:
    HOLDS[name] = hold


def _past_period(now: datetime) -> Select[Any]:
    cutoff = now - timedelta(days=get_settings().retention_days_person)
    return select(Person).where(Person.anonymised_at.is_(None), Person.updated_at < cutoff)


def _held(session: Session, now: datetime) -> dict[str, int]:
    """Persons past their period that each hold keeps (a person may be under several holds)."""
    out: dict[str, int] = {}
    for name, hold in HOLDS.items():
        stmt = _past_period(now).where(Person.id.in_(hold(now)))
        out[f"persons_held_{name}"] = (
            session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        )
    return out


def _persons(session: Session, actor: Actor, now: datetime, apply: bool) -> int:
    from safepath.privacy.persons import anonymise

    stmt = _past_period(now)
    for hold in HOLDS.values():
        stmt = stmt.where(Person.id.not_in(hold(now)))
    if not apply:
        return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    count = 0
    for person in session.scalars(stmt).all():
        anonymise(session, actor, person, action="anonymise")
        count += 1
    return count


def _credentials(session: Session, actor: Actor, now: datetime, apply: bool) -> int:
    idle = timedelta(minutes=get_settings().session_timeout_minutes)
    tokens = or_(ApiToken.expires_at < now, ApiToken.revoked_at.is_not(None))
    sessions = or_(WebSession.ended_at.is_not(None), WebSession.last_seen_at < now - idle)
    if not apply:
        n_tokens = session.scalar(select(func.count()).select_from(ApiToken).where(tokens)) or 0
        n_sessions = (
            session.scalar(select(func.count()).select_from(WebSession).where(sessions)) or 0
        )
        return n_tokens + n_sessions
    n = session.execute(delete(ApiToken).where(tokens)).rowcount  # type: ignore[attr-defined]
    n += session.execute(delete(WebSession).where(sessions)).rowcount  # type: ignore[attr-defined]
    return int(n)


def install() -> None:
    """Privacy's own rules (called by ``safepath.wiring.wire``)."""
    register_rule("persons", _persons)
    register_rule("expired_credentials", _credentials)


def run(
    session: Session, *, apply: bool = False, actor: Actor = SYSTEM, now: datetime | None = None
) -> dict[str, int]:
    require_wired("retention")
    at = now or datetime.now(UTC)
    counts = {name: rule(session, actor, at, apply) for name, rule in RULES.items()}
    return {**counts, **_held(session, at)}
