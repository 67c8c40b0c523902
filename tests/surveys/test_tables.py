"""Table IO: formats by extension, sheet choice, clear errors, atomic writes."""

from __future__ import annotations

from pathlib import Path

import ibis
import pandas as pd
import pyarrow as pa
import pytest

from safepath.errors import InputError
from safepath.surveys.tables import read_table, require_columns, write_table

FRAME = pd.DataFrame({"a": [1, 2, 3], "b": ["x", None, "z"]})


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_round_trip(tmp_path: Path, suffix: str) -> None:
    out = write_table(FRAME, tmp_path / f"t{suffix}")
    back = read_table(out)
    assert back["a"].tolist() == [1, 2, 3]
    assert back["b"].iloc[0] == "x" and pd.isna(back["b"].iloc[1])
    assert [p.name for p in tmp_path.iterdir()] == [f"t{suffix}"]  # no temp file left


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_writes_ibis_tables(tmp_path: Path, suffix: str) -> None:
    # via Arrow: ibis.memtable(pandas) trips a pandas-4 deprecation warning under pandas 3
    table = ibis.memtable(pa.Table.from_pandas(FRAME)).mutate(c=ibis._.a * 2)
    back = read_table(write_table(table, tmp_path / f"t{suffix}"))
    assert back["c"].tolist() == [2, 4, 6]


def test_semicolon_csv(tmp_path: Path) -> None:
    path = tmp_path / "kobo.csv"
    path.write_text("a;b\n1;x y\n2;\n", encoding="utf-8")
    back = read_table(path)
    assert back["b"].iloc[0] == "x y" and pd.isna(back["b"].iloc[1])


def test_sheets(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    with pd.ExcelWriter(path) as writer:
        FRAME.to_excel(writer, sheet_name="main", index=False)
        FRAME.head(1).to_excel(writer, sheet_name="roster", index=False)
    assert len(read_table(path, sheet="roster")) == 1
    with pytest.raises(InputError, match=r"2 sheets \('main', 'roster'\); choose one"):
        read_table(path)
    with pytest.raises(InputError, match="no sheet 'hh'; sheets: 'main', 'roster'"):
        read_table(path, sheet="hh")
    with pytest.raises(InputError, match="only applies to XLSX"):
        read_table(write_table(FRAME, tmp_path / "t.csv"), sheet="main")


def test_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"unknown file type '\.txt'"):
        read_table(tmp_path / "a.txt")
    with pytest.raises(InputError, match="not found"):
        read_table(tmp_path / "absent.csv")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="cannot read broken.xlsx") as info:
        read_table(broken)
    assert info.value.problems[0].scope == str(broken)
    with pytest.raises(InputError, match="lacks 2 column") as missing:
        read_table(write_table(FRAME, tmp_path / "t.parquet"), columns=["a", "q", "r"])
    assert [p.column for p in missing.value.problems] == ["q", "r"]
    with pytest.raises(InputError, match="unknown file type"):
        write_table(FRAME, tmp_path / "out.json")


def test_require_columns_passes_when_present() -> None:
    require_columns(["a", "b"], ["b", "a", "a"], source="x")


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.parquet"
    target.write_bytes(b"previous")
    bad = pd.DataFrame({"a": [object()]})  # pyarrow cannot convert an arbitrary object
    with pytest.raises(Exception):  # noqa: B017 - any pyarrow error: what matters is the file
        write_table(bad, target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]
    with pytest.raises(InputError, match="output directory does not exist"):
        write_table(FRAME, tmp_path / "nope" / "out.csv")


def test_group_path_headers_resolve_to_field_names(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "screening/demographics/resp_age": [30],
            "consent": ["yes"],
            "threats/threats_experienced": ["none"],
            "threats/threats_experienced/none": [1],
        }
    )
    path = write_table(frame, tmp_path / "kobo.csv")
    back = read_table(path, columns=["resp_age", "consent", "threats_experienced"])
    assert list(back.columns) == [
        "resp_age",
        "consent",
        "threats_experienced",
        "threats/threats_experienced/none",
    ]
    assert back["resp_age"].tolist() == [30]
