"""``safepath places``: the P-code hierarchy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safepath.cli.common import progress_bar
from safepath.places import ImportReport, import_places, read_place_table
from safepath.store.db import session_scope

app = typer.Typer(no_args_is_help=True, help="Places (admin hierarchy with P-codes).")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="HXL-tagged CSV of place codes")],
    source: Annotated[
        str | None,
        typer.Option("--source", help="Name of the dataset [default: the file name]"),
    ] = None,
    update_from: Annotated[
        list[str] | None,
        typer.Option(
            "--update-from",
            help="Overwrite places stored from this source with this file's values (repeatable)",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would change; write nothing")
    ] = False,
    report_csv: Annotated[
        Path | None,
        typer.Option("--report", help="Write every place kept from another source to this CSV"),
    ] = None,
) -> None:
    """Import an HXL place-code table in one transaction (idempotent). Places stored from another
    source are kept, and what would change is reported, unless --update-from names that source."""
    rows = read_place_table(file)
    with session_scope() as session, progress_bar(f"importing {file.name}", len(rows)) as advance:
        report = import_places(
            session,
            rows,
            scope=file.name,
            source=source or file.name,
            update_from=update_from or (),
            progress=advance,
        )
        if dry_run:
            session.rollback()
    levels = ", ".join(f"{n} adm{lvl}" for lvl, n in sorted(report.by_level.items()))
    countries = len({r.country for r in rows})
    typer.echo(f"{report.places} places in {file.name} ({levels}) under {countries} countries")
    verb = "would be " if dry_run else ""
    if not report.changed and not report.kept:
        typer.echo("no change: every place was already imported with the same values")
    else:
        typer.echo(
            f"{report.created} places {verb}imported, {report.updated} {verb}updated, "
            f"{report.unchanged} unchanged, {report.countries_created} countries {verb}added"
        )
    for other, n in report.kept_by_source().items():
        typer.echo(
            f"{n} places kept as stored from {other}: this file gives them other values "
            f"(--update-from {other!r} takes this file's)"
        )
    for kept in report.kept[:10]:
        typer.echo(f"  {kept.describe()}")
    if len(report.kept) > 10:
        typer.echo(f"  ... and {len(report.kept) - 10} more (--report FILE lists them all)")
    if report_csv is not None:
        _write_kept(report_csv, report)
        typer.echo(f"kept places written to {report_csv}")
    if dry_run:
        typer.echo("dry run: nothing written")


def _write_kept(path: Path, report: ImportReport) -> None:
    import csv

    from safepath.cells import neutralise_rows

    rows = [
        {"pcode": k.pcode, "row": k.row, "source": k.source, "field": f, "stored": a, "file": b}
        for k in report.kept
        for f, a, b in k.changes
    ]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, ["pcode", "row", "source", "field", "stored", "file"])
        writer.writeheader()
        writer.writerows(neutralise_rows(rows))


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
    from safepath.surveys.tables import first_row, read_table

    m = load_model(model)
    frame = read_table(file, sheet=sheet, columns=["pcode"])
    rows = [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]
    profile = AreaProfile.from_rows(
        rows, source=file.name, model=m, first_row=first_row(frame, file)
    )
    with session_scope() as session:
        report = save_area_profile(session, m.id, profile, file.name)
    typer.echo(
        f"{report.rows} areas for {m.id} from {file.name}: {report.added} added, "
        f"{report.updated} updated, {report.unchanged} unchanged"
    )


@app.command("boundaries")
def boundaries(
    file: Annotated[
        Path, typer.Argument(help="Admin boundaries: COD-AB GeoJSON (.geojson/.json) or .shp")
    ],
    pcode_field: Annotated[
        str | None,
        typer.Option(
            "--pcode-field", help="Feature property holding the P-code [default: ADMn_PCODE]"
        ),
    ] = None,
    skip_unknown: Annotated[
        bool,
        typer.Option("--skip-unknown", help="Leave out P-codes that are not imported places"),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and report; write nothing")
    ] = False,
) -> None:
    """Store the operation's admin boundaries for the analysis maps, keyed by P-code: every
    geometry checked (Polygon or MultiPolygon in longitude/latitude, closed rings), every P-code
    an imported place; one transaction, idempotent."""
    from safepath.cli.risk import _errors
    from safepath.places.boundaries import read_boundaries, save_boundaries

    with _errors():
        features = read_boundaries(file, pcode=pcode_field)
        with session_scope() as session:
            report = save_boundaries(session, features, file.name, skip_unknown=skip_unknown)
            if dry_run:
                session.rollback()
    levels = ", ".join(f"{n} adm{lvl}" for lvl, n in sorted(report.by_level.items()))
    verb = "would be " if dry_run else ""
    typer.echo(
        f"{report.features} boundaries in {file.name} ({levels or 'none stored'}): "
        f"{report.added} {verb}added, {report.updated} {verb}updated, "
        f"{report.unchanged} unchanged"
    )
    if report.unknown:
        shown = ", ".join(report.unknown[:10]) + (" ..." if len(report.unknown) > 10 else "")
        typer.echo(f"{len(report.unknown)} P-code(s) left out, not imported places: {shown}")
    if report.places_without:
        typer.echo(f"{report.places_without} place(s) at these levels have no boundary")
    if dry_run:
        typer.echo("dry run: nothing written")
