"""``safepath sdc``: statistical disclosure control of a microdata file (CSV, XLSX, Parquet).

``risk`` reports sdcMicro's risk measures; ``anonymise`` writes a k-anonymous copy (local
suppression, optionally after recoding age to the catalogue's brackets, with PRAM and MDAV
microaggregation of other variables) and reports what it changed. Both read a file, or a stored
survey round (``--round``, without its personal columns); anonymising a round is an export: it
goes through the disclosure policy and is audited (``safepath.rounds.export``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from safepath.cli.common import OutputFormat, nullable_frame
from safepath.errors import InputError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Disclosure control of microdata: risk measures and anonymisation (sdcMicro's methods).",
)
out = Console(highlight=False)

ROW = "_sdc_row"
FileArg = Annotated[Path | None, typer.Argument(help="Microdata file (.csv, .xlsx, .parquet).")]
RoundOpt = Annotated[
    str | None, typer.Option("--round", help="A stored survey round instead of a file.")
]
KeysOpt = Annotated[
    str, typer.Option("--keys", help="Key variables (quasi-identifiers), comma-separated.")
]
WeightOpt = Annotated[
    str | None, typer.Option("--weight", help="Sampling weight column (people per record).")
]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help="Sheet of an XLSX input.")]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="Output format (table, json).")]


def _names(text: str | None) -> list[str]:
    return [n.strip() for n in (text or "").split(",") if n.strip()]


def _read(path: Path, sheet: str | None, needed: list[str]) -> Any:
    from safepath.surveys.tables import read_table

    frame = read_table(path, sheet=sheet, columns=needed)
    if ROW in frame.columns:
        raise InputError(f"{path.name}: the column name {ROW!r} is reserved")
    frame[ROW] = range(len(frame))
    return frame


def _print(payload: dict[str, Any], fmt: OutputFormat, title: str) -> None:
    if fmt is OutputFormat.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        return
    if fmt is OutputFormat.csv:
        raise InputError("--format csv is not available here; use table or json")
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("value")
    for name, value in payload.items():
        if name == "records" and isinstance(value, list):
            continue
        shown = json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)
        table.add_row(name, shown)
    out.print(table)


@app.command("risk")
def risk(
    keys: KeysOpt,
    file: FileArg = None,
    round_name: RoundOpt = None,
    weight: WeightOpt = None,
    household: Annotated[
        str | None, typer.Option("--household", help="Household id column: household risk.")
    ] = None,
    method: Annotated[
        str, typer.Option("--method", help="Individual risk: approx (sdcMicro's default) or exact.")
    ] = "approx",
    qual: Annotated[float, typer.Option("--qual", help="Final correction factor.")] = 1.0,
    sheet: SheetOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """fk, Fk and individual risk per record (input order), global risk, expected
    re-identifications and k-anonymity violations (k = 2, 3, 5). A missing key value matches
    any category, as in sdcMicro."""
    from safepath.privacy.disclosure.payloads import risk_of

    key_list = _names(keys)
    needed = [*key_list, *(c for c in (weight, household) if c)]
    data, source = _source(file, round_name, sheet, needed)
    payload = risk_of(
        data,
        key_list,
        weight,
        method=method,
        qual=qual,
        household=household,
        records=fmt is OutputFormat.json,
        source=source,
    )
    _print(payload, fmt, f"Disclosure risk of {source}")


def _source(
    file: Path | None, round_name: str | None, sheet: str | None, needed: list[str]
) -> tuple[Any, str]:
    """The microdata as Arrow, and a name for messages: a file, or a stored round's table."""
    import pyarrow as pa

    if (file is None) == (round_name is None):
        raise InputError("give either a microdata file or --round")
    if round_name is not None:
        from safepath.rounds.service import load_table
        from safepath.store.db import session_scope

        with session_scope() as session:
            return load_table(session, round_name), f"round {round_name}"
    assert file is not None
    from safepath.privacy.disclosure.tables import arrow_from_pandas
    from safepath.surveys.tables import read_table

    frame = read_table(file, sheet=sheet, columns=needed)
    data: pa.Table = arrow_from_pandas(frame)
    return data, file.name


@app.command("anonymise")
def anonymise(
    keys: KeysOpt,
    out_path: Annotated[
        Path, typer.Option("--out", "-o", help="Anonymised file (.csv, .xlsx, .parquet).")
    ],
    file: FileArg = None,
    round_name: RoundOpt = None,
    k: Annotated[int, typer.Option("--k", help="Every key combination at least k times.")] = 3,
    importance: Annotated[
        str | None,
        typer.Option(
            "--importance",
            help="Key variables most important first (blanked last); default: variables "
            "with more categories are blanked first.",
        ),
    ] = None,
    weight: WeightOpt = None,
    max_risk: Annotated[
        float | None,
        typer.Option("--max-risk", help="Also blank values until no individual risk exceeds it."),
    ] = None,
    age: Annotated[
        str | None,
        typer.Option("--age", help="Age column to recode to the catalogue's age brackets first."),
    ] = None,
    pram_vars: Annotated[
        str | None, typer.Option("--pram", help="Categorical variables to PRAM, comma-separated.")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed for PRAM.")] = None,
    keep: Annotated[
        float, typer.Option("--keep", help="PRAM: probability a value is kept before invariance.")
    ] = 0.8,
    microaggregate: Annotated[
        str | None,
        typer.Option("--microaggregate", help="Numeric variables for MDAV, comma-separated."),
    ] = None,
    sheet: SheetOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Write a k-anonymous copy by local suppression of key values (and report suppressions
    per variable, the risk before and after, and the information loss). With --round, the
    round is exported through the disclosure policy (its key variables plus --keys, k at least
    the policy's; ages recoded to brackets) and the export is audited."""
    if round_name is not None:
        others = {"--weight": weight, "--max-risk": max_risk, "--age": age, "--pram": pram_vars}
        others |= {"--microaggregate": microaggregate, "--sheet": sheet}
        given = [n for n, v in others.items() if v is not None]
        if file is not None or given:
            raise InputError(
                "with --round the disclosure policy anonymises (its weight, age columns and "
                f"risk bound): drop {', '.join(given) or 'the file argument'}"
            )
        _anonymise_round(round_name, _names(keys), out_path, k, _names(importance), fmt)
        return
    if file is None:
        raise InputError("give either a microdata file or --round")
    from safepath.privacy.disclosure import as_table, local_suppression, measure_risk
    from safepath.privacy.disclosure.infoloss import information_loss
    from safepath.privacy.disclosure.mdav import mdav
    from safepath.privacy.disclosure.payloads import figures
    from safepath.privacy.disclosure.pram import pram
    from safepath.privacy.disclosure.recode import recode_age
    from safepath.surveys.tables import table_format, write_table

    key_list = _names(keys)
    pram_list, num_list = _names(pram_vars), _names(microaggregate)
    if pram_list and seed is None:
        raise InputError("--pram needs --seed, so that the result can be reproduced")
    table_format(out_path, write=True)
    if out_path.resolve() == file.resolve():
        raise InputError("--out must not be the input file")
    extra = [c for c in (weight, age) if c]
    needed = list(dict.fromkeys([*key_list, *extra, *pram_list, *num_list]))
    frame = _read(file, sheet, needed)
    table = as_table(frame)
    if age:
        table = recode_age(table, age, source=file.name)
    before = measure_risk(table, key_list, weight, source=file.name)
    safe, sup = local_suppression(
        table,
        key_list,
        k,
        importance=_names(importance) or None,
        weight=weight,
        max_risk=max_risk,
        source=file.name,
    )
    # nullable integers: a blanked value in an integer column stays an integer column
    result = nullable_frame(safe.order_by(ROW).to_pyarrow())
    pram_report: dict[str, int] = {}
    for var in pram_list:
        done = pram(result[var], seed=seed or 0, keep=keep)
        result[var] = done.values.to_numpy()
        pram_report[var] = done.changed
    if num_list:
        agg = mdav(result, num_list, k=max(k, 2))
        for c in num_list:
            result[c] = agg.frame[c].to_numpy()
    result = result.drop(columns=[ROW])
    after = measure_risk(as_table(result), key_list, weight, source=file.name)
    original = frame.drop(columns=[ROW])
    loss = information_loss(original, result, [*key_list, *pram_list, *num_list])
    write_table(result, out_path)
    payload = {
        "out": str(out_path),
        "records": int(len(result)),
        "k": k,
        "importance": list(sup.importance),
        "suppressed": sup.suppressed,
        "suppressed_total": sup.total,
        "pram_changed": pram_report,
        "before": figures(before),
        "after": figures(after),
        "information_loss": loss.as_dict(),
    }
    _print(payload, fmt, f"Anonymised {file.name} → {out_path.name}")


def _anonymise_round(
    name: str, keys: list[str], out_path: Path, k: int, importance: list[str], fmt: OutputFormat
) -> None:

    from safepath.privacy.actor import SYSTEM
    from safepath.rounds.export import export_round
    from safepath.store.db import session_scope
    from safepath.surveys.tables import table_format, write_table

    table_format(out_path, write=True)
    with session_scope() as session:
        result = export_round(
            session, SYSTEM, name, anonymise=True, keys=keys, importance=importance or None, k=k
        )
    data = result.released()  # after the commit: a refusal is audited too
    write_table(nullable_frame(data), out_path)
    _print({"out": str(out_path), **result.report.figures()}, fmt, f"Exported round {name}")
