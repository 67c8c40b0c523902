"""``safepath report paf``: the protection analysis report of a survey round, as HTML or PDF."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from safepath.cli.analysis import _lonely, _population, _split
from safepath.cli.risk import _errors
from safepath.errors import InputError

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Reports.")
FORMATS = {".html": "html", ".htm": "html", ".pdf": "pdf"}


def _write(path: Path, data: bytes) -> None:
    """Atomically: a reader never sees half a report, a failure leaves no file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@app.command("paf")
def paf(
    input: Annotated[
        Path | None, typer.Argument(help="Survey round file (.csv, .xlsx, .parquet).")
    ] = None,
    round_name: Annotated[
        str | None, typer.Option("--round", help="A stored survey round instead of a file.")
    ] = None,
    model: Annotated[
        str, typer.Option("--model", "-m", help="Shipped model name or a model YAML file.")
    ] = "",
    out: Annotated[Path, typer.Option("--out", "-o", help="report.html or report.pdf.")] = Path(),
    lang: Annotated[str, typer.Option("--lang", help="en, fr, es or ar (right to left).")] = "en",
    sheet: Annotated[str | None, typer.Option("--sheet", help="Sheet of an XLSX input.")] = None,
    level: Annotated[
        str | None,
        typer.Option("--level", help="The model's place level of the areas [default: its first]."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Disaggregations, comma-separated, among sex, age_bracket, disability "
            "[default: each the round has columns for].",
        ),
    ] = None,
    strata: Annotated[str | None, typer.Option("--strata", help="Stratum column.")] = None,
    cluster: Annotated[
        str | None, typer.Option("--cluster", help="Cluster (PSU) column; nested in strata.")
    ] = None,
    weight: Annotated[
        str | None, typer.Option("--weight", help="Weight column [default: the model's].")
    ] = None,
    lonely_psu: Annotated[
        str | None,
        typer.Option("--lonely-psu", help="fail, remove, certainty, adjust or average."),
    ] = None,
    household_size: Annotated[
        str | None,
        typer.Option("--household-size", help="Household-size column: PiN counts people."),
    ] = None,
    frame: Annotated[
        Path | None,
        typer.Option("--frame", help="Sample frame with the areas' population (e.g. loa.xlsx)."),
    ] = None,
    frame_sheet: Annotated[
        str | None,
        typer.Option("--frame-sheet", help="Sheet of the frame [default: sample_frame]."),
    ] = None,
    frame_pop: Annotated[str, typer.Option("--frame-pop", help="Population column.")] = "pop",
    areas_csv: Annotated[
        Path | None,
        typer.Option("--areas-csv", help="Also write the area table as HXL-tagged CSV here."),
    ] = None,
) -> None:
    """The protection analysis report, by the GPC Protection Analytical Framework: context,
    current threats, effects on the population, existing capacities.

    Filled from the round (or file), the model, the stored area profile, the places' boundaries
    (maps of area phase and people in need; `safepath places boundaries`) and the case outcomes
    of the same places; disaggregated by sex, age group and disability (Washington Group) where
    the round has those columns. Shares are design-based estimates with intervals (as
    `analysis estimate`); people in need need --frame. Every table has its small cells withheld
    (SAFEPATH_DISCLOSURE_THRESHOLD). HTML is one self-contained file; PDF is made by
    WeasyPrint.
    """
    from safepath.privacy.actor import SYSTEM
    from safepath.report import paf as report
    from safepath.report import render, sources
    from safepath.risk import load_model
    from safepath.store.db import session_scope

    with _errors():
        if not model or out == Path() or (input is None) == (round_name is None):
            raise InputError("give --model, --out and either an input file or --round")
        fmt = FORMATS.get(out.suffix.lower())
        if fmt is None:
            raise InputError(f"--out {out.name}: write a .html or a .pdf file")
        if lang not in render.LANGUAGES:
            raise InputError(f"--lang {lang!r}: use one of {', '.join(render.LANGUAGES)}")
        m = load_model(model)
        options = sources.Options(
            model=m.id,
            level=level,
            strata=strata,
            cluster=cluster,
            weight=weight,
            lonely_psu=_lonely(lonely_psu),
            household_size=household_size,
            groupings=tuple(_split(by)) if by else None,
            lang=lang,
        )
        chosen = level or next(iter(m.places), "")
        population = None
        if frame is not None:
            place = m.places.get(chosen, chosen)
            population = _population(
                frame, frame_sheet, frame_pop, None, "", "", None, None, [place]
            )
        with session_scope() as session:
            repeats = None
            if round_name is not None:
                data, repeats = sources.round_data(session, round_name, m)
                name = round_name
            else:
                assert input is not None
                data, name = sources.file_data(input, sheet), input.name
            inputs = sources.inputs(
                m,
                data,
                name,
                options,
                session=session,
                actor=SYSTEM,
                repeats=repeats,
                population=population,
            )
        built = report.build(inputs)
        body = (
            render.render_pdf(built, lang)
            if fmt == "pdf"
            else render.render_html(built, lang).encode("utf-8")
        )
        _write(out, body)
        if areas_csv is not None:
            _write(areas_csv, render.area_csv(built).encode("utf-8"))
    typer.echo(
        f"protection analysis of {name} with {m.id} ({len(built.areas)} areas, "
        f"{built.records} records, {lang}) -> {out}"
    )
