"""Who reads and writes the advocacy log: the agency's protection staff read it, supervisors and
analysts keep it. Issues belong to the agency that raised them; another agency's answer 404."""

from __future__ import annotations

from safepath.errors import Forbidden
from safepath.privacy.actor import Actor, Role

R = Role
READ = frozenset({R.caseworker, R.supervisor, R.analyst, R.dp_focal_point})
WRITE = frozenset({R.supervisor, R.analyst})


def require(actor: Actor, roles: frozenset[Role]) -> None:
    if actor.role not in roles:
        what = "keep the advocacy log" if roles is WRITE else "read the advocacy log"
        raise Forbidden(f"role '{actor.role}' may not {what}")
