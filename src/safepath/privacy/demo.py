"""Demo accounts: one user per role, for ``safepath demo`` (never for production)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from safepath.errors import ConfigurationError
from safepath.privacy import identity
from safepath.privacy.actor import Role
from safepath.settings import get_settings
from safepath.store.models import User

DEMO_AGENCY = "demo-agency"
DEMO_PARTNER = "legal-aid"
# (username, role, agency, teams); every demo password is "<username>-demo-pass".
DEMO_USERS: tuple[tuple[str, Role, str, tuple[str, ...]], ...] = (
    ("admin", Role.admin, DEMO_AGENCY, ()),
    ("dpo", Role.dp_focal_point, DEMO_AGENCY, ()),
    ("supervisor", Role.supervisor, DEMO_AGENCY, ("north", "south")),
    ("caseworker", Role.caseworker, DEMO_AGENCY, ("north",)),
    ("caseworker2", Role.caseworker, DEMO_AGENCY, ("south",)),
    ("analyst", Role.analyst, DEMO_AGENCY, ()),
    ("partner", Role.partner_focal_point, DEMO_PARTNER, ()),
    ("auditor", Role.auditor, DEMO_AGENCY, ()),
    ("psea", Role.psea_focal_point, DEMO_AGENCY, ()),
)


def demo_password(username: str) -> str:
    return f"{username}-demo-pass"


def ensure_demo_users(session: Session) -> list[tuple[str, str, str, str]]:
    """Create the demo users that do not exist yet (idempotent); returns
    (username, password, role, agency) for each."""
    if get_settings().environment == "production":
        raise ConfigurationError("demo users are refused in production")
    out: list[tuple[str, str, str, str]] = []
    for username, role, agency, teams in DEMO_USERS:
        password = demo_password(username)
        if session.scalar(select(User.id).where(User.username == username)) is None:
            # Published on purpose (README): the demo's passwords skip the strength policy.
            identity.add_user(
                session, username, role, agency, password, list(teams), check_strength=False
            )
        out.append((username, password, role.value, agency))
    return out
