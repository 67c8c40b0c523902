"""No cell we write to CSV or XLSX is read as a spreadsheet formula (OWASP CSV injection)."""

from __future__ import annotations

from pathlib import Path

import ibis
import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from safepath.cells import neutralise
from safepath.cli import main
from safepath.privacy import audit
from safepath.privacy.actor import Actor, Role
from safepath.store.db import session_scope
from safepath.surveys.tables import write_table

EVIL = '=HYPERLINK("http://evil.example","click")'


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (EVIL, "'" + EVIL),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-1+2", "'-1+2"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-3", "-3"),
        ("+1.5", "+1.5"),
        ("normal", "normal"),
        (7, 7),
        (None, None),
    ],
)
def test_neutralise(value: object, shown: object) -> None:
    assert neutralise(value) == shown


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"name": [EVIL, "@SUM(1)", "Amal", "-3"], "n": [1, 2, 3, 4]})


def test_csv_from_pandas_and_from_ibis(tmp_path: Path) -> None:
    for i, data in enumerate([_frame(), ibis.memtable(_frame())]):
        out = write_table(data, tmp_path / f"o{i}.csv")
        back = pd.read_csv(out, dtype=str)
        assert back["name"].tolist() == ["'" + EVIL, "'@SUM(1)", "Amal", "-3"]
        assert back["n"].tolist() == ["1", "2", "3", "4"]


def test_xlsx_has_no_formula_cells(tmp_path: Path) -> None:
    out = write_table(_frame(), tmp_path / "o.xlsx")
    ws = openpyxl.load_workbook(out).active
    assert ws is not None
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert ws["A2"].value == "'" + EVIL and ws["B2"].value == 1


def test_parquet_stays_byte_exact(tmp_path: Path) -> None:
    out = write_table(_frame(), tmp_path / "o.parquet")
    assert pd.read_parquet(out)["name"].tolist()[0] == EVIL


def test_audit_log_csv_neutralises_a_username(engine: Engine) -> None:
    actor = Actor(user_id=9, username=EVIL, role=Role.caseworker, agency_id=1)
    with session_scope() as s:
        audit.record(s, actor, "read", "person", "P-1", person_code="P-1")
    if not main.app.registered_groups:
        main._register()
    result = CliRunner().invoke(main.app, ["audit", "log", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert EVIL not in result.stdout.replace('""', '"').replace("'" + EVIL, "")
    assert "'=HYPERLINK" in result.stdout
