"""``safepath risk``: list and validate models, score survey rounds, classify areas, explain one
record. Inputs and outputs are CSV, XLSX (``--sheet`` for multi-sheet Kobo exports) or Parquet;
bad input stops before any output file exists (outputs are written atomically)."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from safepath.errors import InputError, Problem, SafepathError
from safepath.privacy.disclosure.tables import arrow_from_pandas
from safepath.risk import list_models, load_model
from safepath.risk.area_profile import AreaProfile
from safepath.risk.spec import RiskModel
from safepath.surveys.tables import (
    group_prefix_renames,
    read_table,
    refuse_duplicates,
    require_columns,
    table_format,
    write_table,
)

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Protection risk: Risk = (Threat + Vulnerability) / Capacity.",
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

SCORED = ("threat", "vulnerability", "capacity", "risk", "phase", "case_level")
ModelOpt = Annotated[
    str, typer.Option("--model", "-m", help="Shipped model name or a model YAML file.")
]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help="Sheet of an XLSX input.")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output file (.csv, .xlsx, .parquet).")]
DecimalOpt = Annotated[
    str | None,
    typer.Option(
        "--decimal",
        help="Decimal mark of numbers written as text: ',' reads 0,5 as 0.5; '.' never does. "
        "Default: ',' in a semicolon-separated CSV, '.' otherwise.",
    ),
]


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """Print a SafepathError (and its located problems) and exit non-zero, no traceback."""
    try:
        yield
    except SafepathError as exc:
        err.print(f"[red]error:[/red] {exc.message}")
        for problem in exc.problems[:20]:
            err.print(f"  - {problem}")
        if len(exc.problems) > 20:
            err.print(f"  … and {len(exc.problems) - 20} more")
        raise typer.Exit(2 if exc.status < 500 else 1) from None


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


@dataclass(frozen=True)
class Loaded:
    """An input as ``score_table`` takes it, and the file row of its first record."""

    data: Any
    first_row: int


def _load_input(
    path: Path, sheet: str | None, needed: list[str], decimal: str | None = None
) -> Loaded:
    """The input as something ``score_table`` takes: a Parquet path stays a path (DuckDB reads it
    in parallel); CSV and XLSX go through pandas to Arrow (Kobo separators, sheets, an HXL
    hashtag row, decimal commas)."""
    import pyarrow as pa

    from safepath.surveys.tables import first_row

    fmt = table_format(path)
    if fmt == "parquet" and sheet is None and decimal is None and path.is_file():
        import pyarrow.parquet as pq

        try:
            names = pq.read_schema(path).names
        except (OSError, pa.ArrowException) as exc:
            raise InputError(
                f"cannot read {path.name}: {exc}",
                problems=[Problem(f"unreadable file: {exc}", scope=str(path))],
            ) from exc
        refuse_duplicates(names, needed, path)
        renames = group_prefix_renames(names, needed)
        require_columns([renames.get(n, n) for n in names], needed, source=path.name)
        if renames:  # group-path headers: read through Arrow to rename them
            table = pq.read_table(path)
            return Loaded(table.rename_columns([renames.get(n, n) for n in table.column_names]), 1)
        return Loaded(str(path), 1)
    frame = read_table(path, sheet=sheet, columns=needed, decimal=decimal)
    return Loaded(arrow_from_pandas(frame), first_row(frame, path))


def _check_weights(model: RiskModel, loaded: Loaded, path: Path, *, required: bool) -> None:
    """Refuse a blank, text, NaN or negative weight, naming the file's rows (before scoring, so
    the rows are the file's). ``required``: the table must have the weight column."""
    from safepath.risk.table import as_table
    from safepath.risk.weights import check_weight_table

    wf = model.weight_field
    if wf is None or (not required and wf not in _columns(loaded.data)):
        return
    check_weight_table(model, as_table(loaded.data), source=path.name, first_row=loaded.first_row)


def _check_numeric(model: RiskModel, loaded: Loaded, path: Path) -> None:
    """Refuse a text or an out-of-scale number in a numeric field the model reads (by row)."""
    from safepath.risk.inputs import check_numeric, numeric_fields

    data = loaded.data
    fields = [f.name for f in numeric_fields(model)]
    if not fields:
        return
    if isinstance(data, str):  # a Parquet file DuckDB will read: only these columns
        import pyarrow.parquet as pq

        names = set(pq.read_schema(data).names)
        data = pq.read_table(data, columns=[f for f in fields if f in names])
    frame = data.select([f for f in fields if f in data.column_names]).to_pandas()
    check_numeric(model, frame, source=path.name, first_row=loaded.first_row)


def _sql_cache() -> Any:
    """Compiled risk SQL kept in the data directory: the next run does not build it again."""
    from safepath.risk.sqlcache import DirectorySqlCache
    from safepath.settings import get_settings

    return DirectorySqlCache(get_settings().data_dir / "cache" / "risk-sql")


def _quiet_duckdb() -> None:
    """DuckDB draws its own progress bar on stdout for long queries; ours is on stderr."""
    from safepath.risk.table import default_connection

    default_connection().raw_sql("SET enable_progress_bar = false")


def _read_area_profile(path: Path, model: RiskModel) -> AreaProfile:
    from safepath.surveys.tables import first_row

    frame = read_table(path, columns=["pcode", *model.area_fields()])
    rows = [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]
    return AreaProfile.from_rows(
        rows, source=path.name, model=model, first_row=first_row(frame, path)
    )


def _area_profile(path: Path | None, model: RiskModel) -> Any:
    """The table the evaluator joins: validated (unique P-codes, the model's columns)."""
    return None if path is None else _read_area_profile(path, model).to_arrow(model)


@app.command("models")
def models() -> None:
    """List the shipped risk models."""
    with _errors():
        table = Table()
        table.add_column("id", no_wrap=True)
        for header in ("version", "title", "indicators"):
            table.add_column(header)
        for name in list_models():
            m = load_model(name)
            table.add_row(m.id, m.version, m.title, str(len(m.indicators)))
        out.print(table)


@app.command("validate")
def validate(file: Annotated[Path, typer.Argument(help="Risk model YAML file.")]) -> None:
    """Validate a risk model file: OK with counts, or every problem located."""
    with _errors():
        if not file.is_file():
            raise InputError(
                f"no such file: {file}", problems=[Problem("file not found", scope=str(file))]
            )
        m = load_model(file)
        by_component = Counter(i.component for i in m.indicators)
        by_level = Counter(i.level for i in m.indicators)
        risks = {r for i in m.indicators for r in i.gpc_risks}
        floors = sum(1 for i in m.indicators if i.floor)
        out.print(
            f"OK {m.id} {m.version}: {len(m.indicators)} indicators ("
            + ", ".join(f"{by_component[c]} {c}" for c in ("threat", "vulnerability", "capacity"))
            + "; "
            + ", ".join(f"{n} {lvl}" for lvl, n in sorted(by_level.items()))
            + f"), {len(risks)} GPC risks, {floors} floors, {len(m.record_fields())} record "
            f"fields, {len(m.area_fields())} area fields"
        )


def _phase_counts(path: Path) -> Counter[int]:
    """Phase counts read back from the written output (scoring again would double the work)."""
    if table_format(path) == "xlsx":
        return Counter(int(p) for p in read_table(path)["phase"])
    import duckdb

    reader = "read_parquet" if table_format(path) == "parquet" else "read_csv"
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT phase, count(*) FROM {reader}(?) GROUP BY phase", [str(path)]
    ).fetchall()
    return Counter({int(p): int(n) for p, n in rows})


def _phase_summary(counts: Counter[int]) -> str:
    return ", ".join(f"phase {p}: {counts.get(p, 0)}" for p in range(1, 6))


RulesOpt = Annotated[
    str | None,
    typer.Option("--rules", help="Severity rule set by name (jiaf-25 by default, jiaf-20, ...)."),
]
RulesFileOpt = Annotated[
    Path | None, typer.Option("--rules-file", help="A severity rule YAML file instead.")
]

RoundOpt = Annotated[
    str | None,
    typer.Option(
        "--round", help="A stored survey round (safepath surveys import) instead of a file."
    ),
]


def _round_input(name: str, model: RiskModel) -> Any:
    """The stored round's submissions table (personal columns left out), with the household
    columns the model aggregates from repeat rows; the model is checked against the round's
    form (unknown fields and unscored choices are listed on stderr)."""
    from safepath.rounds.forms import definition
    from safepath.rounds.service import load_table, round_form
    from safepath.store.db import session_scope
    from safepath.surveys.household import repeat_tables, with_household_columns
    from safepath.surveys.modelcheck import check_model

    with session_scope() as session:
        data = load_table(session, name)
        repeats = {t: load_table(session, name, t) for t in repeat_tables(model)}
        form = definition(round_form(session, name))
    for problem in check_model(model, form, extra_columns=data.column_names):
        err.print(f"[yellow]model vs form:[/yellow] {problem}")
    data = with_household_columns(model, data, repeats)
    require_columns(data.column_names, model.record_fields(), source=f"round {name}")
    return data


def _controlled(scored: Any, round_name: str, anonymise: bool) -> Any:
    """The scored records of a stored round as they may leave (analysis microdata), audited."""

    from safepath.privacy.actor import SYSTEM
    from safepath.privacy.disclosure.exports import control_dataset
    from safepath.store.db import session_scope

    with session_scope() as session:
        result = control_dataset(
            session,
            SYSTEM,
            scored.to_pyarrow(),
            kind="analysis_microdata",
            record_id=round_name[:64],
            anonymise=anonymise,
        )
    released = result.released()  # after the commit: a refusal is audited too
    from safepath.cli.common import nullable_frame

    return nullable_frame(released)


def _print_unmapped(model: RiskModel, data: Any) -> None:
    """Per indicator, the answers the model does not score (they count as unanswered)."""
    import pyarrow.parquet as pq

    from safepath.risk.unmapped import unmapped

    fields = [i.field for i in model.indicators if i.source == "record"]
    if isinstance(data, str):
        names = set(pq.read_schema(data).names)
        data = pq.read_table(data, columns=[f for f in dict.fromkeys(fields) if f in names])
    found = unmapped(model, data)
    if not found:
        return
    total = sum(u.records for u in found)
    out.print(f"unscored answers: {total} in {len(found)} indicator(s) (counted as unanswered)")
    for u in found:
        shown = ", ".join(f"{v!r} ×{n}" for v, n in u.values)
        out.print(f"  {u.indicator} ({u.field}): {u.records} record(s): {shown}")


@app.command("score")
def score(
    input: Annotated[
        Path | None, typer.Argument(help="Survey round file (.csv, .xlsx, .parquet).")
    ] = None,
    model: ModelOpt = "",
    out_path: OutOpt = Path(),
    sheet: SheetOpt = None,
    round_name: RoundOpt = None,
    explain: Annotated[bool, typer.Option("--explain", help="Add an explanation column.")] = False,
    anonymise: Annotated[
        bool,
        typer.Option(
            "--anonymise",
            help="--round over the disclosure policy: recode ages, suppress key values.",
        ),
    ] = False,
    area_profile: Annotated[
        Path | None,
        typer.Option(
            "--area-profile", help="Area profile keyed by pcode (community/structural data)."
        ),
    ] = None,
    decimal: DecimalOpt = None,
) -> None:
    """Score every record: adds threat, vulnerability, capacity, risk, phase, case_level.
    Scoring a stored round (--round) exports its records: the file is written only within the
    disclosure policy (kind analysis_microdata), or anonymised with --anonymise, and the export
    is audited. A file's own records are scored as they are (they never were in the store).

    The model's weight column, when the input has it, is checked (numbers >= 0; a blank, a
    text, NaN or a negative weight is refused naming the rows), so the output can be
    classified with `risk areas`."""
    from safepath.risk import score_table

    with _errors(), _progress() as progress:
        if not model or out_path == Path() or (input is None) == (round_name is None):
            raise InputError("give --model, --out and either an input file or --round")
        table_format(out_path, write=True)  # refuse an unknown output type before any work
        task = progress.add_task("loading model", total=4)
        m = load_model(model)
        _quiet_duckdb()
        source = input if input is not None else Path(f"{round_name}.parquet")
        progress.update(task, advance=1, description=f"reading {source.name}")
        if round_name is not None:
            loaded = Loaded(_round_input(round_name, m), 1)
        else:
            assert input is not None
            loaded = _load_input(input, sheet, m.record_fields(), decimal)
        data = loaded.data
        _check_numeric(m, loaded, source)
        _check_weights(m, loaded, source, required=False)
        area = _area_profile(area_profile, m)
        progress.update(
            task,
            advance=1,
            description="scoring" + (" with explanations" if explain else ""),
        )
        scored = score_table(m, data, area, explain=explain, sql_cache=_sql_cache())
        if round_name is not None:
            scored = _controlled(scored, round_name, anonymise)
        elif anonymise:
            raise InputError("--anonymise applies to --round (a stored round leaving the system)")
        progress.update(task, advance=1, description=f"writing {out_path.name}")
        write_table(scored, out_path)
        counts = _phase_counts(out_path)
        progress.update(task, advance=1)
        unscored = data
    out.print(
        f"scored {sum(counts.values())} records with {m.id} {m.version} -> {out_path} "
        f"({_phase_summary(counts)})"
    )
    _print_unmapped(m, unscored)


def _parse_by(by: str, model: RiskModel) -> list[str]:
    names = [b.strip() for b in by.split(",") if b.strip()]
    known = [*model.places, *model.dimensions]
    unknown = [b for b in names if b not in known]
    if not names or unknown:
        raise InputError(
            f"--by {by!r}: unknown {unknown or 'empty'}; this model offers "
            f"{', '.join(known) or 'nothing'}",
            problems=[Problem(f"unknown --by {b!r}") for b in unknown],
        )
    return names


@app.command("areas")
def areas(
    input: Annotated[
        Path | None, typer.Argument(help="Raw or already scored round (or --round).")
    ] = None,
    model: ModelOpt = "",
    by: Annotated[
        str, typer.Option("--by", help="Place level and dimensions: adm1[,sex,...]")
    ] = "",
    out_path: OutOpt = Path(),
    sheet: SheetOpt = None,
    round_name: RoundOpt = None,
    area_profile: Annotated[Path | None, typer.Option("--area-profile")] = None,
    decimal: DecimalOpt = None,
    rules: RulesOpt = None,
    rules_file: RulesFileOpt = None,
    save: Annotated[
        bool,
        typer.Option(
            "--save",
            help="Store each area's phase (--by place levels only) for the advocacy and area "
            "pages: the latest classification of an area is the one they show.",
        ),
    ] = False,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Name of the round saved [default: the input's name]."),
    ] = None,
) -> None:
    """Classify areas: weighted phase shares, area phase and people in need per group.

    The area phase follows a severity rule set (share rule, critical indicators, maximum
    across areas of responsibility, phase-5 guard; docs/analysis.md): the model's shipped
    <model>.severity.yaml (else the generic jiaf-25 / jiaf-20 rules), or --rules-file. Each row
    names the rule (rule, rule_citation) and what set the phase (phase_reason).

    Weights must be numbers >= 0: a blank, a text (a decimal comma without --decimal ,), NaN
    or a negative weight is refused naming the rows; a group whose weights sum to 0 has no
    population (no shares, no area phase)."""
    import pandas as pd

    from safepath.risk import score_table
    from safepath.risk.areas import classify_with_rule
    from safepath.risk.severity import load_rule

    with _errors(), _progress() as progress:
        if not model or not by or out_path == Path() or (input is None) == (round_name is None):
            raise InputError("give --model, --by, --out and either an input file or --round")
        table_format(out_path, write=True)
        task = progress.add_task("loading model", total=4)
        m = load_model(model)
        rule = load_rule(m, rules, file=rules_file)
        dims = _parse_by(by, m)
        if save and any(d not in m.places for d in dims):
            raise InputError(
                f"--save stores whole areas: --by {by!r} names dimensions; use place levels only "
                f"({', '.join(m.places)})"
            )
        _quiet_duckdb()
        path = input if input is not None else Path(f"{round_name}.parquet")
        name = input.name if input is not None else str(round_name)
        progress.update(task, advance=1, description=f"reading {name}")
        if round_name is not None:  # a stored round: personal columns left out, repeats joined
            loaded = Loaded(_round_input(round_name, m), 1)
        else:
            assert input is not None
            weight = [m.weight_field] if m.weight_field else []
            loaded = _load_input(input, sheet, [*_grouping_fields(m, dims), *weight], decimal)
        _check_weights(m, loaded, path, required=True)
        data = loaded.data
        scored = _as_scored(data)
        progress.update(
            task,
            advance=1,
            description="classifying" if scored is not None else "scoring and classifying",
        )
        if scored is None:
            require_columns(_columns(data), m.record_fields(), source=name)
            _check_numeric(m, loaded, path)
            scored = score_table(m, data, _area_profile(area_profile, m), sql_cache=_sql_cache())
        result = classify_with_rule(
            m,
            scored,
            dims,
            rule,
            source=name,
            first_row=loaded.first_row,
            sql_cache=_sql_cache(),
        )
        # saved first: an unknown P-code stops the command before any output file exists
        saved = _save_phases(m, dims[-1], source or name, result) if save else None
        progress.update(task, advance=1, description=f"writing {out_path.name}")
        write_table(pd.DataFrame(result), out_path)
        progress.update(task, advance=1)
    out.print(
        f"classified {len(result)} groups by {', '.join(dims)} with rule {rule.name} "
        f"({rule.title}) -> {out_path}"
    )
    if saved is not None:
        out.print(
            f"saved the area phase of {saved.saved} {dims[-1]} area(s) from {source or name}"
            + (f" (replacing {saved.replaced})" if saved.replaced else "")
            + (
                f"; {saved.skipped} group(s) without a place or phase left out"
                if saved.skipped
                else ""
            )
        )


def _save_phases(model: RiskModel, level: str, source: str, rows: list[dict[str, Any]]) -> Any:
    """Store the classification's area rows (``safepath.places.area_phases``), in one
    transaction: an unknown P-code stores nothing."""
    from safepath.places.area_phases import save_area_phases
    from safepath.store.db import session_scope

    with session_scope() as session:
        return save_area_phases(session, model.id, source, level, rows)


def _grouping_fields(model: RiskModel, dims: list[str]) -> list[str]:
    fields: list[str] = []
    for d in dims:
        if d in model.places:
            fields.append(model.places[d])
        else:
            dim = model.dimensions[d]
            fields.extend([dim.field] if dim.field else list(dim.fields or []))
    return fields


def _columns(data: Any) -> list[str]:
    if isinstance(data, str):
        import pyarrow.parquet as pq

        return list(pq.read_schema(data).names)
    return list(data.column_names)


def _as_scored(data: Any) -> Any | None:
    """An already scored input (all output columns present) as an Ibis table, else None."""
    if not set(SCORED) <= set(_columns(data)):
        return None
    from safepath.risk.table import as_table

    return as_table(data)


def _read_json(text: str, what: str) -> dict[str, Any]:
    source = "argument"
    if text.startswith("@"):
        path = Path(text[1:])
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(
                f"cannot read {what} file {path}: {exc.strerror}",
                problems=[Problem("unreadable file", scope=str(path))],
            ) from exc
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{what} is not valid JSON ({source}): {exc}", problems=[Problem(str(exc), scope=what)]
        ) from exc
    if not isinstance(value, dict):
        raise InputError(
            f"{what} must be a JSON object of field: answer",
            problems=[Problem("not a JSON object", scope=what)],
        )
    return value


@app.command("explain")
def explain(
    model: ModelOpt,
    record: Annotated[str, typer.Option("--record", help="JSON object, or @file.json.")],
    area: Annotated[
        str | None,
        typer.Option("--area", help="The record's area-profile row: JSON object or @file.json."),
    ] = None,
    area_profile: Annotated[
        Path | None,
        typer.Option("--area-profile", help="Area profile: the row of the record's place is used."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Score one record and explain what drives its risk."""
    from safepath.risk import evaluate

    with _errors():
        if fmt not in ("text", "json"):
            raise InputError(f"--format {fmt!r}: use text or json")
        m = load_model(model)
        answers = _read_json(record, "record")
        area_row = _read_json(area, "area") if area else None
        if area_profile is not None and area_row is None:
            area_row = _profile_row(area_profile, m, answers)
        result = evaluate(m, answers, area_row)
        if fmt == "json":
            typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        _print_explanation(m, result)


def _profile_row(path: Path, model: RiskModel, answers: dict[str, Any]) -> dict[str, Any] | None:
    """The area-profile row of the record's place (None when the place is absent or unknown)."""
    place = answers.get(model.place_field) if model.place_field else None
    if place is None:
        return None
    row = _read_area_profile(path, model).lookup(str(place))
    return dict(row) if row is not None else None


def _print_explanation(model: RiskModel, result: Any) -> None:
    e = result.explanation
    deadline = f", respond within {result.deadline_hours:g} h" if result.deadline_hours else ""
    out.print(f"[bold]{model.title}[/bold] ({model.id} {model.version})")
    out.print(
        f"Risk = (T {result.threat:g} + V {result.vulnerability:g}) / C "
        f"{result.capacity:g} = [bold]{result.risk:g}[/bold] -> phase "
        f"[bold]{result.phase}[/bold], case level [bold]{result.case_level}[/bold]"
        f"{deadline}"
    )
    for comp, info in e.get("components", {}).items():
        note = " (no answer: default)" if info.get("defaulted") else ""
        out.print(
            f"  {comp}: {info['value']:g} ({info['aggregation']} of "
            f"{info['answered']} answered){note}"
        )
    labels = {i.id: i.label for i in model.indicators}
    table = Table("level", "component", "indicator", "score", "weight", "contribution")
    for level, components in e.get("levels", {}).items():
        for comp, group in components.items():
            for ind in group.get("indicators", []):
                table.add_row(
                    level,
                    comp,
                    labels.get(ind["id"], ind["id"]),
                    str(ind["score"]),
                    f"{ind['weight']:g}",
                    f"{ind['contribution']:g}",
                )
    out.print(table)
    drivers = e.get("drivers", [])
    if drivers:
        out.print(
            "Main drivers: "
            + "; ".join(f"{d['label']} ({d['component']} {d['score']})" for d in drivers)
        )
    for floor in e.get("floors", []):
        out.print(
            f"Red flag: {floor['indicator']} scored {floor['score']} -> phase at least "
            f"{floor['phase']} (from {e.get('phase_from_risk')})"
        )
    if e.get("unanswered"):
        out.print(f"Unanswered ({len(e['unanswered'])}): {', '.join(e['unanswered'])}")
    if e.get("unmapped"):
        out.print(f"Answers not in the model: {e['unmapped']}")
