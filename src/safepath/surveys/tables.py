"""Survey tables in and out: CSV, XLSX (one sheet of a Kobo/ODK export) and Parquet.

Reading raises ``InputError`` naming the file (and sheet or column) instead of a library
traceback. An HXL hashtag row under the header (DTM and HDX tables) is recognised and kept out
of the records: the frame's ``attrs["hxl"]`` maps each column to its hashtag and
``attrs["first_row"]`` is the file row of the first record (``first_row(frame)``). Decimal
commas (``0,5``) are read as numbers when the file says so (see ``read_table``). Writing is
atomic: data go to a temporary file in the destination directory that is renamed over the
destination only once complete, so a failed run leaves no partial output.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from safepath.cells import NUMBER_PATTERN, UNSAFE_PATTERN, neutralise
from safepath.errors import InputError, Problem
from safepath.hxl import is_hashtag_row

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

READ_FORMATS = {
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
}
WRITE_FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".pq": "parquet"}


def table_format(path: str | Path, *, write: bool = False) -> str:
    """``csv``, ``xlsx`` or ``parquet`` from the file extension (InputError otherwise)."""
    formats = WRITE_FORMATS if write else READ_FORMATS
    suffix = Path(path).suffix.lower()
    if suffix not in formats:
        known = ", ".join(sorted(formats))
        raise InputError(
            f"{Path(path).name}: unknown file type {suffix or '(none)'!r}; use one of {known}",
            problems=[Problem(f"unknown extension {suffix!r}", scope=str(path))],
        )
    return formats[suffix]


def sheet_names(path: str | Path) -> list[str]:
    try:
        with pd.ExcelFile(path, engine="openpyxl") as book:
            return [str(s) for s in book.sheet_names]
    except Exception as exc:  # openpyxl/zipfile raise many types for a damaged workbook
        raise _unreadable(path, exc) from exc


def _unreadable(path: str | Path, exc: BaseException) -> InputError:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return InputError(
        f"cannot read {Path(path).name}: {reason}",
        problems=[Problem(f"unreadable file: {reason}", scope=str(path))],
    )


def choose_sheet(path: str | Path, sheet: str | None) -> str:
    """The sheet to read: ``sheet`` if the workbook has it, or its only sheet."""
    names = sheet_names(path)
    listing = ", ".join(repr(n) for n in names)
    if sheet is None:
        if len(names) == 1:
            return names[0]
        raise InputError(
            f"{Path(path).name} has {len(names)} sheets ({listing}); choose one with --sheet",
            problems=[Problem(f"several sheets: {listing}", scope=str(path))],
        )
    if sheet not in names:
        raise InputError(
            f"{Path(path).name} has no sheet {sheet!r}; sheets: {listing}",
            problems=[Problem(f"no sheet {sheet!r}; sheets: {listing}", scope=str(path))],
        )
    return sheet


def _csv_separator(path: Path) -> str:
    # Kobo writes ';'-separated CSV in some locales; look at the header line only.
    with path.open(encoding="utf-8-sig", errors="replace") as fh:
        header = fh.readline()
    return ";" if header.count(";") > header.count(",") else ","


DECIMALS = (".", ",")
# a number written with a decimal comma (and no other separator): 0,5  -1,25  3
_COMMA_NUMBER = re.compile(r"^\s*[+-]?[0-9]+(,[0-9]+)?\s*$")


def first_row(frame: pd.DataFrame, path: str | Path | None = None) -> int:
    """The file row of the frame's first record: 2 under a header, 3 under a header and an HXL
    hashtag row, 1 in Parquet (no header line)."""
    if "first_row" in frame.attrs:
        return int(frame.attrs["first_row"])
    return 1 if path is not None and table_format(path) == "parquet" else 2


def _check_decimal(decimal: str | None) -> None:
    if decimal is not None and decimal not in DECIMALS:
        raise InputError(
            f"--decimal {decimal!r}: use . or ,",
            problems=[Problem(f"unknown decimal mark {decimal!r}", scope="--decimal")],
        )


def _csv_head(path: Path, sep: str, lines: int = 2) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=sep)
        return [row for _, row in zip(range(lines), reader, strict=False)]


def read_table(
    path: str | Path,
    *,
    sheet: str | None = None,
    columns: Iterable[str] | None = None,
    decimal: str | None = None,
) -> pd.DataFrame:
    """Read a CSV, XLSX (``sheet``) or Parquet file into pandas; ``columns`` must be present.

    ``decimal`` is the decimal mark of numbers written as text: ``,`` reads a text column whose
    every value is a number written with a decimal comma (``0,5``) as numbers; ``.`` never
    does; None (the default) does it in a semicolon-separated CSV only, the layout spreadsheet
    programs write where the comma is the decimal mark. A column mixing ``0,5`` and ``0.5``
    stays text (the checks then refuse it, naming rows)."""
    path = Path(path)
    _check_decimal(decimal)
    fmt = table_format(path)
    if not path.is_file():
        raise InputError(
            f"input file not found: {path}", problems=[Problem("file not found", scope=str(path))]
        )
    if fmt == "xlsx":
        chosen = choose_sheet(path, sheet)
    elif sheet is not None:
        raise InputError(
            f"--sheet only applies to XLSX files, not {path.name}",
            problems=[Problem("sheet given for a non-XLSX file", scope=str(path))],
        )
    if columns is not None:
        columns = list(columns)
        refuse_duplicates(_header(path, fmt, chosen if fmt == "xlsx" else None), columns, path)
    hashtags: list[str] | None = None
    sep = ","
    try:
        if fmt == "csv":
            sep = _csv_separator(path)
            head = _csv_head(path, sep)
            if len(head) > 1 and is_hashtag_row(head[1]):
                hashtags = [c.strip() for c in head[1]]
            frame = pd.read_csv(
                path,
                sep=sep,
                encoding="utf-8-sig",
                low_memory=False,
                skiprows=[1] if hashtags is not None else None,
            )
        elif fmt == "xlsx":
            # A full (not read-only) load: Kobo workbooks can carry wrong stored dimensions.
            frame = pd.read_excel(path, sheet_name=chosen, engine="openpyxl")
        else:
            frame = pd.read_parquet(path)
    except InputError:
        raise
    except UnicodeDecodeError as exc:
        raise not_utf8(path) from exc
    except Exception as exc:  # parsers raise many types for a damaged file
        raise _unreadable(path, exc) from exc
    if hashtags is None and fmt != "csv" and len(frame):
        top = ["" if v is None or v != v else str(v) for v in frame.iloc[0].tolist()]
        if is_hashtag_row(top):
            hashtags = top
            frame = frame.iloc[1:].reset_index(drop=True).infer_objects()
    if decimal == "," or (decimal is None and fmt == "csv" and sep == ";"):
        frame = decimal_commas(frame)
    if columns is not None:
        frame = frame.rename(columns=group_prefix_renames(frame.columns, columns))
        require_columns(frame.columns, columns, source=path.name)
    if hashtags is not None:
        frame.attrs["hxl"] = {
            str(c): h for c, h in zip(frame.columns, hashtags, strict=False) if h.startswith("#")
        }
        frame.attrs["first_row"] = 3
    else:
        frame.attrs["first_row"] = 1 if fmt == "parquet" else 2
    return frame


def decimal_commas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns whose every value is a number written with a decimal comma, as numbers."""
    out = frame
    for col in frame.columns:
        column = frame[col]
        if not (column.dtype == object or pd.api.types.is_string_dtype(column.dtype)):
            continue
        present = [v for v in column.tolist() if not (v is None or v != v or v == "")]
        texts = [v for v in present if isinstance(v, str)]
        numbers = all(
            _COMMA_NUMBER.match(v)
            if isinstance(v, str)
            else isinstance(v, int | float) and not isinstance(v, bool)
            for v in present
        )
        if not texts or not numbers or not any("," in v for v in texts):
            continue
        if out is frame:
            out = frame.copy()
        out[col] = [
            None
            if v is None or v != v or v == ""
            else float(v.replace(",", "."))
            if isinstance(v, str)
            else float(v)
            for v in column.tolist()
        ]
        out[col] = out[col].astype("float64")
    out.attrs = dict(frame.attrs)
    return out


def not_utf8(path: Path) -> InputError:
    """The first place the file stops being UTF-8, as row (line) and column; the decoders name
    a byte offset in a buffer, which nobody can find in a spreadsheet."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    line, partial = 1, ""
    sep = _csv_separator(path)
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.readline(1 << 20), b""):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                before = partial + chunk[: exc.start].decode("utf-8", errors="replace")
                column = len(next(csv.reader([before], delimiter=sep), [""]))
                return InputError(
                    f"{path.name}: row {line}, column {column}: not UTF-8 text; save the file "
                    "as UTF-8 (CSV UTF-8 in a spreadsheet program)",
                    problems=[
                        Problem("not UTF-8 text", scope=path.name, row=line, column=str(column))
                    ],
                )
            if text.endswith("\n"):
                line, partial = line + 1, ""
            else:
                partial += text
    return InputError(
        f"{path.name}: not UTF-8 text",
        problems=[Problem("not UTF-8 text", scope=path.name)],
    )


def _header(path: Path, fmt: str, sheet: str | None) -> list[str]:
    """The column names as written in the file (pandas renames a repeated one ``name.1``)."""

    try:
        if fmt == "csv":
            with path.open(encoding="utf-8-sig", newline="") as fh:
                return [c.strip() for c in next(csv.reader(fh, delimiter=_csv_separator(path)), [])]
        if fmt == "xlsx":
            head = pd.read_excel(
                path, sheet_name=sheet or 0, engine="openpyxl", header=None, nrows=1
            )
            return [str(c) for c in head.iloc[0].tolist()] if len(head) else []
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    except UnicodeDecodeError as exc:
        raise not_utf8(path) from exc
    except Exception as exc:  # parsers raise many types for a damaged file
        raise _unreadable(path, exc) from exc


def refuse_duplicates(header: Iterable[Any], needed: Iterable[str], path: str | Path) -> None:
    """InputError when a column the model reads appears twice: which one is meant is unknown
    (pandas would silently read the first and rename the second)."""
    names = [str(c) for c in header]
    wanted = set(needed)
    wanted |= {c for c in names if "/" in c and c.rsplit("/", 1)[1] in wanted}
    problems = []
    for name in dict.fromkeys(n for n in names if n in wanted):
        places = [i + 1 for i, n in enumerate(names) if n == name]
        if len(places) > 1:
            where = ", ".join(str(p) for p in places)
            problems.append(
                Problem(
                    f"duplicate column (columns {where})",
                    scope=Path(path).name,
                    row=1,
                    column=name,
                )
            )
    if problems:
        raise InputError(
            f"{Path(path).name}: {len(problems)} column(s) the model reads appear more than "
            f"once: {', '.join(str(p.column) for p in problems)}",
            problems=problems,
        )


def group_prefix_renames(available: Iterable[Any], needed: Iterable[str]) -> dict[str, str]:
    """Renames for Kobo/ODK exports that keep group paths in headers (``screening/resp_age``):
    a needed field that is not a column, but is the last path segment of exactly one column."""
    have = [str(c) for c in available]
    present = set(have)
    renames: dict[str, str] = {}
    for name in dict.fromkeys(needed):
        if name in present:
            continue
        candidates = [c for c in have if "/" in c and c.rsplit("/", 1)[1] == name]
        if len(candidates) == 1:
            renames[candidates[0]] = name
    return renames


def require_columns(available: Iterable[Any], needed: Iterable[str], *, source: str) -> None:
    """InputError listing every needed column the table lacks."""
    have = {str(c) for c in available}
    missing = [c for c in dict.fromkeys(needed) if c not in have]
    if missing:
        raise InputError(
            f"{source} lacks {len(missing)} column(s) the model needs: {', '.join(missing)}",
            problems=[Problem("missing column", scope=source, column=c) for c in missing],
        )


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it over ``path`` only on success."""
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError(
            f"output directory does not exist: {path.parent}",
            problems=[Problem("no such directory", scope=str(path))],
        )
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".part" + path.suffix, dir=path.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_table(data: pd.DataFrame | ir.Table | pa.Table, path: str | Path) -> Path:
    """Write a pandas frame, Arrow table or Ibis table by extension, atomically."""
    path = Path(path)
    fmt = table_format(path, write=True)
    with atomic_output(path) as tmp:
        if isinstance(data, pd.DataFrame):
            _write_pandas(data, tmp, fmt)
        elif hasattr(data, "to_pyarrow_batches"):  # an Ibis table: let the backend stream it
            if fmt == "parquet":
                data.to_parquet(tmp, row_group_size=122_880)
            elif fmt == "csv":
                _safe_ibis(data).to_csv(tmp)
            else:
                _write_pandas(data.to_pyarrow().to_pandas(), tmp, fmt)
        else:
            _write_pandas(data.to_pandas(), tmp, fmt)
    return path


def _safe_ibis(table: ir.Table) -> ir.Table:
    """Spreadsheet-safe text columns, computed by the backend while it streams (see cells)."""
    import ibis

    out = {}
    for name, dtype in table.schema().items():
        col = table[name]
        if dtype.is_string():
            risky = col.re_search(UNSAFE_PATTERN) & ~col.re_search(NUMBER_PATTERN)
            out[name] = ibis.ifelse(risky, ibis.literal("'") + col, col)
        else:
            out[name] = col
    return table.select(**out)


def _safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    text = [
        c
        for c in frame.columns
        if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])
    ]
    if not text:
        return frame
    safe = frame.copy()
    for c in text:
        safe[c] = safe[c].map(neutralise)
    return safe


def _write_pandas(frame: pd.DataFrame, tmp: Path, fmt: str) -> None:
    if fmt != "parquet":  # parquet is data, not a spreadsheet: kept byte-exact
        frame = _safe_frame(frame)
    if fmt == "csv":
        frame.to_csv(tmp, index=False)
    elif fmt == "parquet":
        frame.to_parquet(tmp, index=False, row_group_size=122_880)
    else:
        if len(frame) > 1_048_575:
            raise InputError(
                f"{len(frame)} rows do not fit in one XLSX sheet; write CSV or Parquet",
                problems=[Problem("too many rows for XLSX")],
            )
        frame.to_excel(tmp, index=False, engine="openpyxl")
