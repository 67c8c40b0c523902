"""Who may read and import survey rounds: the analysts of the operation (as the analyst pages).

Rounds hold no plaintext personal data (encrypted or dropped columns, withheld problem values),
so reading them is an analysis right; decrypting is not offered outside the command line."""

from __future__ import annotations

from safepath.errors import Forbidden
from safepath.privacy.actor import Actor, Role

ROUND_ROLES = frozenset({Role.analyst, Role.supervisor, Role.dp_focal_point, Role.admin})


def require_rounds(actor: Actor) -> None:
    if actor.role not in ROUND_ROLES:
        raise Forbidden(f"your role ({actor.role}) may not read or import survey rounds")
