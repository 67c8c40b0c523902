"""Survey exports as raw tables: Kobo XLSX (one sheet per repeat), CSV, ODK Central's CSV zip.

A raw table is a header as written and its cells as Arrow columns (text or numbers, nulls for
empty cells), read in batches so a large export is never a Python list of rows. Nothing here
knows the form: ``safepath.surveys.submissions`` maps headers to fields and checks the values.

CSV: UTF-8 (with or without BOM), UTF-16 (BOM or NUL pattern), cp1252 and latin-1 are told
apart from the bytes (or given); comma, semicolon and tab separators from the header line; an
HXL hashtag row under the header is skipped. A UTF-8 file with a few bad bytes is read, and each
bad cell becomes a problem naming its row and column.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from safepath.errors import InputError, Problem
from safepath.hxl import is_hashtag_row

_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1")


@dataclass
class RawTable:
    """One sheet or CSV file: ``batches()`` yields the cells as one Arrow array per header
    column (``pa.string()``, ``pa.float64()`` or another scalar type; null for empty)."""

    name: str
    header: list[str]
    first_row: int  # spreadsheet row of the first data row (header is row 1; HXL shifts it)
    batches: Callable[[], Iterator[list[pa.Array]]]
    problems: list[Problem]  # cell problems found while reading (bad bytes)
    bad_rows: set[int]  # 0-based data rows with such a problem
    rows: int | None = None  # data rows, when known before reading (for a progress bar)


@dataclass
class Export:
    path: Path
    kind: str  # "xlsx", "csv" or "odk-zip"
    tables: list[RawTable]
    encoding: str | None = None
    separator: str | None = None


def _unreadable(path: Path, exc: BaseException) -> InputError:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return InputError(
        f"cannot read {path.name}: {reason}",
        problems=[Problem(f"unreadable file: {reason}", scope=path.name)],
    )


def open_export(path: str | Path, *, encoding: str | None = None) -> Export:
    """The raw tables of an export file (InputError naming the file when it cannot be read)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"export not found: {path}", problems=[Problem("file not found", scope=str(path))]
        )
    suffix = path.suffix.lower()
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise InputError(
                f"--encoding {encoding!r} is not an encoding Python knows",
                problems=[Problem("unknown encoding", value=encoding)],
            ) from None
    if suffix in (".xlsx", ".xlsm"):
        return Export(path, "xlsx", _xlsx_tables(path))
    if suffix == ".zip":
        return _odk_zip(path, encoding)
    if suffix in (".csv", ".tsv", ".txt"):
        data = path.read_bytes()
        table, enc, sep = _csv_table(path.name, data, encoding)
        return Export(path, "csv", [table], enc, sep)
    raise InputError(
        f"{path.name}: not a survey export (use .xlsx, .csv or ODK Central's .zip)",
        problems=[Problem(f"unknown extension {suffix!r}", scope=path.name)],
    )


# --- XLSX ------------------------------------------------------------------------------------


def _xlsx_tables(path: Path) -> list[RawTable]:
    from safepath.surveys import xlsx

    try:
        with zipfile.ZipFile(path) as zf:
            book = xlsx.open_book(zf)
            heads = []
            for name, member in book.sheets:
                # the first rows (256 kB of XML): the header and a possible HXL row
                first = next(xlsx.xml_pieces(zf, member, 1, block=256 * 1024), None)
                start, rows = xlsx.parse_rows(book, first) if first else (None, [])
                heads.append((name, member, start, rows[:2], xlsx.last_row(zf, member)))
    except Exception as exc:  # zipfile, XML and calamine raise several types when damaged
        raise _unreadable(path, exc) from exc
    tables: list[RawTable] = []
    for name, member, start, rows, last_row in heads:
        if start is None or not rows or all(_blank(c) for c in rows[0]):
            continue
        header = [_header_text(c) for c in rows[0]]
        hxl = len(rows) > 1 and _is_hxl([_header_text(c) for c in rows[1]])
        skip = 2 if hxl else 1
        first_data = start[0] + skip  # 0-based sheet row of the first data row

        batches = functools.partial(
            _sheet_batches, path, book, member, start[1], len(header), first_data
        )
        rows_known = last_row - first_data if last_row and last_row > first_data else None
        tables.append(RawTable(name, header, start[0] + skip + 1, batches, [], set(), rows_known))
    if not tables:
        raise InputError(
            f"{path.name}: no sheet has a header row",
            problems=[Problem("empty workbook", scope=path.name)],
        )
    return tables


def _sheet_batches(
    path: Path, book: Any, member: str, col0: int, width: int, row: int
) -> Iterator[list[pa.Array]]:
    """A sheet's data rows from ``row`` (0-based) on, one batch per piece (``xlsx.pieces``)."""
    from safepath.surveys import xlsx

    try:
        for piece in xlsx.pieces(str(path), book, member, col0, width, row):
            if not piece.rows:  # no cells, or only the header rows
                continue
            cols = piece.columns
            if piece.start > row:  # empty rows between two pieces: empty here too
                gap = piece.start - row
                cols = [pa.concat_arrays([pa.nulls(gap, c.type), c]) for c in cols]
            yield cols
            row = piece.start + piece.rows
    except xlsx.PieceError as exc:
        raise _unreadable(path, exc) from exc


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _header_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _is_hxl(cells: list[str]) -> bool:
    return is_hashtag_row(cells)  # the one rule every table reader uses (safepath.hxl)


def columns_of(rows: list[list[Any]], width: int) -> list[pa.Array]:
    """Row lists (calamine cells: str, float, int, bool, date, datetime; '' when empty) as one
    Arrow array per column."""
    if not rows:
        return []
    if any(len(r) != width for r in rows):
        rows = [(list(r) + [""] * width)[:width] for r in rows]
    return [_array(col) for col in zip(*rows, strict=True)]


def _array(values: tuple[Any, ...]) -> pa.Array:
    """One column: text or numbers (or dates), nulls for empty cells; text when mixed."""
    cells: Any = [None if v == "" else v for v in values] if "" in values else values
    try:
        arr = pa.array(cells)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # a column mixing numbers and text (or dates): text, as a spreadsheet shows it
        return pa.array([None if v is None else cell_text(v) for v in cells], pa.string())
    # all empty: of no type, so the batches around it say what the column holds
    return pa.nulls(len(arr)) if arr.null_count == len(arr) else arr


def cell_text(v: Any) -> str:
    """A cell as text: whole floats without ``.0`` (Excel stores every number as a float)."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, bool):
        return "true" if v else "false"
    if hasattr(v, "isoformat"):
        return str(v.isoformat())
    return str(v)


# --- CSV -------------------------------------------------------------------------------------


def detect_encoding(data: bytes) -> tuple[str, bool]:
    """``(encoding, broken)``: broken is UTF-8 text with some bytes that are not UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        enc = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", False
    else:
        head = data[:4096]
        if len(head) >= 4 and head[1::2].count(0) > len(head) // 4:
            return "utf-16-le", False
        if len(head) >= 4 and head[0::2].count(0) > len(head) // 4:
            return "utf-16-be", False
        enc = "utf-8"
    try:
        data.decode(enc)
        return enc, False
    except UnicodeDecodeError:
        pass
    if _UTF8_MULTIBYTE.search(data) and enc.startswith("utf-8"):
        return enc, True  # UTF-8 text with damaged bytes: read it and name the bad cells
    try:
        data.decode("cp1252")
        return "cp1252", False
    except UnicodeDecodeError:
        return "latin-1", False


def _separator(header_line: str) -> str:
    counts = dict.fromkeys((",", ";", "\t"), 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def _csv_table(name: str, data: bytes, encoding: str | None) -> tuple[RawTable, str, str]:
    broken = False
    if encoding is None:
        encoding, broken = detect_encoding(data)
    else:
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            broken = True
    text_head = data[:65536].decode(encoding, errors="replace").lstrip("\ufeff")
    first_line = text_head.split("\n", 1)[0]
    sep = _separator(first_line)
    head_rows = list(csv.reader(io.StringIO(text_head), delimiter=sep))
    if not head_rows or not any(c.strip() for c in head_rows[0]):
        raise InputError(
            f"{name}: no header row", problems=[Problem("empty file", scope=name, row=1)]
        )
    header = [c.strip() for c in head_rows[0]]
    hxl = len(head_rows) > 1 and _is_hxl([c.strip() for c in head_rows[1]])
    skip = 2 if hxl else 1
    problems: list[Problem] = []
    bad_rows: set[int] = set()
    width = len(header)
    names = [f"c{i}" for i in range(width)]
    first_row = skip + 1

    def batches() -> Iterator[list[pa.Array]]:
        import pyarrow.csv as pcsv

        utf8 = encoding in ("utf-8", "utf-8-sig") and not broken
        source: Any = data
        if not utf8 and not broken:
            source = data.decode(encoding).encode("utf-8")
        # The header rows are read as data and dropped: a label header can hold quoted line
        # breaks, which pyarrow's skip_rows would count as rows.
        read = pcsv.ReadOptions(column_names=names, block_size=16 << 20, encoding="utf8")
        parse = pcsv.ParseOptions(delimiter=sep, newlines_in_values=True)
        kind = pa.binary() if broken else pa.string()
        convert = pcsv.ConvertOptions(
            column_types=dict.fromkeys(names, kind),
            strings_can_be_null=True,
            null_values=[""],
            quoted_strings_can_be_null=True,
        )
        try:
            reader = pcsv.open_csv(
                pa.BufferReader(source),
                read_options=read,
                parse_options=parse,
                convert_options=convert,
            )
        except pa.ArrowInvalid as exc:
            raise _csv_error(name, exc) from exc
        offset = 0
        to_skip = skip
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except pa.ArrowInvalid as exc:
                raise _csv_error(name, exc) from exc
            if to_skip:
                dropped = min(to_skip, batch.num_rows)
                batch, to_skip = batch.slice(dropped), to_skip - dropped
                if not batch.num_rows:
                    continue
            cols = list(batch.columns)
            if broken:
                cols = [
                    _decode(c, encoding, name, header[i], offset, first_row, problems, bad_rows)
                    for i, c in enumerate(cols)
                ]
            offset += batch.num_rows
            yield cols

    # physical lines (a quoted line break counts twice): a progress estimate; not for UTF-16
    lines: int | None = max(data.count(b"\n") + (0 if data.endswith(b"\n") else 1) - skip, 0)
    if encoding.startswith("utf-16"):
        lines = None
    table = RawTable(name, header, first_row, batches, problems, bad_rows, lines)
    return table, encoding, sep


def _csv_error(name: str, exc: BaseException) -> InputError:
    text = str(exc).strip().splitlines()[0]
    return InputError(
        f"{name}: not a readable CSV: {text}",
        problems=[Problem(f"not a readable CSV: {text}", scope=name)],
    )


def _decode(
    column: pa.Array,
    encoding: str,
    table: str,
    header: str,
    offset: int,
    first_row: int,
    problems: list[Problem],
    bad_rows: set[int],
) -> pa.Array:
    """A binary column as text; each cell that is not ``encoding`` is a problem (row, column)."""
    codec = "utf-8" if encoding.startswith("utf-8") else encoding
    try:
        if codec == "utf-8":
            text = column.cast(pa.string())
            text.validate(full=True)  # the cast itself does not check the bytes
            return text
        return pa.array(
            [None if v is None else v.decode(codec) for v in column.to_pylist()], pa.string()
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        pass
    out: list[str | None] = []
    for i, v in enumerate(column.to_pylist()):
        if v is None:
            out.append(None)
            continue
        try:
            out.append(v.decode(codec))
        except UnicodeDecodeError:
            text = v.decode(codec, errors="replace")
            bad_rows.add(offset + i)
            problems.append(
                Problem(
                    f"not {codec} text (a byte the encoding does not have); save the file as "
                    "UTF-8 or give --encoding",
                    scope=table,
                    row=first_row + offset + i,
                    column=header,
                    value=text,
                )
            )
            out.append(text)
    return pa.array(out, pa.string())


# --- ODK Central ---------------------------------------------------------------------------


def _odk_zip(path: Path, encoding: str | None) -> Export:
    try:
        archive = zipfile.ZipFile(path)
        members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
        files = {m: archive.read(m) for m in members}
    except (zipfile.BadZipFile, OSError) as exc:
        raise _unreadable(path, exc) from exc
    if not files:
        raise InputError(
            f"{path.name}: the zip holds no CSV file",
            problems=[Problem("no CSV in the zip", scope=path.name)],
        )
    tables: list[RawTable] = []
    used_encoding = separator = None
    for member in sorted(files, key=lambda m: (m.count("/"), len(m), m)):
        stem = Path(member).stem
        table, enc, sep = _csv_table(stem, files[member], encoding)
        used_encoding, separator = used_encoding or enc, separator or sep
        tables.append(table)
    roots = [t for t in tables if "KEY" in t.header and "PARENT_KEY" not in t.header]
    if len(roots) != 1:
        raise InputError(
            f"{path.name}: expected one root CSV with KEY and no PARENT_KEY, found {len(roots)}",
            problems=[Problem("no single root table", scope=path.name)],
        )
    root = roots[0]
    ordered = [root, *(t for t in tables if t is not root)]
    for t in ordered[1:]:
        if t.name.startswith(root.name + "-"):
            t.name = t.name[len(root.name) + 1 :]
    return Export(path, "odk-zip", ordered, used_encoding, separator)
