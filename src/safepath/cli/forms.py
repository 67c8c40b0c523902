"""``safepath forms``: store XLSForm versions (checked and converted) and list them."""

from __future__ import annotations

import getpass
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from safepath.cli.common import OutputFormat, emit
from safepath.rounds.forms import add_form, list_forms, view
from safepath.store.db import session_scope

app = typer.Typer(no_args_is_help=True, help="XLSForm questionnaires (survey forms).")
err = Console(stderr=True, highlight=False)


class Format(StrEnum):
    text = "text"
    json = "json"


def operator() -> str:
    """Who runs a command line: recorded with what it stores."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@app.command("add")
def add(
    form: Annotated[Path, typer.Argument(help="XLSForm workbook (.xlsx)")],
    fmt: Annotated[Format, typer.Option("--format", help="text or json")] = Format.text,
    strict: Annotated[
        bool, typer.Option("--strict", help="Refuse the form on any problem the checks find.")
    ] = False,
) -> None:
    """Check and store a form version. Every problem is listed (sheet, row, column); the form
    is stored unless pyxform cannot convert it (or, with --strict, on any problem)."""
    with session_scope() as session:
        added = add_form(session, form, by=operator(), strict=strict)
        result = view(added.row)
    if fmt is Format.json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    state = "stored" if added.created else "already stored"
    typer.echo(
        f"{state}: form {result.form} version {result.version} ({result.fields} fields, "
        f"repeats: {', '.join(result.repeats) or 'none'}; languages: "
        f"{', '.join(result.languages) or 'none'})"
    )
    for problem in added.report.issues:
        err.print(f"  - {problem}")
    if added.report.issues:
        err.print(f"{len(added.report.issues)} problem(s) in {form.name}")


@app.command("list")
def list_(
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """The stored form versions."""
    with session_scope() as session:
        rows = [
            {
                "form": f.form,
                "version": f.version,
                "title": f.title,
                "languages": ", ".join(f.languages),
                "fields": f.fields,
                "repeats": ", ".join(f.repeats),
                "issues": len(f.issues),
                "created_at": f.created_at,
                "created_by": f.created_by,
            }
            for f in list_forms(session)
        ]
    emit(
        rows,
        fmt,
        ["form", "version", "title", "languages", "fields", "repeats", "issues", "created_at"],
        title="Forms",
    )
