"""Checks of an XLSForm workbook, collected together and located by sheet, row and column.

pyxform stops at its first error and lets many mistakes through (a duplicate name in another
group, a ``${ref}`` to a field that does not exist, ``= yes`` without quotes, a choice list that
is never defined when the type is misspelt). ``check_form`` reads the sheets itself so every
problem names the spreadsheet cell to fix, then runs pyxform for everything XLSForm means.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safepath.errors import InputError, Problem
from safepath.surveys import xpath
from safepath.surveys.xlsform import FormDefinition, load_form

_SELECT = re.compile(r"^(select_one|select_multiple|select one|select all that apply|rank)\s+(\S+)")
_FROM_FILE = re.compile(r"_from_file\b")
_EXPRESSION_COLUMNS = ("relevant", "constraint", "calculation", "repeat_count", "required")
_PYXFORM_ROW = re.compile(r"\[row\s*:\s*(\d+)\]")
_PYXFORM_SHEET = re.compile(r"'?(survey|choices|settings|entities)'? sheet", re.IGNORECASE)
_NO_NAME = {"end group", "end_group", "end repeat", "end_repeat", "end", ""}
_YES_NO = {"yes", "no", "true", "false", "true()", "false()", "1", "0"}
_GROUP_ENDS = {"end group", "end_group", "end repeat", "end_repeat"}


@dataclass(frozen=True)
class FormReport:
    """A checked form: the typed definition (None when pyxform could not read it) and every
    problem found."""

    path: Path
    form: FormDefinition | None
    issues: list[Problem]


def _sheets(path: Path) -> dict[str, list[list[Any]]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        return {
            name.strip().lower(): book.get_sheet_by_name(name).to_python()
            for name in book.sheet_names
        }
    except Exception as exc:  # calamine raises several types for a damaged workbook
        raise InputError(
            f"cannot read {path.name}: {exc}",
            problems=[Problem(f"unreadable workbook: {exc}", scope=path.name)],
        ) from exc


def _records(rows: list[list[Any]]) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header (stripped) and (spreadsheet row number, {column: text}) for non-empty rows."""
    if not rows:
        return [], []
    header = [str(c).strip() for c in rows[0]]
    out: list[tuple[int, dict[str, str]]] = []
    for n, row in enumerate(rows[1:], start=2):
        cells = {h: _text(v) for h, v in zip(header, row, strict=False) if h and _text(v) != ""}
        if cells:
            out.append((n, cells))
    return header, out


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _column(header: list[str], wanted: str) -> str | None:
    """The header as written for a column name (XLSForm headers are case-insensitive)."""
    for h in header:
        if h.lower() == wanted:
            return h
    return None


def _check_survey(
    header: list[str],
    rows: list[tuple[int, dict[str, str]]],
    lists: set[str],
    problems: list[Problem],
) -> None:
    col_type = _column(header, "type") or "type"
    col_name = _column(header, "name") or "name"
    names: dict[str, list[int]] = defaultdict(list)
    for n, cells in rows:
        kind = cells.get(col_type, "").strip()
        name = cells.get(col_name, "")
        if not kind and not name:
            continue
        if name and any(c.isspace() for c in name):
            problems.append(
                Problem("name contains a space", scope="survey", row=n, column=col_name, value=name)
            )
        if name and kind.lower() not in _GROUP_ENDS:
            names[name].append(n)
        m = _SELECT.match(kind)
        if m and not _FROM_FILE.search(kind):
            list_name = m.group(2)
            if list_name not in lists:
                problems.append(
                    Problem(
                        f"choice list {list_name!r} is not on the choices sheet",
                        scope="survey",
                        row=n,
                        column=col_type,
                        value=kind,
                    )
                )
    for name, where in names.items():
        if len(where) > 1:
            rows_text = ", ".join(str(w) for w in where)
            for w in where[1:]:
                problems.append(
                    Problem(
                        f"duplicate name (rows {rows_text})",
                        scope="survey",
                        row=w,
                        column=col_name,
                        value=name,
                    )
                )
    known = set(names)
    for n, cells in rows:
        for wanted in _EXPRESSION_COLUMNS:
            column = _column(header, wanted)
            text = cells.get(column or "", "")
            if not column or not text:
                continue
            if wanted == "required" and text.lower() in _YES_NO:
                continue
            if wanted == "required" and re.fullmatch(r"[A-Za-z_][\w.-]*", text):
                problems.append(
                    Problem(
                        "required is not yes or no: pyxform writes it as an expression (an "
                        "element path, always empty, so the question is never required)",
                        scope="survey",
                        row=n,
                        column=column,
                        value=text,
                    )
                )
                continue
            _check_expression(text, "survey", n, column, known, problems, bare_ok=False)
        column = _column(header, "choice_filter")
        if column and cells.get(column):
            _check_expression(cells[column], "survey", n, column, known, problems, bare_ok=True)


def _check_expression(
    text: str,
    sheet: str,
    row: int,
    column: str,
    known: set[str],
    problems: list[Problem],
    *,
    bare_ok: bool,
) -> None:
    try:
        parsed = xpath.check_syntax(text)
    except xpath.XPathSyntaxError as exc:
        problems.append(
            Problem(
                f"not a valid expression: {exc}", scope=sheet, row=row, column=column, value=text
            )
        )
        return
    for ref in dict.fromkeys(parsed.references):
        if ref not in known:
            problems.append(
                Problem(
                    f"${{{ref}}} names no field of the form",
                    scope=sheet,
                    row=row,
                    column=column,
                    value=text,
                )
            )
    if not bare_ok:
        for bare in dict.fromkeys(parsed.bare_names):
            problems.append(
                Problem(
                    f"{bare!r} is read as an element path, not text: quote it ('{bare}') or "
                    f"write ${{{bare}}}",
                    scope=sheet,
                    row=row,
                    column=column,
                    value=text,
                )
            )


def _check_choices(
    header: list[str], rows: list[tuple[int, dict[str, str]]], problems: list[Problem]
) -> set[str]:
    col_list = _column(header, "list_name") or _column(header, "list name") or "list_name"
    col_name = _column(header, "name") or "name"
    seen: dict[tuple[str, str], int] = {}
    lists: set[str] = set()
    for n, cells in rows:
        list_name, name = cells.get(col_list, ""), cells.get(col_name, "")
        if not list_name:
            continue
        lists.add(list_name)
        if not name:
            problems.append(
                Problem("choice without a name", scope="choices", row=n, column=col_name)
            )
            continue
        if any(c.isspace() for c in name):
            problems.append(
                Problem(
                    "name contains a space", scope="choices", row=n, column=col_name, value=name
                )
            )
        key = (list_name, name)
        if key in seen:
            problems.append(
                Problem(
                    f"duplicate choice in list {list_name!r} (rows {seen[key]}, {n})",
                    scope="choices",
                    row=n,
                    column=col_name,
                    value=name,
                )
            )
        else:
            seen[key] = n
    return lists


def _pyxform_problem(path: Path, exc: InputError) -> Problem:
    text = exc.problems[0].message if exc.problems else exc.message
    row = _PYXFORM_ROW.search(text)
    sheet = _PYXFORM_SHEET.search(text)
    return Problem(
        f"pyxform: {text}",
        scope=sheet.group(1).lower() if sheet else "survey",
        row=int(row.group(1)) if row else None,
    )


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def check_form(path: str | Path) -> FormReport:
    """Every problem of the workbook at ``path`` and, when pyxform can read it, the form."""
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"XLSForm not found: {path}", problems=[Problem("file not found", scope=str(path))]
        )
    sheets = _sheets(path)
    problems: list[Problem] = []
    if "survey" not in sheets:
        problems.append(Problem("the workbook has no survey sheet", scope=path.name))
    choices_header, choice_rows = _records(sheets.get("choices", []))
    lists = _check_choices(choices_header, choice_rows, problems)
    survey_header, survey_rows = _records(sheets.get("survey", []))
    _check_survey(survey_header, survey_rows, lists, problems)
    form: FormDefinition | None = None
    try:
        form = load_form(path)
    except InputError as exc:
        problems.append(_pyxform_problem(path, exc))
    problems.sort(key=lambda p: ({"survey": 0, "choices": 1}.get(p.scope or "", 2), p.row or 0))
    return FormReport(path, form, _unique(problems))
