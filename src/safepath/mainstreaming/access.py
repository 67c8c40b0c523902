"""Who reads and keeps projects and self-assessments: programme and protection staff of the
agency read them, supervisors and analysts keep them; another agency's answer 404."""

from __future__ import annotations

from safepath.errors import Forbidden
from safepath.privacy.actor import Actor, Role

R = Role
READ = frozenset({R.caseworker, R.supervisor, R.analyst, R.dp_focal_point, R.admin})
WRITE = frozenset({R.supervisor, R.analyst})


def require(actor: Actor, roles: frozenset[Role]) -> None:
    if actor.role not in roles:
        what = "keep projects and self-assessments" if roles is WRITE else "read projects"
        raise Forbidden(f"role '{actor.role}' may not {what}")
