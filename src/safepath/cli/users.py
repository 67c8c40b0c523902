"""``safepath users``: accounts, roles, agencies and teams."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from safepath.cli.common import OutputFormat, emit
from safepath.privacy import audit, identity
from safepath.privacy.actor import SYSTEM, Role
from safepath.store import migrate
from safepath.store.db import session_scope
from safepath.store.models import Organisation, User

app = typer.Typer(no_args_is_help=True, help="User accounts and roles.")


@app.command()
def add(
    username: Annotated[str, typer.Option(help="Login name.")],
    role: Annotated[Role, typer.Option(help="Role.")],
    agency: Annotated[str, typer.Option(help="Agency code (created when new).")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    team: Annotated[list[str] | None, typer.Option(help="Team code (repeatable).")] = None,
    language: Annotated[str, typer.Option()] = "en",
) -> None:
    """Create a user (and their agency and teams if needed). On an empty database the schema is
    created first, so the first admin can be added right after install."""
    if migrate.status().current is None:
        migrate.upgrade()
        typer.echo("created the database schema")
    with session_scope() as s:
        user = identity.add_user(s, username, role, agency, password, team or [], language)
        identity.record_grant(s, SYSTEM, user)
        typer.echo(f"created {user.username} ({user.role}) in {agency}")


@app.command("list")
def list_users(fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table) -> None:
    """List users (never their password hashes)."""
    with session_scope() as s:
        orgs = {o.id: o.code for o in s.scalars(select(Organisation))}
        rows = [
            {
                "username": u.username,
                "role": u.role,
                "agency": orgs.get(u.organisation_id, ""),
                "teams": ",".join(t.code for t in u.teams),
                "disabled": u.disabled,
            }
            for u in s.scalars(
                select(User).options(selectinload(User.teams)).order_by(User.username)
            )
        ]
    emit(rows, fmt, ["username", "role", "agency", "teams", "disabled"], title="Users")


@app.command()
def disable(username: str) -> None:
    """Disable a user: their tokens and sessions stop working at once."""
    with session_scope() as s:
        user = identity.set_disabled(s, username, True)
        audit.record(s, SYSTEM, "user_admin", "user", user.id, fields=("disabled",))
    typer.echo(f"disabled {username}")


@app.command()
def enable(username: str) -> None:
    """Enable a disabled user again."""
    with session_scope() as s:
        user = identity.set_disabled(s, username, False)
        audit.record(s, SYSTEM, "user_admin", "user", user.id, fields=("disabled",))
    typer.echo(f"enabled {username}")


@app.command("reset-password")
def reset_password(
    username: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Set a new password; every token and session of the user is ended."""
    with session_scope() as s:
        user = identity.set_password(s, username, password)
        audit.record(s, SYSTEM, "user_admin", "user", user.id, fields=("password_hash",))
    typer.echo(f"password reset for {username}")
