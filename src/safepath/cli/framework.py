"""``safepath framework``: the catalogue of the IOM protection framework."""

from __future__ import annotations

from typing import Annotated

import typer

from safepath.cli.common import OutputFormat, emit
from safepath.errors import ValidationFailed
from safepath.framework import LANGUAGES, catalogue

app = typer.Typer(no_args_is_help=True, help="The protection framework catalogue.")


@app.command("list")
def list_(
    name: Annotated[str | None, typer.Argument(help="A list name; omit to see all lists.")] = None,
    lang: Annotated[str, typer.Option(help="en, fr, es or ar")] = "en",
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """Show the lists, or one list's entries."""
    if lang not in LANGUAGES:
        raise ValidationFailed(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    cat = catalogue()
    if name is None:
        rows = [
            {"name": n, "title": cat.get(n).title(lang), "entries": len(cat.get(n).entries)}
            for n in cat.names()
        ]
        emit(rows, fmt, ["name", "title", "entries"], title="Catalogue")
        return
    lst = cat.get(name)
    emit(
        lst.rows(lang),
        fmt,
        ["code", "label", "description", "source"]
        if fmt is not OutputFormat.table
        else ["code", "label"],
        title=lst.title(lang),
    )
