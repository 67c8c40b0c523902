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
    floors = json.loads(str(scored.loc[1, "explanation"]))["floors"]
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
    assert (
        "Main drivers: Respondent is a child without a parent or usual caregiver (vulnerability 5)"
    ) in output
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
    scored = pd.read_excel(dest, engine="openpyxl")
    # Without the area profile the community/structural indicators are unanswered.
    assert scored["phase"].tolist() == [1, 4, 4] and len(scored.columns) == 38 + 6
    code, output = _invoke(
        "score", "--model", "safepath-domv-v1", str(src), "--out", str(dest), "--sheet", "main"
    )
    assert code == 2 and "only applies to XLSX" in output


@pytest.mark.shared
def test_acceptance_reach_msna_score_then_areas(shared_dir: Path, tmp_path: Path) -> None:
    scored_path = tmp_path / "scored.csv"
    code, output = _invoke(
        "score",
        "--model",
        "reach-msna-2024-protection",
        str(shared_dir / DUMMY),
        "--sheet",
        "main",
        "--out",
        str(scored_path),
    )
    assert code == 0, output
    assert "scored 241 records" in output
    scored = pd.read_csv(scored_path)
    assert len(scored) == 241 and scored["phase"].between(1, 5).all()
    assert set(scored["case_level"]) <= {"none", "low", "medium", "high"}

    areas_path = tmp_path / "areas.csv"
    code, output = _invoke(
        "areas",
        "--model",
        "reach-msna-2024-protection",
        str(scored_path),
        "--by",
        "adm1",
        "--out",
        str(areas_path),
    )
    assert code == 0, output
    areas = pd.read_csv(areas_path).set_index("adm1")
    assert sorted(areas.index) == sorted(scored["admin1"].unique()) == ["PCODE1", "PCODE2"]
    shares = areas[[f"phase_{p}" for p in range(1, 6)]]
    assert (shares.sum(axis=1) - 1).abs().max() < 1e-9
    assert areas["n"].sum() == 241
    # PiN and population are the weighted counts of the scored households (phase >= 3).
    by_area = scored.groupby("admin1")
    assert areas["population"].to_dict() == pytest.approx(by_area["weight"].sum().to_dict())
    pin = scored[scored["phase"] >= 3].groupby("admin1")["weight"].sum()
    assert areas["pin"].to_dict() == pytest.approx(pin.to_dict())
    for adm1, row in areas.iterrows():
        at_least = [
            shares.loc[str(adm1), [f"phase_{q}" for q in range(p, 6)]].sum() for p in range(1, 6)
        ]
        share_phase = max(p for p in range(1, 6) if at_least[p - 1] >= 0.25)
        assert row["share_phase"] == share_phase  # the 25 % share rule
        # critical indicators and the AoR maximum may raise it (the rule names what did)
        assert row["area_phase"] >= share_phase and row["rule"] == "jiaf-25"
        assert row["rule_citation"].startswith("JIAF 1.0 practice")
        assert isinstance(row["phase_reason"], str) and row["phase_reason"]

    # The raw export straight to areas (scored on the way) gives the same table.
    direct = tmp_path / "direct.parquet"
    code, output = _invoke(
        "areas",
        "--model",
        "reach-msna-2024-protection",
        str(shared_dir / DUMMY),
        "--sheet",
        "main",
        "--by",
        "adm1,sex",
        "--out",
        str(direct),
    )
    assert code == 0, output
    by_sex = pd.read_parquet(direct)
    assert by_sex["n"].sum() == 241
    assert set(by_sex["sex"]) == {"female", "male", "other", "prefer_not_to_say"}
    assert by_sex.groupby("adm1")["pin"].sum().to_dict() == pytest.approx(pin.to_dict())


def test_areas_rejects_unknown_grouping(tmp_path: Path) -> None:
    src = tmp_path / "round.csv"
    _screening_rows().to_csv(src, index=False)
    dest = tmp_path / "areas.csv"
    code, output = _invoke(
        "areas", "--model", "safepath-domv-v1", str(src), "--by", "adm3", "--out", str(dest)
    )
    assert code == 2 and "unknown ['adm3']" in output and "adm1, adm2" in output
    code, output = _invoke(
        "areas",
        "--model",
        "safepath-domv-v1",
        str(src),
        "--by",
        "adm1,disability",
        "--out",
        str(dest),
    )
    assert code == 0, output
    table = pd.read_csv(dest)
    assert (
        table["adm1"].tolist() == ["XA01", "XA02"]
        and table["n"].tolist() == [2, 1]
        and set(table["disability"]) == {"no_disability"}
    )


def test_score_kobo_group_path_headers(tmp_path: Path) -> None:
    frame = _screening_rows().rename(
        columns={
            "resp_age": "screening/demographics/resp_age",
            "gbv_concern": "screening/threats/gbv_concern",
        }
    )
    for suffix in (".csv", ".parquet"):
        src = tmp_path / f"kobo{suffix}"
        (frame.to_csv(src, index=False) if suffix == ".csv" else frame.to_parquet(src, index=False))
        dest = tmp_path / f"scored{suffix}"
        code, output = _invoke("score", "--model", "safepath-domv-v1", str(src), "--out", str(dest))
        assert code == 0, output
        assert "phase 1: 1" in output and "phase 4: 2" in output


def test_explain_with_area_profile() -> None:
    record = json.dumps({"adm2_pcode": "XA0103", "resp_age": 30, "safe_shelter": "yes"})
    result = runner.invoke(
        app,
        [
            "risk",
            "explain",
            "--model",
            "safepath-domv-v1",
            "--record",
            record,
            "--area-profile",
            str(PROFILE),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    levels = body["explanation"]["levels"]
    ids = {
        i["id"]: i["score"]
        for comps in levels.values()
        for group in comps.values()
        for i in group["indicators"]
    }
    # XA0103: permanent armed presence, confirmed contamination, 230 conflict events, siege.
    assert ids["armed_actor_presence"] == 5 and ids["conflict_intensity"] == 5
    assert ids["movement_policy"] == 5 and body["threat"] == 5.0
