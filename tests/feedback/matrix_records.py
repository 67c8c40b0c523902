"""Records for the access matrix (tests/privacy/test_access_matrix.py) on the complaint routes:
a complaint of agency A in the state each route needs, a fresh one for every write, and the
version to name, so "allow" means the request really succeeds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from safepath.feedback import service
from safepath.feedback.schemas import ComplaintIn
from safepath.privacy.actor import Actor
from safepath.privacy.routes_policy import COMPLAINT_BODY
from safepath.store.db import session_scope

ONE = "/api/v1/complaints/{code}"


@dataclass
class ComplaintRequest:
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def new_complaint(actor: Actor, *, acknowledged: bool = False, **values: Any) -> tuple[str, int]:
    """A complaint taken by ``actor`` (its agency's); returns its code and version."""
    with session_scope() as s:
        data = ComplaintIn.model_validate({**COMPLAINT_BODY, **values})
        c = service.submit(s, actor, data)
        if acknowledged:
            service.acknowledge(s, actor, c.code, c.version)
        return c.code, c.version


def complaint_request(
    actors: Mapping[str, Actor], method: str, path: str, who: str
) -> ComplaintRequest | None:
    """What to send on a complaint route naming a complaint; ``None`` for the other routes."""
    if not path.startswith(ONE):
        return None
    code, version = new_complaint(actors["caseworker"], acknowledged=path.endswith("/closure"))
    out = ComplaintRequest(params={"{code}": code})
    if method == "POST":
        out.headers["If-Match"] = f'"{version}"'
    return out
