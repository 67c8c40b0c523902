"""The XLSX reader in pieces gives what one whole-sheet parse gives: same rows, same row numbers
(empty rows kept), same columns, in this process or in worker processes."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest
from python_calamine import CalamineWorkbook

from safepath.errors import InputError
from safepath.surveys import xlsx
from safepath.surveys.exports import columns_of, open_export
from safepath.surveys.submissions import _chunked

HEADER = ["_uuid", "age", "share", "when", "note", "ok"]


def _workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "main"
    sheet.append(HEADER)
    for i in range(60):
        if i == 25:
            sheet.append([])  # an empty row: a row of the export all the same
            continue
        sheet.append(
            [
                f"u{i}",
                i if i % 7 else None,
                i / 4,
                dt.datetime(2024, 5, 1, 9, i % 60),
                "text" if i % 3 else 12,  # mixed: read as text
                i % 2 == 0,
            ]
        )
    roster = book.create_sheet("roster")
    roster.append(["name", "_submission__uuid"])
    roster.append(["Amina", "u1"])
    book.save(path)
    return path


def _whole(path: Path, sheet: str) -> list[list[object]]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    return [list(r) for r in rows]


def _read(path: Path) -> dict[str, list[pa.Array]]:
    out = {}
    for table in open_export(path).tables:
        batches = list(table.batches())
        # batches may type a column differently (numbers in one, text in another): unified
        # as the import unifies them
        out[table.name] = [
            _chunked([b[i] for b in batches]).combine_chunks() for i in range(len(table.header))
        ]
    return out


@pytest.mark.parametrize("workers", [False, True])
def test_pieces_equal_one_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: bool
) -> None:
    path = _workbook(tmp_path / "export.xlsx")
    monkeypatch.setattr(xlsx, "_READ", 1500)  # about 1.5 kB of XML per piece: many pieces
    monkeypatch.setattr(xlsx, "PIECE_BYTES", 1)
    if workers:
        monkeypatch.setattr(xlsx, "POOL_BYTES", 2000)  # the main sheet only, not the roster
        monkeypatch.setattr(xlsx, "_workers", lambda: 2)
    with zipfile.ZipFile(path) as zf:
        member = xlsx.open_book(zf).sheets[0][1]
        assert len(list(xlsx.xml_pieces(zf, member, 1))) > 5
    got = _read(path)
    rows = _whole(path, "main")
    assert rows[0] == HEADER
    want = columns_of(rows[1:], len(HEADER))
    assert [c.to_pylist() for c in got["main"]] == [c.to_pylist() for c in want]
    assert len(got["main"][0]) == 60 and got["main"][0][25].as_py() is None  # the empty row
    assert got["main"][4].type == pa.string()  # text and numbers: text
    assert got["main"][2].to_pylist()[:3] == [0.0, 0.25, 0.5]
    assert [c.to_pylist() for c in got["roster"]] == [["Amina"], ["u1"]]


def test_a_damaged_sheet_names_the_file(tmp_path: Path) -> None:
    good = _workbook(tmp_path / "good.xlsx")
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("sheet1.xml"):
                data = data.replace(b'<c r="B40"', b'<c r="B40" t="n"><v>x</c><c')
            dst.writestr(info, data)
    with pytest.raises(InputError, match="cannot read bad.xlsx"):
        _read(bad)


def test_rows_for_the_progress_bar(tmp_path: Path) -> None:
    """From the sheet's <dimension>, or counted when a writer left it out (or wrote "A1")."""
    good = _workbook(tmp_path / "good.xlsx")
    assert [t.rows for t in open_export(good).tables] == [60, 1]
    bare = tmp_path / "bare.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bare, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if "worksheets/" in info.filename:
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
            dst.writestr(info, data)
    assert [t.rows for t in open_export(bare).tables] == [60, 1]
