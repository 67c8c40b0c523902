"""``safepath outcomes``: the protection outcomes report (small cells suppressed)."""

from __future__ import annotations

from typing import Annotated

import typer

from safepath.cli.common import OutputFormat, emit
from safepath.privacy.actor import SYSTEM
from safepath.store.db import session_scope


def outcomes(
    by: Annotated[
        str,
        typer.Option(
            help="group by, comma-separated: modality, thematic_area, gpc_risk, place, "
            "population_group"
        ),
    ] = "modality",
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="output format")
    ] = OutputFormat.table,
) -> None:
    """Cases, closed cases, % outcome achieved and mean ΔR per group, as the API reports them."""
    from safepath.cases import outcomes as report

    dims = report.parse_by(by)
    with session_scope() as session:
        rows = report.report(session, SYSTEM, dims)
    emit(rows, fmt, columns=[*dims, *report.FIGURES, "suppressed"], title="Protection outcomes")
