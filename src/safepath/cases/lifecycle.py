"""The case state machine: which action is allowed in which status, and why not otherwise.

registered → assessed → plan_approved → in_progress → closure_requested → closed → reopened.
A refusal names the status and what to do first, so the caseworker knows the next step.
"""

from __future__ import annotations

from enum import StrEnum

from safepath.errors import ValidationFailed


class Status(StrEnum):
    registered = "registered"
    assessed = "assessed"
    plan_approved = "plan_approved"
    in_progress = "in_progress"
    closure_requested = "closure_requested"
    closed = "closed"
    reopened = "reopened"


S = Status
OPEN = frozenset({S.registered, S.assessed, S.plan_approved, S.in_progress, S.reopened})
ACTIVE = OPEN | {S.closure_requested}  # work may still be recorded while closure is pending

# action -> (verb for messages, statuses it is allowed from, status it leads to or None = same)
RULES: dict[str, tuple[str, frozenset[Status], Status | None]] = {
    "assess": ("assess", OPEN, None),
    "edit_plan": ("edit the plan of", OPEN, None),
    "approve_plan": (
        "approve the plan of",
        frozenset({S.assessed, S.in_progress, S.reopened}),
        S.plan_approved,
    ),
    "start": ("start work on", frozenset({S.plan_approved}), S.in_progress),
    "refer": ("refer", OPEN, None),
    "follow_up": ("record a follow-up on", ACTIVE, None),
    "progress": ("record intervention progress on", OPEN, None),
    "request_closure": ("request the closure of", OPEN, S.closure_requested),
    "approve_closure": ("close", frozenset({S.closure_requested}), S.closed),
    "reject_closure": ("reject the closure of", frozenset({S.closure_requested}), S.in_progress),
    "reopen": ("reopen", frozenset({S.closed}), S.reopened),
    "assign": ("reassign", ACTIVE, None),
    "update": ("edit", ACTIVE, None),
}

_HINTS: dict[Status, str] = {
    S.registered: "assess it first",
    S.assessed: "approve its plan first",
    S.plan_approved: "record work on it first",
    S.in_progress: "request its closure first",
    S.closure_requested: "approve or reject the closure first",
    S.closed: "reopen it first",
    S.reopened: "assess it again first",
}


def check(action: str, status: str) -> Status | None:
    """Raise ``ValidationFailed`` when ``action`` is not allowed in ``status``; else the status the
    case moves to (``None``: it stays)."""
    verb, allowed, target = RULES[action]
    current = Status(status)
    if current not in allowed:
        hint = _HINTS[current]
        if action == "approve_plan" and current is S.plan_approved:
            hint = "it is already approved"
        if action == "approve_closure" and current in OPEN:
            hint = "request its closure first"
        raise ValidationFailed(f"cannot {verb} a case in status '{current}': {hint}")
    return target


def after_assessment(status: str) -> Status:
    """A first assessment moves a registered case to assessed; later ones keep the status."""
    return S.assessed if Status(status) is S.registered else Status(status)


def after_activity(status: str) -> Status:
    """Work recorded on an approved plan (referral, follow-up) means the case is in progress."""
    return S.in_progress if Status(status) is S.plan_approved else Status(status)
