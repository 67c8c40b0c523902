"""Issue 12 acceptance, run as a user runs it: the REACH MSNA 2024 form and its dummy export
through ``safepath forms add``, ``safepath surveys import`` and ``safepath risk score --round``."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from tests.cli_process import run_cli
from tests.surveys.exports import EXPORT_FILE, FORM_FILE, MSNA, sheet, with_labels, write_csv
from tests.surveys.rounds_for_export import lenient_policy

from safepath.risk import load_model, score_table
from safepath.surveys.submissions import read_export
from safepath.surveys.tables import read_table, write_table
from safepath.surveys.xlsform import load_form

pytestmark = pytest.mark.shared
FORM_ID = "REACH_2024_MSNA-kobo-tool_draft_v11"


def _ok(args: list[str], data: Path, **env: str) -> str:
    done = run_cli(args, data, **env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _tables(data: Path) -> dict[str, Any]:
    files = sorted(data.glob("rounds/*/*/*.parquet"))
    by_round: dict[str, Any] = {}
    for f in files:
        by_round.setdefault(f.parent.parent.name, {})[f.stem] = pq.read_table(f)
    return by_round


def test_reach_msna_form_export_and_score(shared_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    src = shared_dir / MSNA
    _ok(["db", "upgrade"], data)
    added = json.loads(_ok(["forms", "add", str(src / FORM_FILE), "--format", "json"], data))
    assert added["form"] == FORM_ID and added["languages"] == ["english", "french"]
    assert added["repeats"] == ["roster", "edu_ind", "health_ind", "nut_ind"]
    # the tool's two `required: T` cells (rows 314-315) are really never required
    assert [(i["row"], i["column"]) for i in added["issues"]] == [
        (314, "required"),
        (315, "required"),
    ]

    args = ["surveys", "import", "--form", FORM_ID, str(src / EXPORT_FILE), "--round", "msna"]
    first = json.loads(_ok([*args, "--format", "json"], data))
    counts = {"main": 241, "roster": 965, "edu_ind": 965, "health_ind": 965, "nut_ind": 965}
    assert first["tables"] == counts and first["added"] == 241
    again = json.loads(_ok([*args, "--format", "json"], data))
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 241)
    [stored] = _tables(data).values()
    households = set(stored["main"].column("_key").to_pylist())
    for name in ("roster", "edu_ind", "health_ind", "nut_ind"):
        keys = stored[name].column("_submission_key")
        assert pc.all(pc.is_in(keys, value_set=stored["main"].column("_key"))).as_py(), name
        assert set(keys.to_pylist()) <= households and stored[name].num_rows == 965

    # the main sheet exported with English labels stores the same values (read in-process:
    # the same code the command runs, without two more processes)
    form = load_form(src / FORM_FILE)
    main = sheet(src / EXPORT_FILE, "main")
    labels = read_export(form, write_csv(with_labels(main, form), tmp_path / "labels.csv"))
    names = read_export(form, write_csv(main, tmp_path / "names.csv"))
    assert labels.language == "english" and names.language is None
    label_main, name_main = labels.tables["main"].data, names.tables["main"].data
    plain = [c for c in name_main.column_names if c != "_hash"]
    assert label_main.select(plain).to_pylist() == name_main.select(plain).to_pylist()
    personal = [f"main.{c}" for c in names.tables["main"].personal]

    # risk on the stored round equals today's score of the main sheet
    # today's output: what `risk score dummy_raw_data.xlsx --sheet main` writes
    model = load_model("reach-msna-2024-protection")
    frame = read_table(src / EXPORT_FILE, sheet="main", columns=model.record_fields())
    write_table(score_table(model, frame), tmp_path / "file.csv")
    out = _ok(
        [
            "risk",
            "score",
            "--round",
            "msna",
            "--model",
            "reach-msna-2024-protection",
            "--out",
            str(tmp_path / "round.csv"),
        ],
        data,
        SAFEPATH_DISCLOSURE_POLICY_FILE=str(lenient_policy(tmp_path)),  # not what is tested here
    )
    assert "phase 3: 134" in out
    scored = ["threat", "vulnerability", "capacity", "risk", "phase", "case_level"]
    with (tmp_path / "file.csv").open() as a, (tmp_path / "round.csv").open() as b:
        today = {r["uuid"]: [r[c] for c in scored] for r in csv.DictReader(a)}
        stored_scores = {r["_uuid"]: [r[c] for c in scored] for r in csv.DictReader(b)}
    assert stored_scores == today

    # no plaintext of a flagged personal column anywhere in the data directory
    main_rows = sheet(src / EXPORT_FILE, "main")
    header = main_rows[0]
    texts = {
        str(r[header.index(c.split(".", 1)[1])])
        for c in personal
        for r in main_rows[1:]
        if c.split(".", 1)[1] in header and len(str(r[header.index(c.split(".", 1)[1])])) >= 12
    }
    assert len(texts) > 200  # final_text and the "other, specify" answers
    for path in (p for p in data.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        leaked = [t for t in texts if t.encode() in raw]
        assert not leaked, (path, leaked[:3])


def test_strict_refuses_and_writes_the_problems(shared_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    src = shared_dir / MSNA
    rows = sheet(src / EXPORT_FILE, "main")
    at = rows[0].index("hlp_risk_eviction")
    rows[5][at] = "perhaps"
    path = write_csv(rows, tmp_path / "bad.csv")
    _ok(["db", "upgrade"], data)
    problems = tmp_path / "problems.csv"
    done = run_cli(
        [
            "surveys",
            "import",
            "--form",
            str(src / FORM_FILE),
            str(path),
            "--strict",
            "--problems",
            str(problems),
        ],
        data,
    )
    assert done.returncode == 2, done.stdout
    assert "nothing stored" in done.stderr
    with problems.open(encoding="utf-8") as fh:
        listed = list(csv.DictReader(fh))
    bad = [r for r in listed if r["column"] == "hlp_risk_eviction"]
    assert [(r["table"], r["row"], r["value"]) for r in bad] == [("main", "6", "perhaps")]
    assert bad[0]["message"].startswith("not a choice of")
    assert not list(data.glob("rounds/*/*/*.parquet"))
    with sqlite3.connect(data / "safepath.db") as db:
        assert db.execute("SELECT count(*) FROM survey_rounds").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM survey_forms").fetchone() == (0,)  # one transaction
