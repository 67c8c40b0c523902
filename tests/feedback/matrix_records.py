"""Records for the access matrix (tests/privacy/test_access_matrix.py) on the accountability
routes (complaints, advocacy, projects): a record of agency A in the state each route needs, a
fresh one for every request, and the version to name, so "allow" means the request really
succeeds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from safepath.advocacy import service as advocacy
from safepath.advocacy.schemas import ActionIn, IssueIn
from safepath.feedback import service
from safepath.feedback.schemas import ComplaintIn
from safepath.framework import catalogue
from safepath.mainstreaming import service as projects
from safepath.mainstreaming.schemas import AssessmentIn, ProjectIn
from safepath.privacy.actor import Actor
from safepath.privacy.routes_policy import COMPLAINT_BODY, ISSUE_BODY, PROJECT_BODY
from safepath.store.db import session_scope

ONE = "/api/v1/complaints/{code}"
ISSUE = "/api/v1/advocacy/{code}"
PROJECT = "/api/v1/projects/{code}"


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


def new_issue(actor: Actor) -> tuple[str, int]:
    with session_scope() as s:
        issue = advocacy.create_issue(s, actor, IssueIn.model_validate(ISSUE_BODY))
        return issue.code, issue.version


def new_issue_with_action(actor: Actor) -> tuple[str, int, int]:
    """An issue with one action (a meeting on 2026-01-10); its code, version and action id."""
    with session_scope() as s:
        issue = advocacy.create_issue(s, actor, IssueIn.model_validate(ISSUE_BODY))
        meeting = ActionIn(kind="meeting", taken_on=date(2026, 1, 10), description="Met")
        advocacy.add_action(s, actor, issue.code, meeting, issue.version)
        return issue.code, issue.version, issue.actions[0].id


def checklist(day: str, score: int = 1) -> dict[str, Any]:
    """A complete self-assessment body: every principle at every stage."""
    cat = catalogue()
    return {
        "assessed_on": day,
        "scores": [
            {"principle": p, "stage": s, "score": score}
            for p in cat.codes("mainstreaming_principles")
            for s in cat.codes("project_cycle_stages")
        ],
    }


def new_project(actor: Actor) -> str:
    """A project with two self-assessments (so its progress can be read)."""
    with session_scope() as s:
        project = projects.create_project(s, actor, ProjectIn.model_validate(PROJECT_BODY))
        for day, score in (("2025-01-10", 1), ("2025-06-10", 2)):
            body = AssessmentIn.model_validate(checklist(day, score))
            projects.add_assessment(s, actor, project.code, body)
        return project.code


def accountability_request(
    actors: Mapping[str, Actor], method: str, path: str, who: str
) -> ComplaintRequest | None:
    """What to send on a route naming a complaint or an issue; ``None`` for the other routes."""
    params: dict[str, str] = {}
    if path.startswith(ONE):
        code, version = new_complaint(actors["caseworker"], acknowledged=path.endswith("/closure"))
    elif path.startswith(f"{ISSUE}/actions/"):
        code, version, action_id = new_issue_with_action(actors["supervisor"])
        params["{action_id}"] = str(action_id)
    elif path.startswith(ISSUE):
        code, version = new_issue(actors["supervisor"])
    elif path.startswith(PROJECT):
        code, version = new_project(actors["supervisor"]), 1
    else:
        return None
    out = ComplaintRequest(params={"{code}": code, **params})
    if method in ("POST", "PATCH"):
        out.headers["If-Match"] = f'"{version}"'
    return out
