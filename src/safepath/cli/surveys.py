"""``safepath surveys``: import Kobo / ODK Central exports into stored rounds; list, show, export
(through the disclosure policy) and delete rounds."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from safepath.cells import neutralise_rows
from safepath.cli.common import OutputFormat, emit, nullable_frame
from safepath.cli.forms import Format, operator
from safepath.errors import Problem
from safepath.privacy.actor import SYSTEM
from safepath.rounds import service
from safepath.rounds.forms import resolve_form
from safepath.store.db import session_scope

app = typer.Typer(no_args_is_help=True, help="Survey rounds (Kobo and ODK Central exports).")
err = Console(stderr=True, highlight=False)


def _write_problems(path: Path, problems: list[Problem]) -> None:
    rows = [
        {
            "table": p.scope,
            "row": p.row,
            "column": p.column,
            "value": p.value,
            "message": p.message,
        }
        for p in problems
    ]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["table", "row", "column", "value", "message"])
        writer.writeheader()
        writer.writerows(neutralise_rows(rows))


@app.command("import")
def import_(
    export: Annotated[Path, typer.Argument(help="Kobo XLSX/CSV export or ODK Central CSV zip")],
    form: Annotated[
        str, typer.Option("--form", help="Stored form (id or id@version) or an XLSForm file")
    ],
    round_name: Annotated[
        str | None, typer.Option("--round", help="Round name (default: the file name)")
    ] = None,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="CSV encoding (default: detected)")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Store nothing if any problem is found.")
    ] = False,
    problems: Annotated[
        Path | None, typer.Option("--problems", help="Write every problem to this CSV file.")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="text or json")] = Format.text,
) -> None:
    """Import an export into a round in one transaction: new submissions added, edited ones
    updated, the rest unchanged; problems per cell reported together."""
    found: list[Problem] = []
    try:
        with (
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            ) as bar,
            session_scope() as session,
        ):
            task = bar.add_task(f"reading {export.name}", total=None)

            def progress(table: str, rows: int, total: int | None) -> None:
                bar.update(task, advance=rows, total=total, description=f"reading {table}")

            form_row = resolve_form(session, form, by=operator())
            report = service.import_round(
                session,
                form_row,
                export,
                round_name=round_name,
                actor=SYSTEM,
                by=operator(),
                encoding=encoding,
                strict=strict,
                progress=progress,
            )
            found = report.problems
            bar.update(task, description="writing the round")
    except Exception as exc:
        from safepath.errors import SafepathError

        if problems is not None and isinstance(exc, SafepathError):
            _write_problems(problems, exc.problems)
        raise
    if problems is not None:
        _write_problems(problems, found)
    if fmt is Format.json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
        return
    tables = ", ".join(f"{name} {n}" for name, n in report.tables.items())
    typer.echo(
        f"round {report.round}: {tables}; {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged"
    )
    if report.personal:
        kinds = sorted(set(report.personal.values()))
        typer.echo(f"personal columns {'/'.join(kinds)}: {len(report.personal)}")
    for p in report.problems[:20]:
        err.print(f"  - {p}")
    if report.problems_total:
        more = f" (first 20 shown{'; all in ' + str(problems) if problems else ''})"
        err.print(f"{report.problems_total} problem(s){more if report.problems_total > 20 else ''}")


@app.command("list")
def list_(fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table) -> None:
    """The stored rounds."""
    with session_scope() as session:
        rows: list[dict[str, Any]] = [
            {
                "round": r.name,
                "form": f"{r.form}@{r.form_version}",
                "tables": ", ".join(f"{k} {v}" for k, v in r.tables.items()),
                "imports": len(r.imports),
                "updated_at": r.updated_at,
            }
            for r in service.list_rounds(session)
        ]
    emit(rows, fmt, ["round", "form", "tables", "imports", "updated_at"], title="Rounds")


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="Round name")],
    fmt: Annotated[Format, typer.Option("--format", help="text or json")] = Format.text,
) -> None:
    """One round: its form, tables, personal columns and imports (with their problems)."""
    with session_scope() as session:
        r = service.show_round(session, name)
    if fmt is Format.json:
        typer.echo(json.dumps(r.as_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(f"round {r.name}: form {r.form}@{r.form_version}")
    for table, n in r.tables.items():
        typer.echo(f"  {table}: {n} rows")
    for column, how in r.personal.items():
        typer.echo(f"  personal {column}: {how}")
    for i in r.imports:
        typer.echo(
            f"  import {i['imported_at']} by {i['imported_by']} of {i['source']}: "
            f"{i['added']} added, {i['updated']} updated, {i['unchanged']} unchanged, "
            f"{i['issues_total']} problem(s)"
        )


@app.command("delete")
def delete(
    name: Annotated[str, typer.Argument(help="Round name")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False,
) -> None:
    """Delete a round: its catalogue rows and its files."""
    if not yes:
        typer.confirm(f"delete round {name!r} and its files?", abort=True)
    with session_scope() as session:
        service.delete_round(session, name, actor=SYSTEM)
    typer.echo(f"deleted round {name}")


def _names(text: str | None) -> list[str]:
    return [n.strip() for n in (text or "").split(",") if n.strip()]


@app.command("export")
def export(
    name: Annotated[str, typer.Argument(help="Round name")],
    out_path: Annotated[
        Path, typer.Option("--out", "-o", help="Output file (.csv, .xlsx, .parquet).")
    ],
    table: Annotated[str, typer.Option("--table", help="Table: main or a repeat.")] = "main",
    anonymise: Annotated[
        bool,
        typer.Option(
            "--anonymise",
            help="Over policy: recode ages to brackets and suppress key values until it is met.",
        ),
    ] = False,
    keys: Annotated[
        str | None,
        typer.Option("--keys", help="Key variables to add to the policy's, comma-separated."),
    ] = None,
    importance: Annotated[
        str | None,
        typer.Option("--importance", help="Key variables most important first (blanked last)."),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="text or json")] = Format.text,
) -> None:
    """Export a round's table without its personal columns, through the disclosure policy: an
    export over policy is refused with its figures (exit 2), or anonymised with --anonymise;
    either way one audit event records the figures and the decision."""
    from safepath.rounds.export import export_round
    from safepath.surveys.tables import table_format, write_table

    table_format(out_path, write=True)  # an unknown output type is refused before any work
    with session_scope() as session:
        result = export_round(
            session,
            SYSTEM,
            name,
            table=table,
            anonymise=anonymise,
            keys=_names(keys),
            importance=_names(importance) or None,
        )
    data = result.released()  # the audit event is committed: a refusal is recorded too
    write_table(nullable_frame(data), out_path)
    figures = result.report.figures()
    if fmt is Format.json:
        typer.echo(json.dumps({"out": str(out_path), **figures}, ensure_ascii=False, indent=2))
        return
    typer.echo(
        f"exported round {name} ({table}): {data.num_rows} records -> {out_path}; "
        f"{figures['decision']}, global risk {result.report.measures.global_risk:.2%}, "
        f"max individual risk {result.report.measures.max_risk:.3g}"
    )
    if result.report.suppression is not None:
        done = ", ".join(f"{k} {v}" for k, v in result.report.suppression.suppressed.items())
        typer.echo(f"suppressed: {done}")
