"""``safepath risk``: commands on real files, values checked, failures leave no output."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from safepath.cli.main import _register, app

_register()
runner = CliRunner()
MODELS = Path(__file__).resolve().parents[2] / "src" / "safepath" / "risk" / "models"
PROFILE = MODELS / "safepath-domv-v1.area-profile.csv"
DUMMY = "data/reach-msna-2024/dummy_raw_data.xlsx"
# ibis 12 calls DuckDB 2's deprecated fetch_arrow_table() when it reads a table's schema.
pytestmark = pytest.mark.filterwarnings(
    "ignore:fetch_arrow_table\\(\\) is deprecated:DeprecationWarning"
)


def _invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["risk", *args])
    return result.exit_code, " ".join(result.output.split())  # rich wraps at 80 columns


def _screening_rows() -> pd.DataFrame:
    base = {
        "adm1_pcode": "XA01",
        "adm2_pcode": "XA0101",
        "consent": "yes",
        "resp_age": 30,
        "resp_sex": "female",
        "pop_group": "host_community",
        "hh_size": 4,
        "migration_stage": "destination",
        "documents": "valid",
        "movement_restricted": "no",
        "detained": "no",
        "threats_experienced": "none",
        "threat_to_life": "no",
        "gbv_concern": "never",
        "eviction_threat": "no",
        "extortion": "no",
        "forced_work": "no",
        "debt_bondage": "no",
        "child_married": "no",
        "child_recruited": "no",
        "eo_nearby": "no",
        "discrimination": "never",
        "psych_abuse": "never",
        "distress": "never",
        "safe_shelter": "yes",
        "income": "regular",
        "support_network": "yes",
        "services_access": "yes",
        "info_access": "yes",
        "n_unaccompanied": 0,
        "n_separated": 0,
        "resp_unaccompanied": None,
    }
    for d in ("seeing", "hearing", "mobility", "cognition", "self_care", "communication"):
        base[f"wg_{d}"] = "no_difficulty"
    rows = [
        dict(base),
        dict(base, resp_age=15, resp_unaccompanied="yes", adm2_pcode="XA0103"),
        dict(
            base, adm1_pcode="XA02", adm2_pcode="XA0202", resp_sex="male", documents="held_by_other"
        ),
    ]
    return pd.DataFrame(rows)


def test_models_lists_shipped_models() -> None:
    code, output = _invoke("models")
    assert code == 0
    assert "safepath-domv-v1" in output and "reach-msna-2024-protection" in output
    assert "44" in output and "25" in output  # indicator counts


def test_validate_ok_and_precise_problems(tmp_path: Path) -> None:
    code, output = _invoke("validate", str(MODELS / "safepath-domv-v1.yaml"))
    assert code == 0 and output.startswith("OK safepath-domv-v1 1.0.0: 44 indicators")
    assert "15 GPC risks, 6 floors" in output
    bad = tmp_path / "bad.yaml"
    text = (MODELS / "safepath-domv-v1.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("component: threat", "component: danger", 1), encoding="utf-8")
    code, output = _invoke("validate", str(bad))
    assert code == 2
    assert "indicator 'threat_to_life'" in output and "component" in output
    code, output = _invoke("validate", str(tmp_path / "absent.yaml"))
    assert code == 2 and "no such file" in output


def test_score_csv_with_area_profile_and_explanations(tmp_path: Path) -> None:
    src = tmp_path / "round.csv"
    _screening_rows().to_csv(src, index=False)
    dest = tmp_path / "scored.parquet"
    code, output = _invoke(
        "score",
        "--model",
        "safepath-domv-v1",
        str(src),
        "--out",
        str(dest),
        "--area-profile",
        str(PROFILE),
        "--explain",
    )
    assert code == 0, output
    scored = pd.read_parquet(dest)
    assert scored["phase"].tolist() == [1, 4, 4]
    assert scored["case_level"].tolist() == ["none", "high", "high"]
    assert scored.loc[0, "capacity"] == 5.0 and scored.loc[1, "threat"] == 5.0
    floors = json.loads(scored.loc[1, "explanation"])["floors"]
    assert [f["indicator"] for f in floors] == ["unaccompanied_child"]
    assert "scored 3 records" in output and "phase 4: 2" in output


def test_score_refuses_bad_input_without_output(tmp_path: Path) -> None:
    src = tmp_path / "round.csv"
    _screening_rows().drop(columns=["gbv_concern", "income"]).to_csv(src, index=False)
    dest = tmp_path / "scored.csv"
    code, output = _invoke("score", "--model", "safepath-domv-v1", str(src), "--out", str(dest))
    assert code == 2 and "lacks 2 column(s)" in output and "gbv_concern" in output
    code, output = _invoke("score", "--model", "no-such-model", str(src), "--out", str(dest))
    assert code != 0 and "no-such-model" in output
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"garbage")
    code, output = _invoke("score", "--model", "safepath-domv-v1", str(broken), "--out", str(dest))
    assert code == 2 and "cannot read broken.xlsx" in output
    code, output = _invoke(
        "score", "--model", "safepath-domv-v1", str(src), "--out", str(tmp_path / "scored.json")
    )
    assert code == 2 and "unknown file type" in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.xlsx", "round.csv"]


def test_explain_text_and_json(tmp_path: Path) -> None:
    record = _screening_rows().iloc[1].to_dict()
    record["n_unaccompanied"] = int(record["n_unaccompanied"])
    record["n_separated"] = int(record["n_separated"])
    record["resp_age"] = int(record["resp_age"])
    record["hh_size"] = int(record["hh_size"])
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    code, output = _invoke("explain", "--model", "safepath-domv-v1", "--record", f"@{path}")
    assert code == 0, output
    assert "phase 4" in output and "case level high" in output
    assert "Red flag: unaccompanied_child" in output and "respond within 24 h" in output
    result = runner.invoke(
        app,
        [
            "risk",
            "explain",
            "--model",
            "safepath-domv-v1",
            "--record",
            json.dumps(record),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0
    body = json.loads(result.output)
    assert body["phase"] == 4 and body["case_level"] == "high" and body["deadline_hours"] == 24
    code, output = _invoke("explain", "--model", "safepath-domv-v1", "--record", "{oops")
    assert code == 2 and "not valid JSON" in output


def test_score_parquet_input_to_xlsx(tmp_path: Path) -> None:
    src = tmp_path / "round.parquet"
    _screening_rows().to_parquet(src, index=False)
    dest = tmp_path / "scored.xlsx"
    code, output = _invoke("score", "--model", "safepath-domv-v1", str(src), "--out", str(dest))
    assert code == 0, output
    scored = pd.read_excel(dest)
    # Without the area profile the community/structural indicators are unanswered.
    assert scored["phase"].tolist() == [1, 4, 4] and len(scored.columns) == 38 + 6
    code, output = _invoke(
        "score", "--model", "safepath-domv-v1", str(src), "--out", str(dest), "--sheet", "main"
    )
    assert code == 2 and "only applies to XLSX" in output
