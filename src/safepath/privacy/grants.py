"""Granting a role that reads personal data: audited as such, and, when
``SAFEPATH_ROLE_GRANT_APPROVAL`` is on, held until a second admin approves it.

An admin who creates a caseworker (or supervisor, data-protection focal point, analyst, partner
focal point) opens access to persons' data. Every such grant is an audit event naming the role
(``role_granted:<role>``). With approval required, the new user is created disabled and the grant
``pending`` (``role_grant_requested:<role>``); another admin of the same agency approves it, which
enables the user (``role_granted:<role>``, the approver as actor), or refuses it, which leaves the
user disabled (``role_grant_rejected:<role>``). The admin who asked can do neither: that is the
point. A grant of another agency is "not found", as every record outside one's scope.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from safepath.errors import Conflict, Forbidden, NotFound
from safepath.privacy import audit, policy
from safepath.privacy.actor import Actor, Role
from safepath.settings import get_settings
from safepath.store.models import RoleGrant, User

# Roles that read personal data (``safepath.privacy.policy``: person.read and the case kinds).
PERSONAL_DATA_ROLES = frozenset(
    {
        Role.caseworker,
        Role.supervisor,
        Role.dp_focal_point,
        Role.partner_focal_point,
        Role.analyst,
        Role.psea_focal_point,  # complaint narratives and contacts
    }
)
Status = Literal["pending", "approved", "rejected"]


def reads_personal_data(role: Role | str) -> bool:
    return Role(role) in PERSONAL_DATA_ROLES


def approval_required() -> bool:
    return get_settings().role_grant_approval


def _event(session: Session, actor: Actor, user_id: int, what: str, role: str) -> None:
    audit.record(session, actor, "user_admin", "user", user_id, fields=(f"{what}:{role}",))


def record_new_user(session: Session, actor: Actor, user: User, *, hold: bool) -> RoleGrant | None:
    """Audit a user's creation and its role. ``hold``: an admin's grant under the approval
    setting, so the user is disabled and the grant left pending (returned)."""
    audit.record(session, actor, "user_admin", "user", user.id, fields=("created", "role"))
    if not reads_personal_data(user.role):
        return None
    pending = hold and approval_required()
    grant = RoleGrant(
        user_id=user.id,
        organisation_id=user.organisation_id,
        role=user.role,
        status="pending" if pending else "approved",
        requested_by_user_id=actor.user_id or None,
        requested_at=datetime.now(UTC),
    )
    if not pending:
        grant.decided_by_user_id = actor.user_id or None
        grant.decided_at = grant.requested_at
    session.add(grant)
    if pending:
        user.disabled = True
        session.flush()
        _event(session, actor, user.id, "role_grant_requested", user.role)
        return grant
    session.flush()
    _event(session, actor, user.id, "role_granted", user.role)
    return None


def is_pending(session: Session, user_id: int) -> bool:
    found = session.scalar(
        select(RoleGrant.id).where(RoleGrant.user_id == user_id, RoleGrant.status == "pending")
    )
    return found is not None


def list_grants(session: Session, actor: Actor, status: Status | None = None) -> list[RoleGrant]:
    """The grants of the admin's own agency, newest first."""
    policy.require(actor, "users.manage")
    stmt = select(RoleGrant).where(RoleGrant.organisation_id == actor.agency_id)
    if status is not None:
        stmt = stmt.where(RoleGrant.status == status)
    return list(session.scalars(stmt.order_by(RoleGrant.id.desc()).limit(500)))


def _pending(session: Session, actor: Actor, grant_id: int) -> tuple[RoleGrant, User]:
    policy.require(actor, "users.manage")
    grant = session.get(RoleGrant, grant_id)
    if grant is None or grant.organisation_id != actor.agency_id:
        raise NotFound(f"role grant {grant_id} not found")
    if grant.status != "pending":
        raise Conflict(f"role grant {grant_id} was already {grant.status}")
    if grant.requested_by_user_id == actor.user_id:
        raise Forbidden("another admin of your agency must decide on a grant you asked for")
    user = session.get(User, grant.user_id)
    if user is None:  # pragma: no cover - the grant goes with its user (ON DELETE CASCADE)
        raise NotFound(f"role grant {grant_id} not found")
    return grant, user


def approve(session: Session, actor: Actor, grant_id: int) -> RoleGrant:
    """A second admin approves: the user is enabled with the role (audited, the approver as
    actor)."""
    grant, user = _pending(session, actor, grant_id)
    grant.status = "approved"
    grant.decided_by_user_id = actor.user_id
    grant.decided_at = datetime.now(UTC)
    user.disabled = False
    _event(session, actor, user.id, "role_granted", grant.role)
    session.flush()
    return grant


def reject(session: Session, actor: Actor, grant_id: int) -> RoleGrant:
    """A second admin refuses: the user stays disabled (audited)."""
    grant, user = _pending(session, actor, grant_id)
    grant.status = "rejected"
    grant.decided_by_user_id = actor.user_id
    grant.decided_at = datetime.now(UTC)
    _event(session, actor, user.id, "role_grant_rejected", grant.role)
    session.flush()
    return grant


def grant_view(session: Session, grant: RoleGrant) -> dict[str, Any]:
    names = dict(
        session.execute(
            select(User.id, User.username).where(
                User.id.in_(
                    {grant.user_id, grant.requested_by_user_id or 0, grant.decided_by_user_id or 0}
                )
            )
        ).all()
    )
    return {
        "id": grant.id,
        "username": names.get(grant.user_id),
        "role": grant.role,
        "status": grant.status,
        "requested_by": names.get(grant.requested_by_user_id or 0),
        "requested_at": grant.requested_at.isoformat(),
        "decided_by": names.get(grant.decided_by_user_id or 0),
        "decided_at": grant.decided_at.isoformat() if grant.decided_at else None,
    }
