"""Bad inputs to the real CLI (a subprocess): one clear error naming file, row and column, exit
code 2 and nothing written; and a command run before ``safepath db upgrade`` says so in one
line."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, text
from tests.cli_process import run_cli
from tests.conftest import PG_URL
from tests.risk.test_cli import _screening_rows

NOT_SET_UP = "the database is not set up: run `safepath db upgrade`"


run = run_cli


def _score(src: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    out = tmp_path / "scored.csv"
    r = run(["risk", "score", "--model", "safepath-domv-v1", str(src), "--out", str(out)], tmp_path)
    assert not out.exists(), "a refused input leaves no output"
    return r


@pytest.mark.parametrize(
    ("value", "fragment"), [(-999, "out of range"), ("abc", "not a number"), ("12abc", "number")]
)
def test_risk_score_refuses_a_bad_number(tmp_path: Path, value: int | str, fragment: str) -> None:
    frame = _screening_rows()
    frame["resp_age"] = frame["resp_age"].astype(object)
    frame.loc[1, "resp_age"] = value
    src = tmp_path / "round.csv"
    frame.to_csv(src, index=False)
    r = _score(src, tmp_path)
    assert r.returncode == 2, r.stderr
    assert "round.csv, row 3, column 'resp_age'" in r.stderr and fragment in r.stderr
    assert "Traceback" not in r.stderr


def test_risk_score_refuses_a_bad_number_in_xlsx_and_parquet(tmp_path: Path) -> None:
    frame = _screening_rows()
    frame.loc[2, "resp_age"] = -999
    xlsx = tmp_path / "round.xlsx"
    frame.to_excel(xlsx, index=False)
    r = _score(xlsx, tmp_path)
    assert r.returncode == 2 and "round.xlsx, row 4, column 'resp_age'" in r.stderr, r.stderr
    parquet = tmp_path / "round.parquet"
    frame.to_parquet(parquet, index=False)
    r = _score(parquet, tmp_path)
    assert r.returncode == 2 and "round.parquet, row 3, column 'resp_age'" in r.stderr, r.stderr


def test_risk_score_reads_empty_cells_as_missing(tmp_path: Path) -> None:
    frame = _screening_rows()
    frame.loc[0, "resp_age"] = None
    src = tmp_path / "round.csv"
    frame.to_csv(src, index=False)
    out = tmp_path / "scored.csv"
    r = run(["risk", "score", "--model", "safepath-domv-v1", str(src), "--out", str(out)], tmp_path)
    assert r.returncode == 0, r.stderr
    assert len(pd.read_csv(out)) == 3


def test_risk_score_refuses_a_duplicate_column(tmp_path: Path) -> None:
    frame = _screening_rows()
    src = tmp_path / "round.csv"
    header = ",".join([*frame.columns, "resp_age"])
    body = "\n".join(",".join([*map(str, row), "40"]) for row in frame.fillna("").values.tolist())
    src.write_text(header + "\n" + body + "\n", encoding="utf-8")
    r = _score(src, tmp_path)
    assert r.returncode == 2, r.stderr
    assert "round.csv, row 1, column 'resp_age'" in r.stderr and "duplicate column" in r.stderr
    parquet = tmp_path / "round.parquet"
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table.append_column("resp_age", pa.array([1, 2, 3])), parquet)
    r = _score(parquet, tmp_path)
    assert r.returncode == 2 and "duplicate column" in r.stderr, r.stderr


def test_risk_score_names_the_row_of_an_encoding_error(tmp_path: Path) -> None:
    frame = _screening_rows()
    src = tmp_path / "round.csv"
    frame.to_csv(src, index=False)
    lines = src.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"female", "fémale".encode("latin-1"), 1)
    src.write_bytes(b"\n".join(lines))
    r = _score(src, tmp_path)
    assert r.returncode == 2, r.stderr
    assert "round.csv: row 3, column" in r.stderr and "not UTF-8" in r.stderr
    assert "byte" not in r.stderr and "position" not in r.stderr


def _one_line(r: subprocess.CompletedProcess[str]) -> None:
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip() == f"error: {NOT_SET_UP}", r.stderr
    assert "Traceback" not in r.stdout


def test_commands_before_db_upgrade_say_so_in_one_line(tmp_path: Path) -> None:
    _one_line(run(["users", "list"], tmp_path))
    places = tmp_path / "places.csv"
    places.write_text(
        "Location,Admin Level,P-Code,Name,Parent P-Code\n"
        "#country+code,#geo+admin_level,#adm+code,#adm+name,#adm+code+parent\n"
        "XMR,1,XM01,North,XMR\n",
        encoding="utf-8",
    )
    _one_line(run(["places", "import", str(places)], tmp_path))
    _one_line(run(["audit", "verify"], tmp_path))


@pytest.mark.postgres
def test_commands_before_db_upgrade_on_postgresql(tmp_path: Path) -> None:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any connection failure means unreachable
        admin.dispose()
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    name = f"safepath_empty_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = PG_URL.rsplit("/", 1)[0] + "/" + name
        _one_line(run(["users", "list"], tmp_path, SAFEPATH_DATABASE_URL=url))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
