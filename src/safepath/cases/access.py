"""Who may do what to which case.

Roles say which actions are open; record scope says which cases a role reaches: an id outside
scope answers 404 (its existence is not disclosed), an action the role lacks answers 403.
Partner focal points reach only the cases referred to their organisation, and only through the
shared fields of those referrals (``safepath.cases.views.partner_view``).
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from safepath.cases.hooks import PARTNER_VISIBLE
from safepath.errors import Forbidden
from safepath.privacy import policy
from safepath.privacy.actor import Actor, Role
from safepath.store.models.cases import Case

__all__ = ["PARTNER_VISIBLE", "require", "scope_cases"]

R = Role
S = TypeVar("S")  # any Select; typed loosely for SQLAlchemy 2.1 variadic generics
READ = frozenset({R.dp_focal_point, R.supervisor, R.caseworker, R.partner_focal_point})
WORK = frozenset({R.supervisor, R.caseworker})  # register, assess, plan, refer, follow up
SUPERVISE = frozenset({R.supervisor})  # approve plans and closures, reassign, reopen
CONSENT_OVERRIDE = frozenset({R.supervisor})  # refer without consent, with a recorded reason
PARTNER = frozenset({R.partner_focal_point})
INTERNAL = READ - PARTNER  # the agency's own staff: full case records
OUTCOMES = frozenset({R.admin, R.dp_focal_point, R.supervisor, R.caseworker, R.analyst})

_WHAT = {
    READ: "read cases",
    INTERNAL: "read full case records (partners see referred fields only)",
    WORK: "work on cases",
    SUPERVISE: "approve, reassign or reopen cases (supervisors only)",
    PARTNER: "answer referrals (partner focal points only)",
    OUTCOMES: "read outcome reports",
}


def require(actor: Actor, roles: frozenset[Role]) -> None:
    if actor.role not in roles:
        raise Forbidden(f"role '{actor.role}' may not {_WHAT.get(roles, 'do this')}")


def scope_cases(actor: Actor, stmt: S) -> S:
    """Restrict a statement over ``Case`` to the cases the actor reaches (the policy's ``case``
    kind: team, agency, or referred-to for partners)."""
    return cast(S, policy.visible(actor, cast(Any, stmt), "case"))


def outcome_scope(actor: Actor, stmt: S) -> S:
    """Aggregates: analysts and data-protection roles see every agency, the others their own."""
    require(actor, OUTCOMES)
    if actor.role in (R.admin, R.dp_focal_point, R.analyst):
        return stmt
    return cast(S, cast(Any, stmt).where(Case.organisation_id == actor.agency_id))
