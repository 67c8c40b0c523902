"""An export read against its form: typed, checked, keyed and linked tables.

``read_export`` maps every header to the form (``headers``), converts each column to the field's
type (integers, decimals, choice names; labels mapped back to names), checks choice lists and the
constraints this package can evaluate, and keys every row: a submission by its UUID (Kobo's
``_uuid``, ``meta/instanceID``, ODK Central's ``KEY``), a repeat row by its submission and
position, linked to its parent (``_submission__uuid`` / ``_parent_index`` / ``PARENT_KEY``).
Kobo's ``_index`` restarts with every export, so it links rows within one file and is never
stored. Each submission gets a fingerprint of its values (repeat rows included) so a later
import can tell new, edited and unchanged submissions apart.

Problems are collected per cell (table, row, column, value, message); a row with a problem is
left out (with its repeat rows), the rest is returned. The work is columnar (Arrow compute) so a
large export is never a Python object per cell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from safepath.errors import InputError, Problem
from safepath.surveys.exports import Export, RawTable, open_export
from safepath.surveys.headers import (
    GEO_TYPES,
    PERSONAL_META,
    Column,
    HeaderMap,
    map_header,
)
from safepath.surveys.values import (
    NUM_TEXT,
    Cells,
    Problems,
    as_text,
    check_constraints,
    convert,
    from_one_hot,
    select_multiple,
)
from safepath.surveys.xlsform import FormDefinition

MAIN = "main"
KEY = "_key"
SUBMISSION = "_submission_key"
PARENT = "_parent_key"
ROW = "_row"  # the row in the export file (for problems found later); not stored
STAMP = "_stamp"
HASH = "_hash"
INTERNAL = (KEY, SUBMISSION, PARENT, STAMP, HASH)

# Field types whose answers identify a person or a place: encrypted or dropped when stored.
PERSONAL_TYPES = {
    "text",
    "phonenumber",
    "deviceid",
    "simserial",
    "subscriberid",
    "username",
    "email",
    "barcode",
    "audit",
    *GEO_TYPES,
}

# progress(table, rows read since the last call, total rows of the export when known)
Progress = Callable[[str, int, int | None], None]


@dataclass
class TableData:
    name: str  # "main" or the repeat's name
    source: str  # sheet or file name in the export
    data: pa.Table  # valid rows: stored columns plus the key columns
    read: int  # data rows in the export
    personal: list[str]  # stored columns holding personal data


@dataclass
class ParsedExport:
    path: Path
    kind: str
    form: FormDefinition
    language: str | None
    encoding: str | None
    tables: dict[str, TableData]
    problems: Problems
    unknown_columns: dict[str, list[str]]

    @property
    def counts(self) -> dict[str, int]:
        return {name: t.data.num_rows for name, t in self.tables.items()}


def personal_columns(
    form: FormDefinition, columns: Iterable[Column], extra: Iterable[str]
) -> list[str]:
    """Stored column names that hold personal data: by field type, platform metadata that
    names a person or device, geopoint parts, and the operation's own list (``extra``)."""
    wanted = set(extra)
    out: list[str] = []
    for c in columns:
        f = form.fields.get(c.field) if c.field else None
        personal = (
            c.kind == "geo"
            or (c.kind == "field" and f is not None and f.type in PERSONAL_TYPES)
            or (c.kind == "meta" and c.meta in PERSONAL_META)
            or c.name in wanted
            or c.header in wanted
        )
        if personal and c.kind != "onehot":
            out.append(c.name)
    return list(dict.fromkeys(out))


# --- tables ------------------------------------------------------------------------------------


def _sheet_repeat(form: FormDefinition, name: str) -> str | None:
    """The repeat a sheet holds (Kobo truncates sheet names to 31 characters)."""
    repeats = [g.name for g in form.repeats]
    if name in repeats:
        return name
    matches = [r for r in repeats if len(name) >= 28 and r.startswith(name[:28])]
    return matches[0] if len(matches) == 1 else None


def _read_table(
    raw: RawTable,
    form: FormDefinition,
    name: str,
    repeat: str | None,
    problems: Problems,
    extra_personal: Iterable[str],
    progress: Progress | None,
    total: int | None = None,
) -> tuple[pa.Table, HeaderMap, list[str], Cells]:
    hmap = map_header(form, name, raw.header, repeat=repeat)
    for p in hmap.problems:
        problems.add(p)
    personal = personal_columns(form, hmap.columns, extra_personal)
    cells = Cells(name, raw.first_row, problems, set(personal))
    stored = [c for c in hmap.columns if c.kind in ("field", "geo", "meta", "unknown")]
    onehots: dict[str, list[Column]] = {}
    for c in hmap.by_kind("onehot"):
        onehots.setdefault(str(c.field), []).append(c)
    chunks: dict[str, list[pa.Array]] = {c.name: [] for c in stored}
    built: dict[str, list[pa.Array]] = {f: [] for f in onehots if f not in chunks}
    offset = 0
    for batch in raw.batches():
        if not batch:
            continue
        length = len(batch[0])
        for c in stored:
            chunks[c.name].append(convert(batch[c.position], c, form, cells, offset, hmap.language))
        for fname in built:
            f = form.fields[fname]
            answer = from_one_hot([(c, batch[c.position]) for c in onehots[fname]], length, f)
            fake = Column(-1, fname, "field", field=fname)
            built[fname].append(select_multiple(answer, f, fake, cells, offset, None))
        offset += length
        if progress is not None:
            progress(name, length, total)
    for p in raw.problems:  # bad bytes, found while the batches were read
        withheld = _personal_header(hmap, p.column, cells.personal)
        problems.add(
            Problem(
                p.message,
                name,
                p.row,
                p.column,
                "(personal data withheld)" if withheld else p.value,
            )
        )
    cells.bad |= raw.bad_rows
    arrays: dict[str, pa.ChunkedArray] = {}
    unknown = {c.name for c in hmap.by_kind("unknown")}
    for cname, parts in {**chunks, **built}.items():
        arrays[cname] = _chunked(parts)
        if cname in unknown:
            arrays[cname] = _numbers_if_all(arrays[cname])
    arrays[ROW] = pa.chunked_array(
        [pa.array(range(raw.first_row, raw.first_row + offset), pa.int64())]
    )
    table = pa.table(arrays) if arrays else pa.table({ROW: pa.array([], pa.int64())})
    check_constraints(table, hmap, form, cells)
    return table, hmap, personal, cells


def _personal_header(hmap: HeaderMap, header: str | None, personal: set[str]) -> bool:
    return any(c.header == header and c.name in personal for c in hmap.columns)


def _numbers_if_all(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """A column the form does not know, as numbers when every value is one (a CSV and an XLSX
    of the same export then store the same values)."""
    if not pa.types.is_string(col.type):
        return col
    values = pc.utf8_trim_whitespace(col)
    numeric = pc.match_substring_regex(values, NUM_TEXT)
    if pc.all(pc.or_kleene(numeric, pc.is_null(values))).as_py() and pc.any(numeric).as_py():
        return values.cast(pa.float64())
    return col


def _chunked(parts: list[pa.Array]) -> pa.ChunkedArray:
    if not parts:
        return pa.chunked_array([], pa.string())
    types = {p.type for p in parts if not pa.types.is_null(p.type)}
    if len(types) > 1:  # an unknown column read as numbers in one batch, text in another
        parts = [as_text(p) for p in parts]
        types = {pa.string()}
    target = types.pop() if types else pa.string()
    return pa.chunked_array([p.cast(target) for p in parts], target)


def _column(table: pa.Table, hmap: HeaderMap, *metas: str) -> pa.ChunkedArray | None:
    c = hmap.meta(*metas)
    if c is not None and c.name in table.column_names:
        return table.column(c.name)
    for m in metas:  # a form field that carries the key (meta/instanceID as a calculate)
        if m in table.column_names and m in {c.name for c in hmap.columns if c.kind == "field"}:
            return table.column(m)
    return None


_SUBMISSION_KEYS = (
    "meta/rootUuid",
    "_uuid",
    "meta/instanceID",
    "instanceID",
    "KEY",
    "meta-instanceID",
)


def _strip_uuid(arr: pa.ChunkedArray) -> pa.Array:
    text = pc.utf8_trim_whitespace(arr.combine_chunks().cast(pa.string()))
    return pc.replace_substring_regex(text, pattern=r"^uuid:", replacement="")


def _key_main(
    table: pa.Table, hmap: HeaderMap, form: FormDefinition, cells: Cells
) -> tuple[pa.Table, dict[str, str]]:
    keys = _column(table, hmap, *_SUBMISSION_KEYS)
    if keys is None:
        raise InputError(
            f"{cells.table}: no submission key column (_uuid, meta/instanceID, or ODK "
            "Central's KEY): rows cannot be matched with a later export",
            problems=[Problem("no submission key column", scope=cells.table, row=1)],
        )
    key = _strip_uuid(keys)
    missing = pc.is_null(pc.if_else(pc.equal(key, ""), None, key))
    cells.flag(
        missing, key, Column(-1, "_uuid", "meta", meta="_uuid"), "submission without a UUID", 0
    )
    counts = pc.value_counts(key)
    dupes = [v["values"] for v in counts.to_pylist() if v["counts"] > 1 and v["values"] is not None]
    if dupes:
        first = pc.index_in(key, value_set=pa.array(dupes))
        rows = pc.indices_nonzero(pc.is_valid(first)).to_pylist()
        seen: set[str] = set()
        dup_mask = [False] * len(key)
        for r in rows:
            v = key[r].as_py()
            if v in seen:
                dup_mask[r] = True
            seen.add(v)
        cells.flag(
            pa.array(dup_mask),
            key,
            Column(-1, "_uuid", "meta", meta="_uuid"),
            "the same submission UUID as an earlier row",
            0,
        )
    table = table.append_column(KEY, key)
    stamp = None
    for f in form.fields.values():
        if f.type == "end" and f.name in table.column_names:
            stamp = table.column(f.name)
            break
    if stamp is None:
        stamp = _column(table, hmap, "_submission_time", "SubmissionDate")
    table = table.append_column(
        STAMP,
        stamp.cast(pa.string()) if stamp is not None else pa.nulls(table.num_rows, pa.string()),
    )
    index = _column(table, hmap, "_index")
    by_index: dict[str, str] = {}
    if index is not None:
        for i, k in zip(as_text(index.combine_chunks()).to_pylist(), key.to_pylist(), strict=True):
            if i is not None and k is not None:
                by_index[str(i)] = k
    return table, by_index


def _key_repeat(
    table: pa.Table,
    hmap: HeaderMap,
    name: str,
    parent_index: dict[str, dict[str, str]],
    main_keys: set[str],
    cells: Cells,
) -> tuple[pa.Table, dict[str, str]]:
    """Submission, parent and own keys of repeat rows (from Kobo or ODK Central columns)."""
    n = table.num_rows
    parent_key = _column(table, hmap, "PARENT_KEY")
    own_key = _column(table, hmap, "KEY")
    submission: list[str | None]
    parent: list[str | None]
    if parent_key is not None:
        parent = _strip_uuid(parent_key).to_pylist()
        submission = [None if p is None else p.split("/", 1)[0] for p in parent]
    else:
        link = _column(table, hmap, "_submission__uuid", "_uuid")
        pindex = _column(table, hmap, "_parent_index")
        ptable = _column(table, hmap, "_parent_table_name")
        ptables = as_text(ptable.combine_chunks()).to_pylist() if ptable is not None else [None] * n
        pidx = as_text(pindex.combine_chunks()).to_pylist() if pindex is not None else [None] * n
        if link is None and pindex is None:
            raise InputError(
                f"{name}: no column links its rows to their submission (_submission__uuid, "
                "_parent_index or PARENT_KEY)",
                problems=[Problem("no link to the submission", scope=name, row=1)],
            )
        linked = _strip_uuid(link).to_pylist() if link is not None else [None] * n
        parent = []
        submission = []
        for i in range(n):
            pt = str(ptables[i]) if ptables[i] and ptables[i] in parent_index else MAIN
            via_index = parent_index.get(pt, {}).get(str(pidx[i])) if pidx[i] is not None else None
            sub = linked[i] or (via_index.split("/", 1)[0] if via_index else None)
            submission.append(sub)
            parent.append(via_index if via_index and pt != MAIN else sub)
    orphan = [s is None or s not in main_keys for s in submission]
    rows = table.column(ROW).to_pylist()
    keys: list[str | None] = []
    if own_key is not None:
        keys = _strip_uuid(own_key).to_pylist()
    else:
        position: dict[str, int] = {}
        for s in submission:
            position[str(s)] = position.get(str(s), 0) + 1
            keys.append(f"{s}/{name}[{position[str(s)]}]")
    for i in range(n):
        if orphan[i]:
            cells.bad.add(i)
            if submission[i] is not None and submission[i] in cells.known_excluded:
                continue
            cells.problems.add(
                Problem(
                    "no submission of the export has this row's UUID / parent index",
                    scope=name,
                    row=rows[i],
                    column=None,
                    value=submission[i],
                )
            )
    table = table.append_column(KEY, pa.array(keys, pa.string()))
    table = table.append_column(SUBMISSION, pa.array(submission, pa.string()))
    table = table.append_column(PARENT, pa.array(parent, pa.string()))
    own_index = _column(table, hmap, "_index")
    by_index: dict[str, str] = {}
    if own_index is not None:
        for i, k in zip(as_text(own_index.combine_chunks()).to_pylist(), keys, strict=True):
            if i is not None and k is not None:
                by_index[str(i)] = k
    return table, by_index


def _drop_rows(table: pa.Table, bad: set[int]) -> pa.Table:
    if not bad:
        return table
    keep = pa.array([i not in bad for i in range(table.num_rows)])
    return table.filter(keep)


_LINK_ONLY = {"_index", "_parent_index", "_parent_table_name", "KEY", "PARENT_KEY"}


def _stored(table: pa.Table, hmap: HeaderMap) -> pa.Table:
    """Without the columns that only link rows within this one file."""
    drop = [c.name for c in hmap.columns if c.kind == "meta" and c.meta in _LINK_ONLY]
    drop.append(ROW)
    return table.drop_columns([d for d in dict.fromkeys(drop) if d in table.column_names])


def fingerprints(main: pa.Table, repeats: Iterable[pa.Table]) -> pa.Array:
    """A fingerprint per submission (in ``main``'s row order) over its stored values and those
    of its repeat rows: equal fingerprints mean an unchanged submission."""
    import duckdb

    con = duckdb.connect()
    try:

        def row_hash(name: str, t: pa.Table, extra: list[str]) -> str:
            cols = [c for c in t.column_names if c not in INTERNAL or c in extra]
            con.register(name, t)
            parts = ", ".join(f"coalesce(CAST({_q(c)} AS VARCHAR), chr(30))" for c in cols) or "''"
            return f"md5(concat_ws(chr(31), {parts}))"

        subqueries = []
        for n, t in enumerate(repeats):
            name = f"r{n}"
            expr = row_hash(name, t, [KEY])
            subqueries.append(f"SELECT {SUBMISSION} AS k, {expr} AS h, {KEY} AS o FROM {name}")
        main_expr = row_hash("m", main, [KEY])
        if subqueries:
            union = " UNION ALL ".join(subqueries)
            sql = (
                f"WITH r AS ({union}), a AS (SELECT k, string_agg(h, ',' ORDER BY o) AS hs "
                f"FROM r GROUP BY k) SELECT md5({main_expr} || coalesce(a.hs, '')) AS h "
                f"FROM (SELECT *, row_number() OVER () AS _n FROM m) m "
                f"LEFT JOIN a ON a.k = m.{KEY} ORDER BY m._n"
            )
        else:
            sql = f"SELECT {main_expr} AS h FROM m"
        result = con.sql(sql).to_arrow_table()
        return result.column("h").combine_chunks()
    finally:
        con.close()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_export(
    form: FormDefinition,
    path: str | Path,
    *,
    encoding: str | None = None,
    personal: Iterable[str] = (),
    progress: Progress | None = None,
) -> ParsedExport:
    """Read ``path`` against ``form``: typed valid rows per table and every problem found.
    Raises InputError only for what makes the whole file unusable (unreadable, names and labels
    mixed, no submission key)."""
    export: Export = open_export(path, encoding=encoding)
    counts = [t.rows for t in export.tables]
    total = sum(c for c in counts if c is not None) if None not in counts else None
    problems = Problems()
    tables: dict[str, TableData] = {}
    parent_index: dict[str, dict[str, str]] = {}
    language: str | None = None
    main_keys: set[str] = set()
    excluded_main: set[str] = set()
    unknown: dict[str, list[str]] = {}
    extra = list(personal)
    seen_repeats: set[str] = set()
    for n, raw in enumerate(export.tables):
        repeat = None if n == 0 else _sheet_repeat(form, raw.name)
        if n > 0 and repeat is None:
            problems.add(
                Problem(
                    f"sheet {raw.name!r} is not a repeat of the form (repeats: "
                    f"{', '.join(g.name for g in form.repeats) or 'none'}); not imported",
                    scope=raw.name,
                )
            )
            continue
        name = MAIN if repeat is None else repeat
        if name in seen_repeats:
            continue
        seen_repeats.add(name)
        table, hmap, personal_cols, cells = _read_table(
            raw, form, name, repeat, problems, extra, progress, total
        )
        if hmap.language:
            language = language or hmap.language
        unknown[name] = [c.header for c in hmap.by_kind("unknown")]
        cells.known_excluded = excluded_main
        read = 0
        if repeat is None:
            table, by_index = _key_main(table, hmap, form, cells)
            read = table.num_rows
            keys = table.column(KEY).to_pylist()
            excluded_main |= {str(keys[i]) for i in cells.bad if keys[i] is not None}
            table = _drop_rows(table, cells.bad)
            main_keys = {k for k in table.column(KEY).to_pylist() if k is not None}
            parent_index[MAIN] = {i: k for i, k in by_index.items() if k in main_keys}
        else:
            table, by_index = _key_repeat(table, hmap, name, parent_index, main_keys, cells)
            read = table.num_rows
            table = _drop_rows(table, cells.bad)
            kept = set(table.column(KEY).to_pylist())
            parent_index[name] = {i: k for i, k in by_index.items() if k in kept}
        tables[name] = TableData(name, raw.name, _stored(table, hmap), read, personal_cols)
    if MAIN not in tables:
        raise InputError(f"{Path(path).name}: no submissions table")
    main = tables[MAIN]
    hashes = fingerprints(main.data, [t.data for k, t in tables.items() if k != MAIN])
    main.data = main.data.append_column(HASH, hashes)
    return ParsedExport(
        Path(path), export.kind, form, language, export.encoding, tables, problems, unknown
    )
