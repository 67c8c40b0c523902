"""Who may do what to which case.

Roles say which actions are open; record scope says which cases a role reaches: an id outside
scope answers 404 (its existence is not disclosed), an action the role lacks answers 403.
Partner focal points reach only the cases referred to their organisation, and only through the
shared fields of those referrals (``safepath.cases.views.partner_view``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, or_, select

from safepath.errors import Forbidden
from safepath.privacy.actor import Actor, Role
from safepath.store.models.cases import Case, Referral

R = Role
READ = frozenset({R.admin, R.dp_focal_point, R.supervisor, R.caseworker, R.partner_focal_point})
WORK = frozenset({R.admin, R.supervisor, R.caseworker})  # register, assess, plan, refer, follow up
SUPERVISE = frozenset({R.admin, R.supervisor})  # approve plans and closures, reassign, reopen
CONSENT_OVERRIDE = frozenset({R.admin, R.supervisor})  # refer without consent, with a reason
PARTNER = frozenset({R.partner_focal_point})
INTERNAL = READ - PARTNER  # the agency's own staff: full case records
OUTCOMES = frozenset({R.admin, R.dp_focal_point, R.supervisor, R.caseworker, R.analyst})
# Referral states in which the receiving partner still sees the case.
PARTNER_VISIBLE = ("sent", "accepted", "completed")

_WHAT = {
    READ: "read cases",
    INTERNAL: "read full case records (partners see referred fields only)",
    WORK: "work on cases",
    SUPERVISE: "approve, reassign or reopen cases (supervisors only)",
    PARTNER: "answer referrals (partner focal points only)",
    OUTCOMES: "read outcome reports",
    CONSENT_OVERRIDE: "override a missing consent",
}


def require(actor: Actor, roles: frozenset[Role]) -> None:
    if actor.role not in roles:
        raise Forbidden(f"role '{actor.role}' may not {_WHAT.get(roles, 'do this')}")


def scope_cases(actor: Actor, stmt: Select[Any]) -> Select[Any]:
    """Restrict a statement over ``Case`` to the cases the actor reaches."""
    if actor.role in (R.admin, R.dp_focal_point):
        return stmt
    if actor.role is R.supervisor:
        return stmt.where(Case.organisation_id == actor.agency_id)
    if actor.role is R.caseworker:
        mine = Case.caseworker_id == actor.user_id
        cond = or_(mine, Case.team_id.in_(actor.team_ids)) if actor.team_ids else mine
        return stmt.where(Case.organisation_id == actor.agency_id, cond)
    if actor.role is R.partner_focal_point:
        referred = exists(
            select(Referral.id).where(
                Referral.case_id == Case.id,
                Referral.to_organisation_id == actor.agency_id,
                Referral.status.in_(PARTNER_VISIBLE),
            )
        )
        return stmt.where(referred)
    return stmt.where(Case.id.is_(None))  # analysts, auditors: no case records


def outcome_scope(actor: Actor, stmt: Select[Any]) -> Select[Any]:
    """Aggregates: analysts and data-protection roles see every agency, the others their own."""
    require(actor, OUTCOMES)
    if actor.role in (R.admin, R.dp_focal_point, R.analyst):
        return stmt
    return stmt.where(Case.organisation_id == actor.agency_id)
