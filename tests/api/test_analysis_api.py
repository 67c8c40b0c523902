"""``GET /api/v1/analysis/rounds/{round}/trends|alerts`` on two stored MSNA rounds: the model
found from the round's form, the earlier round found by creation time; analysts only; unknown
names answer 404 or 422, never a server path. Then ``--round`` of `analysis estimate`, `pin`
and `trends` on the same stored rounds: the same estimates as from the file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from safepath.cli.main import _register, app
from safepath.privacy import identity
from safepath.privacy.actor import SYSTEM, Role
from safepath.rounds import service
from safepath.rounds.forms import add_form
from safepath.settings import reset_settings
from safepath.store.db import session_scope

PASSWORD = "tern lagoon 123 quartz"
MSNA = Path("data/reach-msna-2024")


@pytest.fixture
def client(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_MEMORY_KIB", "1024")
    reset_settings()
    from tests.apps import shared_app

    with TestClient(shared_app()) as c:
        yield c


def _token(role: Role) -> dict[str, str]:
    with session_scope() as s:
        user = identity.add_user(s, f"{role.value}.x", role, "agency-a", PASSWORD, ["t"])
        return {"Authorization": f"Bearer {identity.issue_token(s, user).token}"}


def test_trends_and_alerts_between_stored_rounds(client: TestClient, shared_dir: Path) -> None:
    src = shared_dir / MSNA
    with session_scope() as s:
        form = add_form(s, src / "REACH_2024_MSNA-kobo-tool_draft_v11.xlsx", by="t").row
        for name in ("msna-1", "msna-2"):  # the same export twice: nothing changed
            service.import_round(
                s, form, src / "dummy_raw_data.xlsx", round_name=name, actor=SYSTEM, by="t"
            )
    auth = _token(Role.analyst)
    base = "/api/v1/analysis/rounds/msna-2"
    r = client.get(f"{base}/trends", headers=auth, params={"by": "adm1", "since": "msna-1"})
    assert r.status_code == 200, r.text
    rows = {tuple(x["group"]): x for x in r.json()}
    assert set(rows) == {(), ("PCODE1",), ("PCODE2",)}
    one = rows[("PCODE1",)]
    assert (one["round_a"], one["round_b"], one["n_a"], one["withheld"]) == (
        "msna-1",
        "msna-2",
        118,
        False,
    )
    assert one["share_a"] == one["share_b"] and one["share_change"] == 0.0
    assert not one["significant"] and one["rule"] == "jiaf-25"
    assert one["rule_citation"].startswith("JIAF 1.0")
    # the earlier round by default; nothing rose, so no alert
    r = client.get(f"{base}/alerts", headers=auth)
    assert r.status_code == 200, r.text
    assert r.json() == []
    # names, not paths; unknown rounds, models and rules
    assert client.get("/api/v1/analysis/rounds/nope/trends", headers=auth).status_code == 404
    bad = client.get(f"{base}/trends", headers=auth, params={"model": "../../etc/passwd"})
    assert bad.status_code == 422
    bad = client.get(f"{base}/trends", headers=auth, params={"rules": "jiaf-30"})
    assert bad.status_code == 422 and "jiaf-25, jiaf-20" in bad.text
    first = client.get("/api/v1/analysis/rounds/msna-1/trends", headers=auth)
    assert first.status_code == 422 and "no round was stored before" in first.text
    caseworker = _token(Role.caseworker)
    assert client.get(f"{base}/trends", headers=caseworker).status_code == 403

    # the same stored rounds through the CLI's --round (in-process: the same database)
    _register()
    runner = CliRunner()
    design = ["--strata", "stratum", "--cluster", "cluster_id"]
    var = ["--var", "prot_concern_freq_displaced", "--by", "admin1", "--weight", "weight"]
    stored = runner.invoke(app, ["analysis", "estimate", "--round", "msna-1", *var, *design])
    assert stored.exit_code == 0, stored.output
    from_file = runner.invoke(
        app,
        [
            "analysis",
            "estimate",
            str(src / "dummy_raw_data.xlsx"),
            "--sheet",
            "main",
            *var,
            *design,
        ],
    )
    assert from_file.exit_code == 0, from_file.output
    # the same estimates; DuckDB's parallel sums may differ in the last bit between two reads
    got, want = json.loads(stored.stdout), json.loads(from_file.stdout)
    assert [sorted(r) for r in got] == [sorted(r) for r in want]
    for g, w in zip(got, want, strict=True):
        assert g == {
            k: pytest.approx(v, rel=1e-12) if isinstance(v, float) else v for k, v in w.items()
        }
    pin = runner.invoke(
        app,
        [
            "analysis",
            "pin",
            "--round",
            "msna-1",
            "--model",
            "reach-msna-2024-protection",
            "--frame",
            str(src / "loa.xlsx"),
            "--by",
            "admin1",
            *design,
        ],
    )
    assert pin.exit_code == 0, pin.output
    pins = {tuple(r["group"]): r for r in json.loads(pin.stdout)}
    assert pins[("PCODE1",)]["pin"] is not None and pins[()]["population"] > 0
    trend = runner.invoke(
        app,
        [
            "analysis",
            "trends",
            "--round",
            "msna-1",
            "--round",
            "msna-2",
            "--model",
            "reach-msna-2024-protection",
            "--by",
            "adm1",
            *design,
        ],
    )
    assert trend.exit_code == 0, trend.output
    by_group = {tuple(r["group"]): r for r in json.loads(trend.stdout)}
    # the API call had no strata or clusters: the same share, another standard error
    assert by_group[("PCODE1",)]["share_a"] == pytest.approx(rows[("PCODE1",)]["share_a"])
