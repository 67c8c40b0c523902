"""Exporting a stored round goes through the disclosure policy: released with its figures,
refused with them (and audited), or anonymised on request; one audit event per export."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from tests.cli_process import run_cli
from tests.surveys.rounds_for_export import store_round
from typer.testing import CliRunner

from safepath.cli.main import _register, app
from safepath.errors import Forbidden
from safepath.privacy.actor import Actor, Role
from safepath.privacy.disclosure import DisclosureRefused
from safepath.rounds.export import export_round
from safepath.settings import reset_settings
from safepath.store.db import session_scope
from safepath.store.models import AuditEvent

_register()
runner = CliRunner()


def _exports() -> list[dict[str, str]]:
    with session_scope() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
        out = []
        for e in events:
            fields = dict(f.split("=", 1) for f in json.loads(e.fields))
            out.append({"record_type": e.record_type, "record_id": e.record_id or "", **fields})
        return out


def test_a_safe_round_is_released_with_its_figures(engine: Engine, tmp_path: Path) -> None:
    store_round(tmp_path, "safe")
    with session_scope() as s:
        result = export_round(s, Actor(1, "ana", Role.analyst, 1), "safe")
    data = result.released()
    assert data.num_rows == 160 and "resp_name" not in data.column_names  # personal: never
    assert data.column("hh_size").to_pylist()[:3] == [2, 2, 2]  # input order kept
    m = result.report.measures
    assert m.keys == ("hh_size", "displaced") and m.global_risk == pytest.approx(1 / 40)
    (event,) = _exports()
    assert event["record_type"] == "survey_round" and event["record_id"] == "safe"
    assert event["disclosure.decision"] == "released"
    assert float(event["disclosure.global_risk"]) == pytest.approx(0.025)
    assert event["disclosure.keys"] == "hh_size|displaced"


def test_a_round_over_policy_is_refused_and_the_refusal_audited(
    engine: Engine, tmp_path: Path
) -> None:
    store_round(tmp_path, "risky", unique=2)
    with session_scope() as s:
        result = export_round(s, Actor(1, "ana", Role.analyst, 1), "risky")
    assert result.data is None
    with pytest.raises(DisclosureRefused, match="2 record\\(s\\) below 3-anonymity") as exc:
        result.released()
    assert exc.value.status == 422 and exc.value.code == "disclosure_refused"
    (event,) = _exports()
    assert event["disclosure.decision"] == "refused"
    assert event["disclosure.records_below_k"] == "2" and event["disclosure.records"] == "162"


def test_other_roles_cannot_export_a_round(engine: Engine, tmp_path: Path) -> None:
    store_round(tmp_path, "safe")
    with session_scope() as s, pytest.raises(Forbidden):
        export_round(s, Actor(1, "cw", Role.caseworker, 1), "safe")
    assert _exports() == []


def test_cli_anonymises_on_request_and_keys_only_add(engine: Engine, tmp_path: Path) -> None:
    store_round(tmp_path, "risky", unique=2)
    out = tmp_path / "exported.csv"
    refused = runner.invoke(app, ["surveys", "export", "risky", "--out", str(out)])
    assert refused.exit_code != 0 and not out.exists()
    done = runner.invoke(
        app, ["surveys", "export", "risky", "--out", str(out), "--anonymise", "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    report = json.loads(done.output)
    assert report["decision"] == "anonymised" and report["suppressed"] == {
        "hh_size": 2,
        "displaced": 0,
    }
    assert report["before"]["max_risk"] == 1.0 and report["records_below_k"] == 0
    written = pd.read_csv(out)
    assert len(written) == 162 and written["hh_size"].isna().sum() == 2
    assert [e["disclosure.decision"] for e in _exports()] == ["refused", "anonymised"]
    # an unknown extra key is named; it cannot drop the policy's keys
    bad = runner.invoke(app, ["surveys", "export", "risky", "--out", str(out), "--keys", "nope"])
    assert bad.exit_code != 0


def test_export_in_a_subprocess_exits_2_with_the_figures(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_round(tmp_path, "risky", unique=2)
    monkeypatch.setenv("SAFEPATH_DISCLOSURE_K", "2")
    reset_settings()
    out = tmp_path / "exported.xlsx"
    done = run_cli(["surveys", "export", "risky", "--out", str(out)])
    assert done.returncode == 2 and not out.exists()
    assert "export refused by the disclosure policy" in done.stderr
    assert "2 record(s) below 2-anonymity" in " ".join(done.stderr.split())
    (event,) = _exports()
    assert event["disclosure.k"] == "2"


def test_sdc_on_a_stored_round(engine: Engine, tmp_path: Path) -> None:
    store_round(tmp_path, "risky", unique=2)
    done = runner.invoke(
        app, ["sdc", "risk", "--round", "risky", "--keys", "hh_size,displaced", "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    risk = json.loads(done.output)
    assert risk["k_violations"] == {"2": 2, "3": 2, "5": 2} and len(risk["records"]) == 162
    assert risk["records"][-1] == {"fk": 1, "Fk": 1.0, "risk": 1.0}  # input order: a unique one
    assert _exports() == []  # measuring exports nothing
    out = tmp_path / "anon.csv"
    args = ["sdc", "anonymise", "--round", "risky", "--keys", "hh_size", "--out", str(out)]
    done = runner.invoke(app, [*args, "--format", "json", "--k", "5"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.output)
    assert report["decision"] == "anonymised" and report["k"] == 5
    assert pd.read_csv(out)["hh_size"].isna().sum() == 2
    (event,) = _exports()
    assert event["disclosure.k"] == "5" and event["disclosure.decision"] == "anonymised"
    mixed = runner.invoke(app, [*args, "--pram", "displaced", "--seed", "1"])
    assert mixed.exit_code != 0 and "--pram" in str(mixed.exception)
