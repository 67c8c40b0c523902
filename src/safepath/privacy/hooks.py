"""Whether the composition root has wired the packages into privacy.

Erasure, data-subject export and retention are only complete when every layer that holds personal
data has added its steps. A process that forgot to wire (a script, a new entry point) must fail
loudly rather than erase a person's name and keep their case notes.
"""

from __future__ import annotations

from safepath.errors import ConfigurationError

_state = {"wired": False}


def mark_wired() -> None:
    _state["wired"] = True


def is_wired() -> bool:
    return _state["wired"]


def require_wired(what: str) -> None:
    if not _state["wired"]:
        raise ConfigurationError(
            f"{what} needs every layer's steps, but the packages are not wired: "
            "call safepath.wiring.wire() at the entry point"
        )
