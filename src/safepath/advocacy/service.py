"""Keeping the advocacy log: issues, their areas, actions with responses, and status. Every write
is audited (the log is operational, not personal, but who advocated what is accountable)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from safepath.advocacy import access
from safepath.advocacy.schemas import ActionEdit, ActionIn, IssueEdit, IssueIn, StatusIn
from safepath.cases.codes import new_code
from safepath.cases.registry import check_version, flush
from safepath.errors import NotFound, Problem, ValidationFailed
from safepath.places.area_phases import LatestPhase, latest_area_phases
from safepath.privacy import audit
from safepath.privacy.actor import Actor
from safepath.store.models import Place
from safepath.store.models.advocacy import AdvocacyAction, AdvocacyArea, AdvocacyIssue


def _now() -> datetime:
    return datetime.now(UTC)


def _places(session: Session, pcodes: list[str]) -> list[str]:
    known = set(session.scalars(select(Place.pcode).where(Place.pcode.in_(pcodes))))
    unknown = [p for p in pcodes if p not in known]
    if unknown:
        message = f"areas: unknown place P-code(s) {', '.join(unknown)}"
        raise ValidationFailed(
            message,
            problems=[Problem(message, scope="body", column="areas", value=p) for p in unknown],
        )
    return list(dict.fromkeys(pcodes))


def create_issue(session: Session, actor: Actor, data: IssueIn) -> AdvocacyIssue:
    access.require(actor, access.WRITE)
    stamp = _now()
    issue = AdvocacyIssue(
        code=new_code("AD"),
        organisation_id=actor.agency_id,
        title=data.title,
        summary=data.summary,
        duty_bearer=data.duty_bearer,
        duty_bearer_level=data.duty_bearer_level,
        rights=data.rights,
        gpc_risks=data.gpc_risks,
        status="open",
        created_by_user_id=actor.user_id,
        created_at=stamp,
        updated_at=stamp,
    )
    issue.areas = [AdvocacyArea(pcode=p) for p in _places(session, data.areas)]
    session.add(issue)
    flush(session)
    audit.record(session, actor, "create", "advocacy_issue", issue.code)
    return issue


def get_issue(session: Session, actor: Actor, code: str) -> AdvocacyIssue:
    access.require(actor, access.READ)
    issue = session.scalar(
        select(AdvocacyIssue).where(
            AdvocacyIssue.code == code, AdvocacyIssue.organisation_id == actor.agency_id
        )
    )
    if issue is None:
        raise NotFound(f"advocacy issue {code!r} not found")
    return issue


def list_issues(
    session: Session, actor: Actor, *, area: str | None = None, status: str | None = None
) -> list[AdvocacyIssue]:
    """The agency's issues, newest first; ``area``: those addressing this place or one inside it
    (a P-code prefix), or the place it lies in (an issue on XM01 concerns XM0101 too)."""
    access.require(actor, access.READ)
    stmt = (
        select(AdvocacyIssue)
        .where(AdvocacyIssue.organisation_id == actor.agency_id)
        .options(selectinload(AdvocacyIssue.areas), selectinload(AdvocacyIssue.actions))
        .order_by(AdvocacyIssue.updated_at.desc(), AdvocacyIssue.id.desc())
    )
    if status:
        stmt = stmt.where(AdvocacyIssue.status == status)
    if area:
        prefixes = [area[:n] for n in range(2, len(area) + 1)]
        inside = AdvocacyArea.pcode.like(f"{area}%") | AdvocacyArea.pcode.in_(prefixes)
        stmt = stmt.where(AdvocacyIssue.id.in_(select(AdvocacyArea.issue_id).where(inside)))
    return list(session.scalars(stmt))


def add_action(
    session: Session, actor: Actor, code: str, data: ActionIn, expected: int | None
) -> AdvocacyIssue:
    access.require(actor, access.WRITE)
    issue = get_issue(session, actor, code)
    check_version(issue, expected)
    issue.actions.append(
        AdvocacyAction(
            kind=data.kind,
            taken_on=data.taken_on,
            description=data.description,
            response=data.response,
            response_on=data.response_on,
            by_user_id=actor.user_id,
        )
    )
    if issue.status == "open":
        issue.status = "in_progress"
    issue.updated_at = _now()
    flush(session)
    audit.record(session, actor, "update", "advocacy_issue", issue.code, fields=["actions"])
    return issue


def set_status(
    session: Session, actor: Actor, code: str, data: StatusIn, expected: int | None
) -> AdvocacyIssue:
    access.require(actor, access.WRITE)
    issue = get_issue(session, actor, code)
    check_version(issue, expected)
    issue.status = data.status
    issue.updated_at = _now()
    flush(session)
    audit.record(session, actor, "update", "advocacy_issue", issue.code, fields=["status"])
    return issue


def _revalidated(model: type[Any], merged: dict[str, Any], what: str) -> Any:
    """The record as it would be after the change, checked by its input model (so an edit
    cannot make what creation refuses, such as an issue naming neither rights nor risks)."""
    try:
        return model.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or what
        message = f"{where}: {first['msg']}"
        raise ValidationFailed(
            message, problems=[Problem(message, scope="body", column=where)]
        ) from None


def update_issue(
    session: Session, actor: Actor, code: str, data: IssueEdit, expected: int | None
) -> AdvocacyIssue:
    """Change the fields given (lists replaced whole); the areas are checked against the
    places. Based on the version read (428 without, 412 when stale)."""
    access.require(actor, access.WRITE)
    issue = get_issue(session, actor, code)
    check_version(issue, expected)
    changes = data.model_dump(exclude_unset=True)
    current = {
        "title": issue.title,
        "summary": issue.summary,
        "duty_bearer": issue.duty_bearer,
        "duty_bearer_level": issue.duty_bearer_level,
        "rights": list(issue.rights),
        "gpc_risks": list(issue.gpc_risks),
        "areas": [a.pcode for a in issue.areas],
    }
    merged = {**current, **{k: v for k, v in changes.items() if k != "status"}}
    checked: IssueIn = _revalidated(IssueIn, merged, "issue")
    changed = [k for k in current if merged[k] != current[k]]
    # read before any change: a query's autoflush would write the row twice (two versions)
    wanted = _places(session, checked.areas) if "areas" in changed else []
    for name in ("title", "summary", "duty_bearer", "duty_bearer_level", "rights", "gpc_risks"):
        if name in changed:
            setattr(issue, name, getattr(checked, name))
    if "areas" in changed:
        kept = [a for a in issue.areas if a.pcode in wanted]
        have = {a.pcode for a in kept}
        issue.areas = kept + [AdvocacyArea(pcode=p) for p in wanted if p not in have]
    if "status" in changes and changes["status"] != issue.status:
        issue.status = changes["status"]
        changed.append("status")
    if not changed:
        return issue  # nothing differs: no new version
    issue.updated_at = _now()
    flush(session)
    audit.record(session, actor, "update", "advocacy_issue", issue.code, fields=changed)
    return issue


def update_action(
    session: Session,
    actor: Actor,
    code: str,
    action_id: int,
    data: ActionEdit,
    expected: int | None,
) -> AdvocacyIssue:
    """Change a recorded action (its response, once it comes, or a correction). The issue's
    version covers its actions: the edit names it and moves it on."""
    access.require(actor, access.WRITE)
    issue = get_issue(session, actor, code)
    action = next((a for a in issue.actions if a.id == action_id), None)
    if action is None:
        raise NotFound(f"advocacy issue {code!r} has no action {action_id}")
    check_version(issue, expected)
    names = ("kind", "taken_on", "description", "response", "response_on")
    current = {n: getattr(action, n) for n in names}
    merged = {**current, **data.model_dump(exclude_unset=True)}
    checked: ActionIn = _revalidated(ActionIn, merged, "action")
    changed = [n for n in names if getattr(checked, n) != current[n]]
    if not changed:
        return issue
    for n in changed:
        setattr(action, n, getattr(checked, n))
    issue.updated_at = _now()  # the issue's row changes too: its version moves on
    flush(session)
    audit.record(
        session,
        actor,
        "update",
        "advocacy_issue",
        issue.code,
        fields=[f"actions.{n}" for n in changed],
    )
    return issue


@dataclass(frozen=True)
class ActionView:
    id: int
    kind: str
    taken_on: str
    description: str
    response: str | None
    response_on: str | None


@dataclass(frozen=True)
class IssueView:
    code: str
    title: str
    summary: str | None
    duty_bearer: str
    duty_bearer_level: str
    rights: list[str]
    gpc_risks: list[str]
    status: str
    areas: list[dict[str, Any]]  # pcode, name, latest area phase (when known)
    actions: list[ActionView]
    updated_at: str
    version: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _area(pcode: str, name: str | None, latest: LatestPhase | None) -> dict[str, Any]:
    """An issue's area with its latest phase from the protection analysis (``None``: no stored
    classification covers it), the date it was classified and the round it came from."""
    return {
        "pcode": pcode,
        "name": name,
        "area_phase": latest.phase if latest else None,
        "area_phase_at": latest.classified_at.isoformat() if latest else None,
        "area_phase_source": latest.source if latest else None,
    }


def view(session: Session, issue: AdvocacyIssue) -> IssueView:
    pcodes = [a.pcode for a in issue.areas]
    found = session.execute(select(Place.pcode, Place.name).where(Place.pcode.in_(pcodes)))
    names: dict[str, str] = dict(found.all())
    phases = latest_area_phases(session, pcodes)
    updated = issue.updated_at if issue.updated_at.tzinfo else issue.updated_at.replace(tzinfo=UTC)
    return IssueView(
        code=issue.code,
        title=issue.title,
        summary=issue.summary,
        duty_bearer=issue.duty_bearer,
        duty_bearer_level=issue.duty_bearer_level,
        rights=list(issue.rights),
        gpc_risks=list(issue.gpc_risks),
        status=issue.status,
        areas=[_area(p, names.get(p), phases.get(p)) for p in pcodes],
        actions=[
            ActionView(
                a.id,
                a.kind,
                a.taken_on.isoformat(),
                a.description,
                a.response,
                a.response_on.isoformat() if a.response_on else None,
            )
            for a in issue.actions
        ],
        updated_at=updated.isoformat(),
        version=issue.version,
    )
