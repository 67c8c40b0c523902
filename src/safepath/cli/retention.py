"""``safepath retention``: anonymise what is kept past its retention period."""

from __future__ import annotations

from typing import Annotated

import typer

from safepath.privacy import retention
from safepath.store.db import session_scope

app = typer.Typer(no_args_is_help=True, help="Retention periods.")


@app.command()
def run(
    apply: Annotated[bool, typer.Option("--apply", help="Change data (default: dry run).")] = False,
) -> None:
    """Report (or, with --apply, anonymise) records past their retention period."""
    with session_scope() as s:
        counts = retention.run(s, apply=apply)
        if not apply:
            s.rollback()
    verb = "anonymised/purged" if apply else "would anonymise/purge (dry run; --apply to do it)"
    for name, n in counts.items():
        if name.startswith("persons_held_"):
            why = name.removeprefix("persons_held_").replace("_", " ")
            typer.echo(f"{name}: {n} past their period but kept ({why})")
        else:
            typer.echo(f"{name}: {n} {verb}")
