"""Write the shipped XLSForm workbooks from their readable sources.

Run ``python -m safepath.surveys.forms.build`` after editing ``screening_v1.py``; a test fails
while the committed .xlsx differs from the source.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook

from safepath.surveys.forms import FORMS_DIR, screening_v1

Sheets = dict[str, list[dict[str, Any]]]


def sheet_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    """Header (keys in first-seen order) then one list per row; absent keys are empty cells."""
    header: list[str] = []
    for row in rows:
        header.extend(k for k in row if k not in header)
    return [header, *([row.get(k) for k in header] for row in rows)]


def write_workbook(sheets: Sheets, path: Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for values in sheet_rows(rows):
            ws.append(values)
    wb.save(path)
    return path


def build(out_dir: Path = FORMS_DIR) -> list[Path]:
    return [write_workbook(screening_v1.SHEETS, out_dir / f"{screening_v1.FORM_ID}.xlsx")]


if __name__ == "__main__":
    for written in build():
        print(written)
