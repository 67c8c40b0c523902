"""``safepath complaints``, ``safepath advocacy``, ``safepath mainstreaming``: the accountability
lists and reports from the command line, as the API gives them.

Each command acts as a named user (``--as USERNAME``) and goes through the same services and
access policy as the server: a role that may not read complaints is refused, and the sensitive
complaints (sexual exploitation and abuse, fraud, staff misconduct) exist for the PSEA focal
point alone, here as everywhere. Lists carry no free text."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from safepath.cli.common import OutputFormat, emit
from safepath.errors import ValidationFailed
from safepath.privacy.actor import Actor
from safepath.store.db import session_scope

complaints_app = typer.Typer(no_args_is_help=True, help="Complaints and feedback.")
advocacy_app = typer.Typer(no_args_is_help=True, help="The advocacy log.")
mainstreaming_app = typer.Typer(no_args_is_help=True, help="Protection mainstreaming.")

AsUser = Annotated[
    str,
    typer.Option(
        "--as",
        help="Act as this user: their role and agency decide what is shown.",
        show_default=False,
    ),
]
Format = Annotated[OutputFormat, typer.Option("--format", help="output format")]
CLI_IP = "cli"  # where the audit trail says a command-line request came from


def acting_user(session: Any, username: str) -> Actor:
    """The actor for ``--as``: an active user, with the role and agency the policy checks."""
    from safepath.privacy import identity

    user = identity.find_user(session, username)
    if user is None or user.disabled:
        raise ValidationFailed(f"--as: no active user {username!r}")
    return identity.actor_for(user, ip=CLI_IP)


LIST_COLUMNS = (
    "code",
    "received_at",
    "channel",
    "category",
    "place_pcode",
    "status",
    "overdue",
    "assigned_to",
    "case_code",
)


@complaints_app.command("list")
def list_complaints(
    as_user: AsUser,
    status: Annotated[str | None, typer.Option(help="received, acknowledged, ...")] = None,
    category: Annotated[str | None, typer.Option(help="a complaint_categories code")] = None,
    place: Annotated[str | None, typer.Option(help="P-code (and the places inside it)")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="only those past a deadline")] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 200,
    fmt: Format = OutputFormat.table,
) -> None:
    """The complaints the user may see, newest first (no free text, no contacts)."""
    from safepath.feedback import service, views
    from safepath.feedback.service import STATUSES, ComplaintFilter

    if status is not None and status not in STATUSES:
        raise ValidationFailed(f"--status {status!r}: one of {', '.join(STATUSES)}")
    with session_scope() as session:
        actor = acting_user(session, as_user)
        f = ComplaintFilter(status, category, None, place, True if overdue else None)
        total, found = service.list_complaints(session, actor, f, limit=limit)
        rows = [r.as_dict() for r in views.rows(session, found)]
    emit(rows, fmt, columns=LIST_COLUMNS, title=f"Complaints ({len(rows)} of {total})")


@complaints_app.command("report")
def complaints_report(
    as_user: AsUser,
    by: Annotated[str, typer.Option(help="channel, category, place, population_group, month")] = (
        "category"
    ),
    fmt: Format = OutputFormat.table,
) -> None:
    """Counts and times by one dimension (small cells suppressed), then the overall row."""
    from safepath.feedback import reports

    with session_scope() as session:
        actor = acting_user(session, as_user)
        rows = reports.report(session, actor, by)
        summary = reports.summary(session, actor)
    total = {by: "(all)", **{k: summary[k] for k in (*reports.FIGURES, "suppressed")}}
    columns = [by, *reports.FIGURES, "suppressed"]
    emit([*rows, total], fmt, columns=columns, title=f"Complaints by {by}")


@advocacy_app.command("list")
def list_issues(
    as_user: AsUser,
    area: Annotated[str | None, typer.Option(help="P-code: issues addressing it")] = None,
    status: Annotated[str | None, typer.Option(help="open, in_progress, achieved, dropped")] = None,
    fmt: Format = OutputFormat.table,
) -> None:
    """The agency's advocacy issues, each area with its latest phase from the analysis."""
    from safepath.advocacy import service
    from safepath.advocacy.schemas import STATUSES

    if status is not None and status not in STATUSES:
        raise ValidationFailed(f"--status {status!r}: one of {', '.join(STATUSES)}")
    with session_scope() as session:
        actor = acting_user(session, as_user)
        found = service.list_issues(session, actor, area=area, status=status)
        views = [service.view(session, i) for i in found]
    rows = [
        {
            "code": v.code,
            "title": v.title,
            "duty_bearer": v.duty_bearer,
            "duty_bearer_level": v.duty_bearer_level,
            "status": v.status,
            "areas": " ".join(
                a["pcode"] + (f" (phase {a['area_phase']})" if a["area_phase"] else "")
                for a in v.areas
            ),
            "actions": len(v.actions),
            "updated_at": v.updated_at,
        }
        for v in views
    ]
    emit(rows, fmt, title="Advocacy issues")


@mainstreaming_app.command("rollup")
def rollup(as_user: AsUser, fmt: Format = OutputFormat.table) -> None:
    """Each project's latest self-assessment averaged across projects: per cent of the maximum
    score by principle (rows) and project-cycle stage (columns); the last row and column are the
    means over stages and principles."""
    from safepath.mainstreaming import service

    with session_scope() as session:
        actor = acting_user(session, as_user)
        result = service.rollup(session, actor)
    stages = list(result.by_stage)
    rows: list[dict[str, Any]] = [
        {"principle": p, **result.matrix[p], "all_stages": result.by_principle[p]}
        for p in result.matrix
    ]
    rows.append({"principle": "(all)", **result.by_stage, "all_stages": None})
    title = f"Mainstreaming roll-up over {result.projects} project(s), per cent of the maximum"
    emit(rows, fmt, columns=["principle", *stages, "all_stages"], title=title)
