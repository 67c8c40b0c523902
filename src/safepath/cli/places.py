"""``safepath places``: the P-code hierarchy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safepath.cli.common import progress_bar
from safepath.places import import_places, read_place_table
from safepath.store.db import session_scope

app = typer.Typer(no_args_is_help=True, help="Places (admin hierarchy with P-codes).")


@app.command("import")
def import_(file: Annotated[Path, typer.Argument(help="HXL-tagged CSV of place codes")]) -> None:
    """Import an HXL place-code table in one transaction (idempotent)."""
    rows = read_place_table(file)
    with session_scope() as session, progress_bar(f"importing {file.name}", len(rows)) as advance:
        report = import_places(session, rows, scope=file.name, progress=advance)
    levels = ", ".join(f"{n} adm{lvl}" for lvl, n in sorted(report.by_level.items()))
    countries = len({r.country for r in rows})
    typer.echo(f"{report.places} places in {file.name} ({levels}) under {countries} countries")
    if not report.changed:
        typer.echo("no change: every place was already imported with the same values")
    else:
        typer.echo(
            f"{report.created} places imported, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.countries_created} countries added"
        )
