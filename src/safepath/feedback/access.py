"""Who may see and handle which complaint.

Complaints belong to the agency that received them. Caseworkers, supervisors and the PSEA focal
point of that agency see and handle them, except the sensitive ones: those only the PSEA focal
point sees, in every list, record, report and export (the condition is part of every query, so
nothing, not even a count by place, is computed over them for anyone else). A complaint outside
the caller's reach answers 404, whoever asks.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, and_, false, true

from safepath.errors import Forbidden
from safepath.privacy.actor import Actor, Role
from safepath.store.models.feedback import Complaint

R = Role
S = TypeVar("S")

HANDLE = frozenset({R.caseworker, R.supervisor, R.psea_focal_point})  # see, acknowledge, answer
ASSIGN = frozenset({R.supervisor, R.psea_focal_point})
SENSITIVE = frozenset({R.psea_focal_point})
# aggregates only (counts and times, small cells suppressed)
REPORT = HANDLE | {R.dp_focal_point, R.analyst, R.admin}
EXPORT = frozenset({R.supervisor, R.psea_focal_point})  # the register, without free text
# open a case: every handler, case staff for themselves or a colleague, the PSEA focal point for
# a caseworker or supervisor it names (it works on no case itself: the case is theirs). The same
# set as HANDLE, so it shares its refusal message (``_WHAT`` is keyed by the set).
REFER = HANDLE
CASE_STAFF = frozenset({R.caseworker, R.supervisor})  # who may take a case

# Audit events about a sensitive complaint carry this record type: the audit API withholds them
# from every role (their count would tell how many sensitive complaints there are); they stay in
# the hash chain, which ``audit verify`` checks, and the operator's CLI lists them.
SENSITIVE_RECORD_TYPE = "sensitive_complaint"

_WHAT = {
    HANDLE: "read or handle complaints",
    ASSIGN: "assign complaints (supervisors and the PSEA focal point)",
    REPORT: "read complaint reports",
    EXPORT: "export the complaints register",
}


def require(actor: Actor, roles: frozenset[Role]) -> None:
    if actor.role not in roles:
        raise Forbidden(f"role '{actor.role}' may not {_WHAT.get(roles, 'do this')}")


def sees_sensitive(actor: Actor) -> bool:
    return actor.role in SENSITIVE


def _sensitivity(actor: Actor) -> ColumnElement[bool]:
    # Everyone but the PSEA focal point: sensitive complaints do not exist.
    return true() if sees_sensitive(actor) else Complaint.sensitive.is_(False)


def visible(actor: Actor) -> ColumnElement[bool]:
    """The complaints the actor may see as records."""
    if actor.role not in HANDLE:
        return false()
    return and_(Complaint.organisation_id == actor.agency_id, _sensitivity(actor))


def counted(actor: Actor) -> ColumnElement[bool]:
    """The complaints the actor's reports count: the agency's, sensitive ones for PSEA only."""
    if actor.role not in REPORT:
        return false()
    return and_(Complaint.organisation_id == actor.agency_id, _sensitivity(actor))


def scope(actor: Actor, stmt: S) -> S:
    return cast(S, cast(Any, stmt).where(visible(actor)))


def record_type(complaint: Complaint) -> str:
    """The audit record type of a complaint's events (see ``SENSITIVE_RECORD_TYPE``)."""
    return SENSITIVE_RECORD_TYPE if complaint.sensitive else "complaint"
