"""The text columns of the advocacy log, declared: all are about authorities and policies, not
people (the forms say so), so none is personal."""

from __future__ import annotations

from typing import Any

from safepath.privacy import inventory
from safepath.store.models.advocacy import AdvocacyAction, AdvocacyArea, AdvocacyIssue

PERSONAL_TEXT: dict[type[Any], tuple[str, ...]] = {}
SAFE_TEXT: dict[type[Any], tuple[str, ...]] = {
    AdvocacyIssue: (
        "code",
        "title",
        "summary",
        "duty_bearer",
        "duty_bearer_level",
        "status",
        "gpc_risks",
        "rights",
    ),
    AdvocacyArea: ("pcode",),
    AdvocacyAction: ("kind", "description", "response"),
}

WHY = "staff-written text about duty bearers, policies and areas, not about a person"


def install() -> None:
    """Declare the text columns in the data inventory (``safepath.wiring`` calls this)."""
    for model, names in SAFE_TEXT.items():
        inventory.declare(
            model, personal=PERSONAL_TEXT.get(model, ()), safe=dict.fromkeys(names, WHY)
        )
