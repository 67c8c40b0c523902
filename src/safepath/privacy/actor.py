"""Who is acting: the authenticated user as the access policy sees them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    dp_focal_point = "dp_focal_point"  # data-protection focal point
    supervisor = "supervisor"
    caseworker = "caseworker"
    analyst = "analyst"
    partner_focal_point = "partner_focal_point"
    auditor = "auditor"
    # Sexual exploitation and abuse, fraud, misconduct: the only role that sees such complaints.
    psea_focal_point = "psea_focal_point"


class Scope(StrEnum):
    """Which records a role reaches: own, team's, agency's, referred to it, or all."""

    own = "own"
    team = "team"
    agency = "agency"
    referred_to = "referred_to"
    all = "all"
    none = "none"


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    role: Role
    agency_id: int
    team_ids: frozenset[int] = field(default_factory=frozenset)
    ip: str | None = None  # where the request came from, for the audit trail
    language: str = "en"


SYSTEM = Actor(user_id=0, username="system", role=Role.admin, agency_id=0)
"""The actor for jobs run from the command line by an operator (retention, key rotation)."""
