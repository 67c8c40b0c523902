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


@app.command("area-profile")
def area_profile(
    file: Annotated[Path, typer.Argument(help="Area profile (.csv, .xlsx) keyed by pcode")],
    model: Annotated[str, typer.Option("--model", help="Risk model whose area fields it holds")],
    sheet: Annotated[str | None, typer.Option("--sheet", help="XLSX sheet")] = None,
) -> None:
    """Store the operation's area profile (community and structural data per P-code) for a
    risk model: validated, every P-code an imported place, one transaction, idempotent."""
    from safepath.places.area_profiles import save_area_profile
    from safepath.risk import load_model
    from safepath.risk.area_profile import AreaProfile
    from safepath.surveys.tables import read_table

    m = load_model(model)
    frame = read_table(file, sheet=sheet, columns=["pcode"])
    rows = [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]
    profile = AreaProfile.from_rows(rows, source=file.name, model=m)
    with session_scope() as session:
        report = save_area_profile(session, m.id, profile, file.name)
    typer.echo(
        f"{report.rows} areas for {m.id} from {file.name}: {report.added} added, "
        f"{report.updated} updated, {report.unchanged} unchanged"
    )
