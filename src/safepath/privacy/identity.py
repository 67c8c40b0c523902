"""Users, passwords (argon2id), login throttling, bearer tokens and page sessions.

Tokens and session ids are random (256 bits) and stored only as SHA-256 hashes: a database leak
does not hand out live credentials.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, bindparam, select, update
from sqlalchemy.orm import Session, selectinload

from safepath.errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationFailed
from safepath.privacy import audit, credentials, grants, throttle
from safepath.privacy.actor import Actor, Role
from safepath.settings import get_settings
from safepath.store.models import ApiToken, Organisation, Team, User, WebSession, user_teams


@lru_cache(maxsize=4)
def _hasher_for(time_cost: int, memory_kib: int) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)  # argon2id by default
    # Verified against when the username is unknown, so both paths cost the same time.
    return hasher, hasher.hash(secrets.token_urlsafe(16))


def _hasher() -> PasswordHasher:
    s = get_settings()
    return _hasher_for(s.password_hash_time_cost, s.password_hash_memory_kib)[0]


def _dummy_hash() -> str:
    s = get_settings()
    return _hasher_for(s.password_hash_time_cost, s.password_hash_memory_kib)[1]


def now() -> datetime:
    return datetime.now(UTC)


def aware(at: datetime) -> datetime:
    # SQLite hands back naive datetimes (stored as UTC).
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


# --- passwords and users ---------------------------------------------------------------------
def hash_password(password: str, username: str = "", *, check_strength: bool = True) -> str:
    """``check_strength=False`` only for credentials published on purpose (the demo users)."""
    if check_strength:
        credentials.check_password(password, username)
        return _hasher().hash(password)
    if len(password) < 8:
        raise ValidationFailed("passwords need at least 8 characters")
    # Published on purpose, so a costly hash protects nothing; the first sign-in rehashes it at
    # full cost (``authenticate`` checks ``check_needs_rehash``).
    return PasswordHasher(time_cost=1, memory_cost=8192).hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def get_or_create_organisation(session: Session, code: str, kind: str = "agency") -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.code == code))
    if org is None:
        org = Organisation(code=code, name=code, kind=kind)
        session.add(org)
        session.flush()
    return org


def get_or_create_team(session: Session, organisation_id: int, code: str) -> Team:
    team = session.scalar(
        select(Team).where(Team.organisation_id == organisation_id, Team.code == code)
    )
    if team is None:
        team = Team(organisation_id=organisation_id, code=code, name=code)
        session.add(team)
        session.flush()
    return team


def add_user(
    session: Session,
    username: str,
    role: Role | str,
    agency: str,
    password: str,
    teams: list[str] | None = None,
    language: str = "en",
    *,
    check_strength: bool = True,
) -> User:
    """Create a user (and their agency and teams when they do not exist yet)."""
    role = Role(role)
    username = credentials.check_username(username)
    agency = credentials.check_agency(agency)
    shape = credentials.skeleton(username)
    for existing in session.scalars(select(User.username)):
        if credentials.skeleton(existing) == shape:
            raise Conflict(
                f"user {username!r} already exists or looks like the existing user {existing!r}"
            )
    kind = "partner" if role is Role.partner_focal_point else "agency"
    org = get_or_create_organisation(session, agency, kind)
    user = User(
        username=username,
        password_hash=hash_password(password, username, check_strength=check_strength),
        role=role.value,
        organisation_id=org.id,
        language=language,
        disabled=False,
        teams=[get_or_create_team(session, org.id, t) for t in teams or []],
    )
    session.add(user)
    session.flush()
    return user


PERSONAL_DATA_ROLES = grants.PERSONAL_DATA_ROLES
# Offered first (and preselected) when an admin creates a user: the least privileged role.
LEAST_PRIVILEGED = Role.auditor


def record_grant(session: Session, actor: Actor, user: User) -> None:
    """Audit the creation of a user by an operator (``safepath users add``): a role that reads
    personal data is recorded as granted (``safepath.privacy.grants``), never held."""
    grants.record_new_user(session, actor, user, hold=False)


def _own_agency(session: Session, actor: Actor) -> Organisation:
    org = session.get(Organisation, actor.agency_id)
    if org is None:
        raise Forbidden("your account belongs to no agency: users cannot be managed from it")
    return org


def managed_agency(session: Session, actor: Actor) -> str:
    """The one agency whose users an admin manages: their own."""
    return _own_agency(session, actor).code


def admin_add_user(
    session: Session,
    actor: Actor,
    username: str,
    role: Role | str,
    agency: str,
    password: str,
    teams: list[str] | None = None,
) -> User:
    """An admin creates a user, in the admin's own agency only (an admin reaching another
    agency's users could sign in as one and read that agency's persons). Audited; a role that
    reads personal data waits for a second admin when ``SAFEPATH_ROLE_GRANT_APPROVAL`` is on
    (the user is then created disabled: ``safepath.privacy.grants``)."""
    own = _own_agency(session, actor)
    if (agency or own.code) != own.code:
        raise Forbidden(f"you manage the users of your own agency ({own.code}) only")
    user = add_user(session, username, role, own.code, password, teams)
    grants.record_new_user(session, actor, user, hold=True)
    return user


def admin_set_disabled(session: Session, actor: Actor, username: str, disabled: bool) -> User:
    """An admin disables or enables a user of their own agency only. Audited."""
    own = _own_agency(session, actor)
    user = find_user(session, username)
    if user.organisation_id != own.id:
        raise Forbidden(f"you manage the users of your own agency ({own.code}) only")
    if not disabled and grants.is_pending(session, user.id):
        raise Conflict(f"{user.username}'s role awaits another admin's approval")
    set_disabled(session, username, disabled)
    audit.record(session, actor, "user_admin", "user", user.id, fields=("disabled",))
    return user


def admin_set_password(session: Session, actor: Actor, username: str, password: str) -> User:
    """An admin sets a new password for a user of their own agency (the strength rules apply);
    every token and session of that user ends. Audited (the field, never the value)."""
    own = _own_agency(session, actor)
    user = find_user(session, username)
    if user.organisation_id != own.id:
        raise Forbidden(f"you manage the users of your own agency ({own.code}) only")
    set_password(session, username, password)
    audit.record(session, actor, "user_admin", "user", user.id, fields=("password_hash",))
    return user


def find_user(session: Session, username: str) -> User:
    name = credentials.normalise_username(username)
    user = session.scalar(
        select(User).where(User.username == name).options(selectinload(User.teams))
    )
    if user is None:
        raise NotFound(f"user {username!r} not found")
    return user


def set_password(session: Session, username: str, password: str) -> User:
    user = find_user(session, username)
    user.password_hash = hash_password(password, user.username)
    _end_credentials(session, user)
    return user


def _end_credentials(session: Session, user: User) -> None:
    """Revoke every live token and end every session: a reset or a disable is final for them
    (re-enabling a user never revives an old token)."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now())
    )
    session.execute(
        update(WebSession)
        .where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
        .values(ended_at=now())
    )


def set_disabled(session: Session, username: str, disabled: bool = True) -> User:
    user = find_user(session, username)
    user.disabled = disabled
    if disabled:
        _end_credentials(session, user)
    return user


def actor_for(user: User, ip: str | None = None) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        agency_id=user.organisation_id,
        team_ids=frozenset(t.id for t in user.teams),
        ip=ip,
        language=user.language,
    )


# --- login with throttling -------------------------------------------------------------------
def authenticate(session: Session, username: str, password: str, ip: str | None) -> User:
    """The user for these credentials, or 401 (429 while throttled: ``privacy.throttle``, whose
    counters commit on their own, before the password is evaluated)."""
    engine = session.get_bind()
    assert isinstance(engine, Engine), "authenticate needs a session bound to an engine"
    username = credentials.normalise_username(username)[:80]
    throttle.before_attempt(engine, username, ip)
    if "\x00" in username or "\x00" in password:  # PostgreSQL text cannot hold NUL
        throttle.after_failure(engine, username, ip)
        raise NotAuthenticated("wrong username or password")
    user = session.scalar(
        select(User).where(User.username == username).options(selectinload(User.teams))
    )
    ok = verify_password(user.password_hash if user else _dummy_hash(), password)
    if user is None or not ok or user.disabled:
        throttle.after_failure(engine, username, ip)
        if user is not None:
            audit.record(session, actor_for(user, ip), "login_failed", "user", user.id)
        raise NotAuthenticated("wrong username or password")
    throttle.after_success(engine, username)
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    audit.record(session, actor_for(user, ip), "login", "user", user.id)
    return user


# --- bearer tokens ---------------------------------------------------------------------------
@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int


def issue_token(session: Session, user: User) -> IssuedToken:
    ttl = get_settings().token_ttl_minutes * 60
    token = secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=sha256(token),
            created_at=now(),
            expires_at=now() + timedelta(seconds=ttl),
        )
    )
    session.flush()
    return IssuedToken(token, ttl)


def actor_from_token(session: Session, token: str, ip: str | None) -> Actor | None:
    """The token's actor if the token is live and its user enabled. Every API request runs this
    first, so it is one statement built once: the token, its user and the user's teams (one row
    per team). Nothing is cached: a revoked token, a disabled user or a removed team membership
    takes effect on the next request."""
    rows = session.execute(_TOKEN_ACTOR, {"token_hash": sha256(token)}).all()
    if not rows:
        return None
    first = rows[0]
    if first.revoked_at is not None or aware(first.expires_at) <= now() or first.disabled:
        return None
    return Actor(
        user_id=first.id,
        username=first.username,
        role=Role(first.role),
        agency_id=first.organisation_id,
        team_ids=frozenset(r.team_id for r in rows if r.team_id is not None),
        ip=ip,
        language=first.language,
    )


_TOKEN_ACTOR = (
    select(
        ApiToken.revoked_at,
        ApiToken.expires_at,
        User.id,
        User.username,
        User.role,
        User.organisation_id,
        User.disabled,
        User.language,
        user_teams.c.team_id,
    )
    .join(User, User.id == ApiToken.user_id)
    .outerjoin(user_teams, user_teams.c.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def revoke_token(session: Session, token: str) -> bool:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == sha256(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now()
    return True


# --- page sessions ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PageSession:
    actor: Actor
    csrf_token: str


def start_session(session: Session, user: User) -> str:
    sid = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            user_id=user.id,
            session_hash=sha256(sid),
            csrf_token=secrets.token_urlsafe(32),
            created_at=now(),
            last_seen_at=now(),
        )
    )
    session.flush()
    return sid


def resume_session(session: Session, sid: str, ip: str | None) -> PageSession | None:
    """The session's actor, if the session is live and was used within the idle timeout."""
    row = session.scalar(select(WebSession).where(WebSession.session_hash == sha256(sid)))
    if row is None or row.ended_at is not None:
        return None
    idle = timedelta(minutes=get_settings().session_timeout_minutes)
    if aware(row.last_seen_at) + idle <= now():
        row.ended_at = now()
        return None
    user = session.scalar(
        select(User).where(User.id == row.user_id).options(selectinload(User.teams))
    )
    if user is None or user.disabled:
        return None
    row.last_seen_at = now()
    return PageSession(actor_for(user, ip), row.csrf_token)


def end_session(session: Session, sid: str) -> None:
    row = session.scalar(select(WebSession).where(WebSession.session_hash == sha256(sid)))
    if row is not None and row.ended_at is None:
        row.ended_at = now()
