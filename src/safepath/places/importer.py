"""Import an HXL-tagged place-code table into the place hierarchy, in one transaction.

Two layouts are read:
- long (one row per place, as the global P-code table): ``#country+code``, ``#adm+code``,
  ``#adm+name``, ``#adm+code+parent``, ``#geo+admin_level`` (or ``#adm+level``), optional
  ``#date+start``;
- wide (one row per lowest place, as DTM tables): ``#country+code`` and ``#admN+code`` /
  ``#admN+name`` for N = 1..4.
Countries (level 0) come from ``#country+code``. Every problem is collected with its row (the line
in the file) and column before anything is written; a re-run with the same file changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from threading import Lock

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from safepath.errors import InputError, Problem, ProblemCollector
from safepath.hxl import HashtagSpec, find_column, find_columns, hashtag_row_index
from safepath.store.models import Place

Progress = Callable[[int], None]


@dataclass(frozen=True)
class PlaceRow:
    pcode: str
    level: int
    country: str
    parent_pcode: str | None
    name: str
    valid_from: date | None
    row: int


@dataclass(frozen=True)
class KeptPlace:
    """A place another source holds with other values: kept as it is, and what would change."""

    pcode: str
    source: str
    row: int
    changes: tuple[tuple[str, str, str], ...]  # (field, stored value, value in this file)

    def describe(self) -> str:
        diff = "; ".join(f"{f} {old!r} -> {new!r}" for f, old, new in self.changes)
        return f"{self.pcode} (row {self.row}, from {self.source}): {diff}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    countries_created: int = 0
    by_level: dict[int, int] = field(default_factory=dict)
    kept: list[KeptPlace] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.countries_created)

    @property
    def places(self) -> int:
        """Admin places (level 1 and below) in the file."""
        return self.created + self.updated + self.unchanged + len(self.kept)

    def kept_by_source(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for k in self.kept:
            counts[k.source] = counts.get(k.source, 0) + 1
        return dict(sorted(counts.items()))


# A cell longer than this is refused (named by row and column) rather than read: no P-code,
# name or date comes near it. It is the csv module's own default limit, which otherwise ends
# the import with a bare ``_csv.Error`` traceback.
MAX_FIELD_CHARS = 131_072
_csv_limit = Lock()  # ``csv.field_size_limit`` is process-wide


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        before = raw[line_start : exc.start].decode("utf-8", errors="replace")
        column = len(next(csv.reader([before]), [""]))
        raise InputError(
            f"{path.name}: row {line}, column {column}: not UTF-8 text; save the file as UTF-8",
            problems=[Problem("not UTF-8 text", scope=path.name, row=line, column=str(column))],
        ) from exc


def _read_rows(path: Path) -> list[list[str]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from exc
    text = _decode(path, raw)
    try:
        with _csv_limit:
            old = csv.field_size_limit(max(len(text) + 1, MAX_FIELD_CHARS))
            try:
                rows = list(csv.reader(io.StringIO(text)))
            finally:
                csv.field_size_limit(old)
    except csv.Error as exc:
        raise InputError(
            f"{path.name}: not a readable CSV file ({exc})",
            problems=[Problem(f"unreadable CSV: {exc}", scope=path.name)],
        ) from exc
    problems = ProblemCollector(scope=path.name)
    header = rows[0] if rows else []
    for index, row in enumerate(rows):
        for col, cell in enumerate(row):
            if len(cell) > MAX_FIELD_CHARS:
                label = header[col].strip() if col < len(header) and index else ""
                problems.add(
                    f"a field of {len(cell):,} characters (at most {MAX_FIELD_CHARS:,})",
                    row=index + 1,
                    column=f"{label} (column {col + 1})" if label else f"column {col + 1}",
                )
    problems.raise_if_any(f"{path.name}: cannot import places")
    return rows


def _refuse_duplicates(
    scope: str,
    tags: list[HashtagSpec | None],
    tag_line: int,
    name_of: Callable[[int], str],
    wanted: list[tuple[str, frozenset[str]]],
) -> None:
    """A hashtag the importer reads that tags two columns is ambiguous: refuse it (naming both)
    rather than silently take the first."""
    problems = ProblemCollector(scope=scope)
    for spec, exclude in wanted:
        cols = find_columns(tags, spec, exclude=exclude)
        for col in cols[1:]:
            problems.add(
                f"duplicate HXL column {spec} (also column {cols[0] + 1}, {name_of(cols[0])})",
                row=tag_line,
                column=f"{name_of(col)} (column {col + 1})",
            )
    problems.raise_if_any(f"{scope}: cannot import places")


def read_place_table(path: Path) -> list[PlaceRow]:
    rows = _read_rows(path)
    scope = path.name
    tag_index = hashtag_row_index(rows)
    if tag_index is None:
        raise InputError(
            f"{scope}: no HXL hashtag row found in the first lines "
            "(expected e.g. #country+code, #adm+code, #adm+name)",
            problems=[Problem("no HXL hashtag row", scope=scope, row=1)],
        )
    header = rows[tag_index - 1] if tag_index > 0 else rows[tag_index]
    tags = [HashtagSpec.parse(c) for c in rows[tag_index]]
    first_data_line = tag_index + 2  # 1-based line number of the first data row

    def name_of(col: int) -> str:
        label = header[col].strip() if col < len(header) else ""
        return f"{label} ({tags[col]})" if label and label != str(tags[col]) else str(tags[col])

    tag_line = tag_index + 1
    reads: list[tuple[str, frozenset[str]]] = [("#country+code", frozenset())]
    parent, origin = frozenset({"parent"}), frozenset({"origin"})
    if find_column(tags, "#adm+code") is not None:
        reads += [
            ("#adm+code", parent),
            ("#adm+name", parent),
            ("#adm+code+parent", frozenset()),
            ("#geo+admin_level", frozenset()),
            ("#adm+level", frozenset()),
            ("#date+start", frozenset()),
        ]
    else:
        reads += [(f"#adm{n}+{k}", origin) for n in range(1, 5) for k in ("code", "name")]
        reads.append(("#date+start", frozenset()))
    _refuse_duplicates(scope, tags, tag_line, name_of, reads)
    country_col = find_column(tags, "#country+code")
    if country_col is None:
        raise InputError(
            f"{scope}: missing the HXL column #country+code",
            problems=[Problem("missing HXL column #country+code", scope=scope, row=tag_index + 1)],
        )
    data = rows[tag_index + 1 :]
    if find_column(tags, "#adm+code") is not None:
        return _read_long(scope, tags, data, first_data_line, country_col, name_of)
    if find_column(tags, "#adm1+code") is not None:
        return _read_wide(scope, tags, data, first_data_line, country_col, name_of)
    raise InputError(
        f"{scope}: missing the HXL place columns: need #adm+code, #adm+name, #adm+code+parent and "
        "#geo+admin_level (long layout) or #adm1+code and #adm1+name (wide layout)",
        problems=[Problem("missing HXL place columns", scope=scope, row=tag_index + 1)],
    )


def _cell(row: list[str], col: int | None) -> str:
    if col is None or col >= len(row):
        return ""
    return row[col].strip()


def _parse_date(text: str) -> date:
    return date.fromisoformat(text[:10])


def _read_long(
    scope: str,
    tags: list[HashtagSpec | None],
    data: list[list[str]],
    first_line: int,
    country_col: int,
    name_of: Callable[[int], str],
) -> list[PlaceRow]:
    parent_attr = frozenset({"parent"})
    cols = {
        "code": find_column(tags, "#adm+code", exclude=parent_attr),
        "name": find_column(tags, "#adm+name", exclude=parent_attr),
        "parent": find_column(tags, "#adm+code+parent"),
        "level": find_column(tags, "#geo+admin_level") or find_column(tags, "#adm+level"),
    }
    wanted = {
        "code": "#adm+code",
        "name": "#adm+name",
        "parent": "#adm+code+parent",
        "level": "#geo+admin_level",
    }
    missing = [wanted[k] for k, v in cols.items() if v is None]
    if missing:
        raise InputError(
            f"{scope}: missing HXL column(s) {', '.join(missing)}",
            problems=[Problem(f"missing HXL column {m}", scope=scope) for m in missing],
        )
    date_col = find_column(tags, "#date+start")
    problems = ProblemCollector(scope=scope)
    out: list[PlaceRow] = []
    for offset, row in enumerate(data):
        line = first_line + offset
        if not any(c.strip() for c in row):
            continue
        values = {k: _cell(row, c) for k, c in cols.items()}
        country = _cell(row, country_col).upper()
        ok = True
        for key in ("code", "name"):
            if not values[key]:
                problems.add("empty value", row=line, column=name_of(cols[key] or 0))
                ok = False
        if len(country) != 3 or not country.isalpha():
            problems.add(
                "country code must be 3 letters (ISO 3166-1 alpha-3)",
                row=line,
                column=name_of(country_col),
                value=country,
            )
            ok = False
        try:
            level = int(values["level"])
            if not 1 <= level <= 4:
                raise ValueError
        except ValueError:
            problems.add(
                "admin level must be a whole number from 1 to 4",
                row=line,
                column=name_of(cols["level"] or 0),
                value=values["level"],
            )
            ok = False
            level = 0
        valid_from: date | None = None
        if date_col is not None and _cell(row, date_col):
            try:
                valid_from = _parse_date(_cell(row, date_col))
            except ValueError:
                problems.add(
                    "not a date (YYYY-MM-DD)",
                    row=line,
                    column=name_of(date_col),
                    value=_cell(row, date_col),
                )
                ok = False
        parent = values["parent"] or None
        if level == 1 and parent is None:
            parent = country
        if level > 1 and parent is None:
            problems.add("empty parent P-code", row=line, column=name_of(cols["parent"] or 0))
            ok = False
        if ok:
            out.append(
                PlaceRow(values["code"], level, country, parent, values["name"], valid_from, line)
            )
    problems.raise_if_any(f"{scope}: cannot import places")
    return out


def _read_wide(
    scope: str,
    tags: list[HashtagSpec | None],
    data: list[list[str]],
    first_line: int,
    country_col: int,
    name_of: Callable[[int], str],
) -> list[PlaceRow]:
    levels: list[tuple[int, int, int | None]] = []
    for n in range(1, 5):
        code_col = find_column(tags, f"#adm{n}+code", exclude=frozenset({"origin"}))
        if code_col is None:
            break
        levels.append(
            (n, code_col, find_column(tags, f"#adm{n}+name", exclude=frozenset({"origin"})))
        )
    date_col = find_column(tags, "#date+start")
    problems = ProblemCollector(scope=scope)
    seen: dict[str, PlaceRow] = {}
    for offset, row in enumerate(data):
        line = first_line + offset
        country = _cell(row, country_col).upper()
        if not country:
            continue
        if len(country) != 3 or not country.isalpha():
            problems.add(
                "country code must be 3 letters (ISO 3166-1 alpha-3)",
                row=line,
                column=name_of(country_col),
                value=country,
            )
            continue
        valid_from = None
        if date_col is not None and _cell(row, date_col):
            try:
                valid_from = _parse_date(_cell(row, date_col))
            except ValueError:
                problems.add("not a date", row=line, column=name_of(date_col))
        parent = country
        for n, code_col, name_col in levels:
            code = _cell(row, code_col)
            if not code:
                break
            name = _cell(row, name_col) or code
            if code not in seen:
                seen[code] = PlaceRow(code, n, country, parent, name, valid_from, line)
            parent = code
    problems.raise_if_any(f"{scope}: cannot import places")
    return list(seen.values())


def _check_against(rows: list[PlaceRow], existing: dict[str, tuple[int, str]], scope: str) -> None:
    """Duplicates in the file, and parents that exist nowhere or sit at the wrong level."""
    problems = ProblemCollector(scope=scope)
    in_file: dict[str, PlaceRow] = {}
    for r in rows:
        if r.pcode in in_file:
            problems.add(
                f"P-code {r.pcode!r} appears again (first on row {in_file[r.pcode].row})",
                row=r.row,
                column="#adm+code",
                value=r.pcode,
            )
        else:
            in_file[r.pcode] = r
    countries = {r.country for r in rows}
    for r in rows:
        if r.parent_pcode is None:
            continue
        if r.level == 1 and r.parent_pcode == r.country:
            continue
        parent_level: int | None = None
        if r.parent_pcode in in_file:
            parent_level = in_file[r.parent_pcode].level
        elif r.parent_pcode in existing:
            parent_level = existing[r.parent_pcode][0]
        elif r.parent_pcode in countries:
            parent_level = 0
        if parent_level is None:
            problems.add(
                f"parent P-code {r.parent_pcode!r} does not exist (not in the file nor "
                "in the database)",
                row=r.row,
                column="#adm+code+parent",
                value=r.parent_pcode,
            )
        elif parent_level != r.level - 1:
            problems.add(
                f"parent {r.parent_pcode!r} is at admin level {parent_level}, expected "
                f"{r.level - 1}",
                row=r.row,
                column="#adm+code+parent",
                value=r.parent_pcode,
            )
    problems.raise_if_any(f"{scope}: cannot import places")


_FIELDS = ("name", "parent_pcode", "valid_from", "country")


def _text(value: object) -> str:
    return "" if value is None else str(value)


def import_places(
    session: Session,
    rows: Iterable[PlaceRow],
    *,
    scope: str = "places",
    source: str | None = None,
    update_from: Iterable[str] = (),
    progress: Progress | None = None,
) -> ImportReport:
    """Create or update places; the caller's transaction makes it all-or-nothing.

    ``source`` names the dataset (default: ``scope``). A place stored from another source is
    never overwritten (two datasets can give one P-code different names and dates: a DTM round
    is not the COD); it is kept and reported with what would change, unless its source is in
    ``update_from``, in which case this file's values and source replace it."""
    source = (source or scope).strip()
    if not source or len(source) > 120:
        raise InputError(f"{scope}: the source name must have 1 to 120 characters")
    takes_over = frozenset(update_from)
    rows = sorted(rows, key=lambda r: (r.level, r.row))
    stored = {
        p: (level, {"name": n, "parent_pcode": par, "valid_from": vf, "country": c}, src)
        for p, level, n, par, vf, c, src in session.execute(
            select(
                Place.pcode,
                Place.level,
                Place.name,
                Place.parent_pcode,
                Place.valid_from,
                Place.country,
                Place.source,
            )
        )
    }
    _check_against(rows, {p: (v[0], "") for p, v in stored.items()}, scope)
    report = ImportReport()
    new_countries = sorted({r.country for r in rows} - stored.keys())
    if new_countries:
        session.execute(
            insert(Place),
            [
                {
                    "pcode": c,
                    "level": 0,
                    "country": c,
                    "parent_pcode": None,
                    "name": c,
                    "valid_from": None,
                    "source": source,
                }
                for c in new_countries
            ],
        )
        report.countries_created = len(new_countries)
    to_insert: list[dict[str, object]] = []
    to_update: list[dict[str, object]] = []
    for r in rows:
        report.by_level[r.level] = report.by_level.get(r.level, 0) + 1
        values: dict[str, object] = {
            "pcode": r.pcode,
            "level": r.level,
            "country": r.country,
            "parent_pcode": r.parent_pcode,
            "name": r.name,
            "valid_from": r.valid_from,
            "source": source,
        }
        if r.pcode not in stored:
            to_insert.append(values)
            continue
        level, old, old_source = stored[r.pcode]
        changes = tuple(
            (f, _text(old[f]), _text(values[f])) for f in _FIELDS if old[f] != values[f]
        )
        if level != r.level:
            changes = (("level", str(level), str(r.level)), *changes)
        if not changes:
            report.unchanged += 1
        elif old_source == source or old_source in takes_over:
            to_update.append(values)
        else:
            report.kept.append(KeptPlace(r.pcode, old_source, r.row, changes))
    # Parents go in before children: rows are sorted by level, inserted level by level.
    for level in sorted({int(str(v["level"])) for v in to_insert}):
        batch = [v for v in to_insert if v["level"] == level]
        for start in range(0, len(batch), 5000):
            chunk = batch[start : start + 5000]
            session.execute(insert(Place), chunk)
            if progress:
                progress(len(chunk))
    for values in to_update:
        session.execute(update(Place).where(Place.pcode == values["pcode"]).values(**values))
    if progress:
        progress(len(to_update) + report.unchanged + len(report.kept))
    report.created = len(to_insert)
    report.updated = len(to_update)
    session.flush()
    return report
