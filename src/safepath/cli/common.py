"""Helpers shared by CLI commands: output formats and progress bars."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from safepath.cells import neutralise_rows

console = Console()


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def emit(
    rows: Sequence[dict[str, Any]],
    fmt: OutputFormat,
    columns: Sequence[str] | None = None,
    title: str | None = None,
) -> None:
    cols = list(columns or (rows[0].keys() if rows else []))
    if fmt is OutputFormat.json:
        print(json.dumps(list(rows), ensure_ascii=False, indent=2, default=str))
    elif fmt is OutputFormat.csv:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(neutralise_rows(rows))  # no cell is read as a spreadsheet formula
        print(buf.getvalue(), end="")
    else:
        table = Table(title=title)
        for c in cols:
            table.add_column(c)
        for r in rows:
            table.add_row(*("" if r.get(c) is None else str(r.get(c)) for c in cols))
        console.print(table)


def nullable_frame(data: Any) -> Any:
    """An Arrow table as pandas with nullable integers: a blanked value (local suppression)
    keeps an integer column integer in the file written."""
    import pandas as pd
    import pyarrow as pa

    return data.to_pandas(
        types_mapper=lambda t: pd.Int64Dtype() if pa.types.is_integer(t) else None
    )


@contextmanager
def progress_bar(description: str, total: int | None) -> Iterator[Any]:
    """A rich progress bar on stderr; yields ``advance(n)``."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n=1: progress.advance(task, n)
