"""``safepath audit``: verify the hash chain, read the trail."""

from __future__ import annotations

from typing import Annotated

import typer

from safepath.cli.common import OutputFormat, emit
from safepath.privacy import audit
from safepath.store.db import get_engine, session_scope

app = typer.Typer(no_args_is_help=True, help="The audit trail.")


@app.command()
def verify() -> None:
    """Link pending events, then check the whole chain; exit 1 naming the first broken event."""
    linked = audit.chain_pending(get_engine())
    if linked:
        typer.echo(f"linked {linked} pending event(s) left by an interrupted process")
    with session_scope() as s:
        result = audit.verify(s)
    if not result.ok:
        typer.echo(
            f"audit chain BROKEN at event {result.broken_id}: {result.reason} "
            f"({result.checked} event(s) verified before it)",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(f"audit chain intact: {result.checked} event(s) verified")


@app.command()
def log(
    person: Annotated[str | None, typer.Option(help="Only events about this person code.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 200,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """Show the trail, newest first (who, when, what record, which fields, from where)."""
    with session_scope() as s:
        rows = [audit.as_dict(e) for e in audit.events(s, person_code=person, limit=limit)]
    for r in rows:
        r["fields"] = ",".join(r["fields"])  # type: ignore[arg-type]
    emit(
        rows,
        fmt,
        [
            "id",
            "at",
            "user",
            "role",
            "ip",
            "action",
            "record_type",
            "record_id",
            "person_code",
            "fields",
        ],
        title="Audit trail",
    )
