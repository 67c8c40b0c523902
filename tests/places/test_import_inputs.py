"""``safepath places import`` on bad input: a clear error naming file, row and column, exit code
2 and nothing written (a duplicate hashtag column, a field of a megabyte, a file not in UTF-8)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, func, select

from safepath.store.models import Place

HEADER = "Location,Admin Level,P-Code,Name,Parent P-Code,Valid from date\n"
TAGS = "#country+code,#geo+admin_level,#adm+code,#adm+name,#adm+code+parent,#date+start\n"
ROWS = "XMR,1,XM01,North,XMR,2024-01-01\nXMR,2,XM0101,North One,XM01,2024-01-01\n"


def _import(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safepath.cli", "places", "import", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Place)) or 0


def test_duplicate_adm_code_column_is_refused(db_url: str, tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "dup.csv"
    path.write_text(
        HEADER.rstrip("\n") + ",Other code\n" + TAGS.rstrip("\n") + ",#adm+code\n"
        "XMR,1,XM01,North,XMR,2024-01-01,XM99\n",
        encoding="utf-8",
    )
    r = _import(path)
    assert r.returncode == 2, r.stderr
    assert "dup.csv" in r.stderr and "row 2" in r.stderr
    assert "duplicate HXL column #adm+code" in r.stderr and "column 7" in r.stderr
    assert "Traceback" not in r.stderr
    assert _count(engine) == 0


def test_a_megabyte_field_is_refused_by_row_and_column(
    db_url: str, tmp_path: Path, engine: Engine
) -> None:
    path = tmp_path / "big.csv"
    path.write_text(
        HEADER + TAGS + ROWS + "XMR,2,XM0102," + "x" * 1_000_000 + ",XM01,\n", encoding="utf-8"
    )
    r = _import(path)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr) < 2000
    assert "big.csv" in r.stderr and "row 5" in r.stderr and "Name (column 4)" in r.stderr
    assert _count(engine) == 0


def test_encoding_error_names_the_row(db_url: str, tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "latin.csv"
    latin = "XMR,2,XM0102,Séné,XM01,\n".encode("latin-1")
    path.write_bytes((HEADER + TAGS + ROWS).encode() + latin)
    r = _import(path)
    assert r.returncode == 2, r.stderr
    assert "latin.csv" in r.stderr and "row 5, column 4" in r.stderr and "UTF-8" in r.stderr
    assert "byte" not in r.stderr
    assert _count(engine) == 0
