"""The text columns of the advocacy log, declared: all are about authorities and policies, not
people (the forms say so), so none is personal."""

from __future__ import annotations

from typing import Any

from safepath.store.models.advocacy import AdvocacyAction, AdvocacyArea, AdvocacyIssue

PERSONAL_TEXT: dict[type[Any], tuple[str, ...]] = {}
SAFE_TEXT: dict[type[Any], tuple[str, ...]] = {
    AdvocacyIssue: ("code", "title", "summary", "duty_bearer", "duty_bearer_level", "status"),
    AdvocacyArea: ("pcode",),
    AdvocacyAction: ("kind", "description", "response"),
}
