"""``safepath analysis``: design-based estimates, people in need, trends between two rounds and
early-warning alerts, from survey files or stored rounds (``--round``).

Files are read with the survey reader (CSV, XLSX with ``--sheet``, Parquet; an HXL hashtag row
and decimal commas recognised); the estimators take an Ibis table, a stored round's as a file's.
Output goes to stdout as JSON or CSV.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from safepath.analysis.design import LONELY_PSU, Design, LonelyPsu
from safepath.analysis.estimates import KINDS, Kind, estimate, one_hot_columns
from safepath.cells import neutralise
from safepath.cli.risk import _errors
from safepath.errors import InputError, Problem
from safepath.privacy.disclosure.tables import arrow_from_pandas
from safepath.settings import get_settings

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Protection analysis: design-based estimates and people in need.",
)

ROW = "_sp_row"
Input = Annotated[Path, typer.Argument(help="Survey round (.csv, .xlsx, .parquet).")]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help="Sheet of an XLSX input.")]
ByOpt = Annotated[
    str | None, typer.Option("--by", help="Grouping columns, comma-separated: admin1[,sex].")
]
StrataOpt = Annotated[str | None, typer.Option("--strata", help="Stratum column.")]
ClusterOpt = Annotated[
    str | None, typer.Option("--cluster", help="Cluster (PSU) column; nested in strata.")
]
LonelyOpt = Annotated[
    str | None,
    typer.Option(
        "--lonely-psu",
        help="A stratum with one PSU: fail, remove, certainty, adjust or average "
        "(R's survey.lonely.psu; default: SAFEPATH_ANALYSIS_LONELY_PSU).",
    ),
]
LevelOpt = Annotated[float, typer.Option("--level", help="Confidence level of the intervals.")]
FormatOpt = Annotated[str, typer.Option("--format", help="json or csv.")]
DecimalOpt = Annotated[
    str | None,
    typer.Option(
        "--decimal",
        help="Decimal mark of numbers written as text: ',' reads 0,5 as 0.5; '.' never does. "
        "Default: ',' in a semicolon-separated CSV, '.' otherwise.",
    ),
]


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def _format(fmt: str) -> str:
    if fmt not in ("json", "csv"):
        raise InputError(f"--format {fmt!r}: use json or csv")
    return fmt


def _lonely(value: str | None) -> LonelyPsu:
    chosen = value or get_settings().analysis_lonely_psu
    for rule in LONELY_PSU:
        if chosen == rule:
            return rule
    raise InputError(f"--lonely-psu {chosen!r}: use one of {', '.join(LONELY_PSU)}")


def _read(
    path: Path,
    sheet: str | None,
    needed: list[str],
    wanted: list[str],
    decimal: str | None = None,
) -> Any:
    """The file as an Ibis table of the columns used, with each record's file row in ``ROW``.

    ``needed`` columns must exist; ``wanted`` ones (the variables) are checked by the estimator,
    which names what is missing. Kobo group prefixes (``group/field``) are matched."""
    from safepath.risk.table import as_table
    from safepath.surveys.tables import first_row, group_prefix_renames, read_table

    frame = read_table(path, sheet=sheet, columns=needed, decimal=decimal)
    first = first_row(frame, path)  # 2 under a header, 3 under an HXL hashtag row
    frame = frame.rename(columns=group_prefix_renames(frame.columns, wanted))
    names = [str(c) for c in frame.columns]
    frame.columns = names
    keep = list(dict.fromkeys(needed))
    for var in wanted:
        keep += [c for c in [var, *one_hot_columns(names, var)] if c in names]
    frame = frame[list(dict.fromkeys(keep))].copy()
    frame[ROW] = range(first, first + len(frame))
    return as_table(arrow_from_pandas(frame))


def _emit(rows: Sequence[dict[str, Any]], fmt: str) -> None:
    if fmt == "json":
        typer.echo(json.dumps(list(rows), ensure_ascii=False, indent=2))
        return
    fields: list[str] = []
    for row in rows:
        fields += [k for k in row if k not in fields]
    writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})


def _cell(value: Any) -> Any:
    if isinstance(value, list):  # by and group: the names and values, joined with "|"
        return neutralise("|".join(str(v) for v in value))
    if value is None:
        return ""
    return neutralise(value) if isinstance(value, str) else value


RoundOpt = Annotated[
    str | None,
    typer.Option(
        "--round", help="A stored survey round (safepath surveys import) instead of a file."
    ),
]


def _input_or_round(input: Path | None, round_name: str | None) -> str:
    if (input is None) == (round_name is None):
        raise InputError(
            "give either an input file or --round",
            problems=[Problem("one of FILE or --round is needed")],
        )
    return input.name if input is not None else str(round_name)


@app.command("estimate")
def estimate_cmd(
    input: Annotated[
        Path | None, typer.Argument(help="Survey round (.csv, .xlsx, .parquet).")
    ] = None,
    *,
    round_name: RoundOpt = None,
    var: Annotated[
        list[str], typer.Option("--var", help="Variable(s) to estimate; repeat or comma-separate.")
    ],
    sheet: SheetOpt = None,
    by: ByOpt = None,
    strata: StrataOpt = None,
    cluster: ClusterOpt = None,
    weight: Annotated[str | None, typer.Option("--weight", help="Survey weight column.")] = None,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="auto, categorical, multiple (select_multiple) or mean. auto: multiple when "
            "var/option columns exist, mean for a numeric column, else categorical.",
        ),
    ] = "auto",
    exclude: Annotated[
        str | None,
        typer.Option(
            "--exclude", help="Answers left out of the base, comma-separated (e.g. dnk,pnta)."
        ),
    ] = None,
    lonely_psu: LonelyOpt = None,
    level: LevelOpt = 0.95,
    fmt: FormatOpt = "json",
    decimal: DecimalOpt = None,
) -> None:
    """Weighted proportions and means with design-based standard errors, overall and by group.

    The design is R survey's svydesign(ids=~CLUSTER, strata=~STRATA, weights=~WEIGHT,
    nest=TRUE): clusters nested in strata, drawn with replacement. Groups are domains: their
    standard errors use the whole design, as svyby does. Missing answers (and --exclude ones)
    are outside the base. Weights must be numbers >= 0 (rows are named otherwise); a group
    whose weights sum to 0 has no_population true and no estimate.

    One row per estimate: var, value (the answer; null for a mean), by (the grouping columns;
    empty overall), group (their values), prop (a proportion) or mean, se, ci_low and ci_high
    (Wald: estimate -/+ z*se, as R's confint; not clipped), n (records in the base with a
    non-zero weight), count (those choosing the value), weighted_n (the base's sum of
    weights), deff (design effect as svymean(deff=TRUE); null when the weights sum below n,
    see SAFEPATH_ANALYSIS_DEFF), small_n (n below SAFEPATH_ANALYSIS_SMALL_N) and
    no_population. Overall rows come first. CSV joins by and group with "|".
    """
    with _errors():
        fmt = _format(fmt)
        if kind not in KINDS:
            raise InputError(f"--kind {kind!r}: use one of {', '.join(KINDS)}")
        chosen: Kind = next(k for k in KINDS if k == kind)
        variables = [v for text in var for v in _split(text)]
        groups = _split(by)
        settings = get_settings()
        source = _input_or_round(input, round_name)
        design = Design(
            weight=weight,
            strata=strata,
            cluster=cluster,
            lonely_psu=_lonely(lonely_psu),
            row=ROW,
            source=source,
        )
        if input is not None:
            table = _read(input, sheet, [*design.columns(), *groups], variables, decimal)
        else:
            table = _stored_round(source, None)
        rows: list[dict[str, Any]] = []
        for v in variables:
            rows += [
                e.as_dict()
                for e in estimate(
                    table,
                    v,
                    design,
                    by=groups,
                    kind=chosen,
                    exclude=_split(exclude),
                    level=level,
                    small_n=settings.analysis_small_n,
                    deff=settings.analysis_deff,
                )
            ]
    _emit(rows, fmt)


@app.command("pin")
def pin_cmd(
    input: Annotated[
        Path | None, typer.Argument(help="Survey round, raw or already scored.")
    ] = None,
    *,
    round_name: RoundOpt = None,
    model: Annotated[
        str, typer.Option("--model", "-m", help="Shipped model name or a model YAML file.")
    ],
    frame: Annotated[
        Path | None,
        typer.Option("--frame", help="Sample frame with a population column (e.g. loa.xlsx)."),
    ] = None,
    frame_sheet: Annotated[
        str | None,
        typer.Option("--frame-sheet", help="Sheet of the frame (default: sample_frame)."),
    ] = None,
    frame_pop: Annotated[str, typer.Option("--frame-pop", help="Population column.")] = "pop",
    dtm: Annotated[
        Path | None,
        typer.Option("--dtm", help="HXL-tagged DTM table giving the population instead."),
    ] = None,
    dtm_figure: Annotated[
        str, typer.Option("--dtm-figure", help="Hashtag of the figure summed as population.")
    ] = "#affected+idps",
    dtm_key: Annotated[
        str, typer.Option("--dtm-key", help="Hashtag of the P-code the figures are summed by.")
    ] = "#adm1+code",
    dtm_round: Annotated[
        str | None, typer.Option("--dtm-round", help="DTM round (#round+code) to use.")
    ] = None,
    dtm_operation: Annotated[
        str | None,
        typer.Option("--dtm-operation", help="DTM operation (#operation+name) to use."),
    ] = None,
    sheet: SheetOpt = None,
    by: ByOpt = None,
    strata: StrataOpt = None,
    cluster: ClusterOpt = None,
    weight: Annotated[
        str | None, typer.Option("--weight", help="Weight column (default: the model's).")
    ] = None,
    phase: Annotated[
        int | None, typer.Option("--phase", help="In need at phase >= this (default: model's).")
    ] = None,
    household_size: Annotated[
        str | None,
        typer.Option(
            "--household-size",
            help="Household-size column: records are households, the population is people.",
        ),
    ] = None,
    lonely_psu: LonelyOpt = None,
    level: LevelOpt = 0.95,
    fmt: FormatOpt = "json",
    decimal: DecimalOpt = None,
) -> None:
    """People in need in people: the share at phase >= p times each group's population.

    The share is a design-based estimate over the scored records (as `analysis estimate`);
    the population comes from a sample frame (--frame: summed over the --by columns, which the
    frame must have) or a DTM table (--dtm: one figure summed per P-code for one round; --by is
    then the survey column holding those P-codes). With --household-size the share is a share
    of people (weights times household size).

    One row per group (overall first): by, group, phase, share, se, ci_low, ci_high (of the
    share), n, small_n, no_population, population, pin, pin_low and pin_high (the share's
    interval clipped to [0, 1] times the population). A group the population lacks has a null
    population and PiN.
    """
    from safepath.analysis.pin import people_in_need
    from safepath.risk import load_model, score_table

    with _errors():
        fmt = _format(fmt)
        if (frame is None) == (dtm is None):
            raise InputError("give the population with one of --frame or --dtm")
        m = load_model(model)
        source = _input_or_round(input, round_name)
        groups = [m.places.get(g, g) for g in _split(by)]  # a model place name or a column
        design = Design(
            weight=weight or m.weight_field,
            strata=strata,
            cluster=cluster,
            lonely_psu=_lonely(lonely_psu),
            row=ROW,
            source=source,
        )
        population = _population(
            frame,
            frame_sheet,
            frame_pop,
            dtm,
            dtm_figure,
            dtm_key,
            dtm_round,
            dtm_operation,
            groups,
        )
        if input is not None:
            table = _read_for_model(
                input, sheet, m, [*design.columns(), *groups, household_size], decimal
            )
        else:
            table = _stored_round(source, m)
        if "phase" not in table.columns:
            table = score_table(m, table)
        settings = get_settings()
        rows = people_in_need(
            table,
            design,
            population,
            phase=phase or m.area.pin_phase,
            by=groups,
            household_size=household_size,
            level=level,
            small_n=settings.analysis_small_n,
        )
    _emit([r.as_dict() for r in rows], fmt)


def _read_for_model(
    path: Path,
    sheet: str | None,
    model: Any,
    needed: Sequence[str | None],
    decimal: str | None = None,
) -> Any:
    """The columns PiN uses, raw (scored here) or already scored (a ``phase`` column)."""
    from safepath.risk.table import as_table
    from safepath.surveys.tables import (
        first_row,
        group_prefix_renames,
        read_table,
        require_columns,
    )

    must = [c for c in dict.fromkeys(needed) if c]
    frame = read_table(path, sheet=sheet, decimal=decimal)
    first = first_row(frame, path)
    frame.columns = [str(c) for c in frame.columns]
    if "phase" not in frame.columns:
        must += model.record_fields()
    frame = frame.rename(columns=group_prefix_renames(frame.columns, must))
    require_columns(frame.columns, must, source=path.name)
    frame = frame[list(dict.fromkeys([*must, *(["phase"] if "phase" in frame.columns else [])]))]
    frame = frame.copy()
    frame[ROW] = range(first, first + len(frame))
    return as_table(arrow_from_pandas(frame))


def _population(
    frame: Path | None,
    frame_sheet: str | None,
    frame_pop: str,
    dtm: Path | None,
    dtm_figure: str,
    dtm_key: str,
    dtm_round: str | None,
    dtm_operation: str | None,
    groups: list[str],
) -> Any:
    from safepath.analysis import population as pop
    from safepath.surveys.tables import read_table, sheet_names, table_format

    if frame is not None:
        sheet = frame_sheet
        if sheet is None and table_format(frame) == "xlsx" and "sample_frame" in sheet_names(frame):
            sheet = "sample_frame"
        table = read_table(frame, sheet=sheet)
        return pop.from_frame(table, groups, pop_column=frame_pop, source=frame.name)
    assert dtm is not None
    if len(groups) != 1:
        raise InputError(
            "--dtm gives one figure per P-code: group by the one survey column holding them",
            problems=[Problem("--by needs one column with --dtm")],
        )
    return pop.from_dtm(
        read_table(dtm),
        key_tag=dtm_key,
        figure_tag=dtm_figure,
        round=dtm_round,
        operation=dtm_operation,
        source=dtm.name,
    )


RoundsOpt = Annotated[
    list[str] | None,
    typer.Option("--round", help="A stored survey round (give two: earlier, then later)."),
]
FilesArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Two survey files (earlier, then later) instead of --round."),
]
RulesOpt = Annotated[
    str | None, typer.Option("--rules", help="Severity rule set (default: the model's).")
]
RulesFileOpt = Annotated[
    Path | None, typer.Option("--rules-file", help="A severity rule YAML file instead.")
]


def _stored_round(name: str, model: Any | None) -> Any:
    """A stored round's table (personal columns left out) with a row number per record; with a
    model, the household columns it aggregates from repeat rows, checked like `risk score`."""
    import pyarrow as pa

    from safepath.cli.risk import _round_input
    from safepath.risk.table import as_table
    from safepath.rounds.service import load_table
    from safepath.store.db import session_scope

    if model is not None:
        data = _round_input(name, model)
    else:
        with session_scope() as session:
            data = load_table(session, name)
    data = data.append_column(ROW, pa.array(range(1, data.num_rows + 1), pa.int64()))
    return as_table(data)


def _two_rounds(
    files: list[Path] | None, rounds: list[str] | None
) -> list[tuple[str, Path | None]]:
    given = [(str(r), None) for r in rounds or []] + [(p.name, p) for p in files or []]
    if len(given) != 2 or (files and rounds):
        raise InputError(
            "give two rounds to compare: --round A --round B, or two files",
            problems=[Problem(f"{len(given)} round(s) given")],
        )
    return [(name, path) for name, path in given]


def _trend_rows(
    files: list[Path] | None,
    rounds: list[str] | None,
    model: str,
    by: str | None,
    sheet: str | None,
    strata: str | None,
    cluster: str | None,
    weight: str | None,
    phase: int | None,
    rules: str | None,
    rules_file: Path | None,
    frame: Path | None,
    frame_sheet: str | None,
    frame_pop: str,
    lonely_psu: str | None,
    level: float,
    decimal: str | None,
) -> list[dict[str, Any]]:
    from safepath.analysis.trends import TrendRequest, round_trends
    from safepath.cli.risk import _grouping_fields, _parse_by
    from safepath.risk import load_model
    from safepath.risk.severity import load_rule

    m = load_model(model)
    dims = _parse_by(by, m) if by else []
    rule = load_rule(m, rules, file=rules_file)
    population = None
    if frame is not None:
        columns = [m.places.get(g, g) for g in dims]
        population = _population(frame, frame_sheet, frame_pop, None, "", "", None, None, columns)
    request = TrendRequest(
        by=tuple(dims),
        strata=strata,
        cluster=cluster,
        weight=weight,
        lonely_psu=_lonely(lonely_psu),
        phase=phase,
        population=population,
        level=level,
        small_n=get_settings().analysis_small_n,
        row=ROW,
    )
    design_columns = [c for c in (weight or m.weight_field, strata, cluster) if c]
    tables = []
    for name, path in _two_rounds(files, rounds):
        if path is None:
            tables.append((name, _stored_round(name, m)))
        else:
            needed = [*design_columns, *_grouping_fields(m, dims), *m.record_fields()]
            tables.append((name, _read_for_model(path, sheet, m, needed, decimal)))
    from safepath.cli.risk import _sql_cache

    return round_trends(m, tables, request, rule, sql_cache=_sql_cache())


TRENDS_HELP = """
    Each row: by, group, phase, rule and rule_citation (the severity rule giving the area
    phase), round_a and round_b, share_a and share_b (share of the weighted population at phase
    >= --phase), share_change (b - a), change_se (sqrt(se_a^2 + se_b^2): independent rounds),
    change_low and change_high (Wald interval), significant (the interval excludes 0), pin_a,
    pin_b and pin_change (the share times the --frame population, else times the group's sum
    of weights: pin_basis), area_phase_a, area_phase_b, phase_change, phase_reason_b, n_a, n_b
    and small_n (either round below SAFEPATH_ANALYSIS_SMALL_N). Overall first.
"""


@app.command(
    "trends",
    help=f"""The same model on two rounds: the change per area and group.
{TRENDS_HELP}""",
)
def trends_cmd(
    files: FilesArg = None,
    round_names: RoundsOpt = None,
    model: Annotated[str, typer.Option("--model", "-m", help="Shipped model name or YAML.")] = "",
    by: Annotated[
        str | None, typer.Option("--by", help="Model places and dimensions: adm1[,sex].")
    ] = None,
    sheet: SheetOpt = None,
    strata: StrataOpt = None,
    cluster: ClusterOpt = None,
    weight: Annotated[
        str | None, typer.Option("--weight", help="Weight column (default: the model's).")
    ] = None,
    phase: Annotated[
        int | None, typer.Option("--phase", help="In need at phase >= this (default: model's).")
    ] = None,
    rules: RulesOpt = None,
    rules_file: RulesFileOpt = None,
    frame: Annotated[
        Path | None, typer.Option("--frame", help="Sample frame with a population column.")
    ] = None,
    frame_sheet: Annotated[str | None, typer.Option("--frame-sheet")] = None,
    frame_pop: Annotated[str, typer.Option("--frame-pop")] = "pop",
    lonely_psu: LonelyOpt = None,
    level: LevelOpt = 0.95,
    fmt: FormatOpt = "json",
    decimal: DecimalOpt = None,
) -> None:
    with _errors():
        fmt = _format(fmt)
        if not model:
            raise InputError("give --model")
        rows = _trend_rows(
            files,
            round_names,
            model,
            by,
            sheet,
            strata,
            cluster,
            weight,
            phase,
            rules,
            rules_file,
            frame,
            frame_sheet,
            frame_pop,
            lonely_psu,
            level,
            decimal,
        )
    _emit(rows, fmt)


@app.command(
    "alerts",
    help=f"""Early warning: areas whose phase or PiN rose between two rounds.

    An alert is a group whose area phase rose by --phase-rise or more (default:
    SAFEPATH_ANALYSIS_ALERT_PHASE_RISE), or whose PiN rose by more than --pin-rise of the
    earlier PiN (default: SAFEPATH_ANALYSIS_ALERT_PIN_RISE, a fraction). The rows are those of
    `analysis trends` plus alert (the reasons).
{TRENDS_HELP}""",
)
def alerts_cmd(
    files: FilesArg = None,
    round_names: RoundsOpt = None,
    model: Annotated[str, typer.Option("--model", "-m", help="Shipped model name or YAML.")] = "",
    by: Annotated[
        str | None, typer.Option("--by", help="Model places and dimensions: adm1[,sex].")
    ] = "adm1",
    sheet: SheetOpt = None,
    strata: StrataOpt = None,
    cluster: ClusterOpt = None,
    weight: Annotated[str | None, typer.Option("--weight")] = None,
    phase: Annotated[int | None, typer.Option("--phase")] = None,
    rules: RulesOpt = None,
    rules_file: RulesFileOpt = None,
    frame: Annotated[Path | None, typer.Option("--frame")] = None,
    frame_sheet: Annotated[str | None, typer.Option("--frame-sheet")] = None,
    frame_pop: Annotated[str, typer.Option("--frame-pop")] = "pop",
    phase_rise: Annotated[int | None, typer.Option("--phase-rise", min=1, max=4)] = None,
    pin_rise: Annotated[float | None, typer.Option("--pin-rise", min=0.0)] = None,
    lonely_psu: LonelyOpt = None,
    level: LevelOpt = 0.95,
    fmt: FormatOpt = "json",
    decimal: DecimalOpt = None,
) -> None:
    from safepath.analysis.trends import alerts

    with _errors():
        fmt = _format(fmt)
        if not model:
            raise InputError("give --model")
        settings = get_settings()
        rows = _trend_rows(
            files,
            round_names,
            model,
            by,
            sheet,
            strata,
            cluster,
            weight,
            phase,
            rules,
            rules_file,
            frame,
            frame_sheet,
            frame_pop,
            lonely_psu,
            level,
            decimal,
        )
        found = alerts(
            rows,
            phase_rise=phase_rise or settings.analysis_alert_phase_rise,
            pin_rise=settings.analysis_alert_pin_rise if pin_rise is None else pin_rise,
        )
    _emit(found, fmt)
