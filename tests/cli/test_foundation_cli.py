"""The CLI on a real data directory: db upgrade/status, framework list, demo idempotence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli_process import run_cli

run = run_cli


def test_db_upgrade_then_status(tmp_path: Path) -> None:
    st = run(["db", "status"], tmp_path)
    assert st.returncode == 3 and "pending" in st.stdout
    up = run(["db", "upgrade"], tmp_path)
    assert up.returncode == 0, up.stderr
    assert (tmp_path / "safepath.db").exists()
    st = run(["db", "status"], tmp_path)
    assert st.returncode == 0 and "up to date" in st.stdout
    assert "up to date" in run(["db", "upgrade"], tmp_path).stdout


def test_framework_list_json_and_csv(tmp_path: Path) -> None:
    out = run(["framework", "list", "gpc_risks", "--format", "json"], tmp_path)
    rows = json.loads(out.stdout)
    assert len(rows) == 15
    assert rows[7] == {**rows[7], "code": "gbv", "label": "Gender-based violence"}
    assert {"code", "label", "description", "source"} <= set(rows[0])
    csv_out = run(["framework", "list", "modalities", "--format", "csv", "--lang", "es"], tmp_path)
    assert csv_out.stdout.splitlines()[0] == "code,label,description,source"
    assert len(csv_out.stdout.splitlines()) == 5
    bad = run(["framework", "list", "nope"], tmp_path)
    assert bad.returncode != 0 and "valid lists" in bad.stderr
    bad_lang = run(["framework", "list", "rights", "--lang", "de"], tmp_path)
    assert bad_lang.returncode != 0 and "unknown language" in bad_lang.stderr


@pytest.mark.slow
def test_demo_twice_loads_once(tmp_path: Path) -> None:
    # A small demo: the idempotence is the same at 60 cases as at the default 2,000.
    first = run(["demo", "--no-serve", "--cases", "60"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "4 adm1, 18 adm2" in first.stdout
    assert "cases: 60 (" in first.stdout
    assert "area phases: 22 areas classified from" in first.stdout  # a synthetic round
    second = run(["demo", "--no-serve", "--cases", "60"], tmp_path)
    assert second.returncode == 0, second.stderr
    assert "already loaded" in second.stdout
    assert "cases: 60 (" in second.stdout
    assert "round 1 (synthetic demo) (already loaded)" in second.stdout
    import sqlite3

    con = sqlite3.connect(tmp_path / "safepath.db")
    assert con.execute("select count(*) from places").fetchone() == (23,)
    assert con.execute("select count(*) from services").fetchone() == (7,)
    assert con.execute("select count(*) from area_phases").fetchone() == (22,)
    con.close()
