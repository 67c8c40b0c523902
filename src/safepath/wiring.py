"""The one wiring function: connects the packages that hold personal data to privacy, and hands
privacy's field cipher to the store's encrypted columns (store never imports privacy).

Nothing registers itself on import. The app factory, the CLI entry point and the demo call
``wire()`` so that a command run in its own process behaves exactly as the server does: the same
record kinds, referral sharing, export sections, erasure steps, retention rules and holds.
"""

from __future__ import annotations

from threading import Lock

from safepath.advocacy import hooks as advocacy_hooks
from safepath.cases import attachment_hooks
from safepath.cases import hooks as case_hooks
from safepath.feedback import hooks as feedback_hooks
from safepath.mainstreaming import hooks as mainstreaming_hooks
from safepath.privacy import audit, fields, hooks, retention
from safepath.store import encrypted

_lock = Lock()


def wire() -> None:
    """Idempotent: the second call does nothing."""
    with _lock:
        if hooks.is_wired():
            return
        # The cipher resolves the key ring on each use, so per-process settings still apply.
        encrypted.use_cipher(fields.field_cipher())
        audit.install_chaining()
        retention.install()
        case_hooks.install()
        attachment_hooks.install()
        feedback_hooks.install()
        advocacy_hooks.install()
        mainstreaming_hooks.install()
        hooks.mark_wired()
