"""The demo's area profile matches its places, so every demo assessment carries all four levels
of the approach (individual, household, community, structural); the area profile command stores
an operation's profile idempotently and refuses P-codes that are not places."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import Engine, func, select
from tests.cli_process import run_cli

from safepath.demo import cases as demo_cases
from safepath.demo import load_demo
from safepath.store.db import dispose_engines, session_scope
from safepath.store.models import AreaProfileRow, Assessment

LEVELS = {"individual", "household", "community", "structural"}


def test_every_demo_assessment_has_the_four_levels(engine: Engine) -> None:
    lines = load_demo()
    assert any("area profile (safepath-domv-v1): 18 districts" in line for line in lines)
    demo_cases.load(30)
    with session_scope() as s:
        rows = s.scalars(select(Assessment)).all()
        assert len(rows) >= 30
        for a in rows:
            assert set(a.explanation["levels"]) == LEVELS, (a.id, sorted(a.explanation["levels"]))
            missing = set(a.explanation.get("unanswered", []))
            assert not missing & {"armed_presence", "movement_policy"}, missing
    again = load_demo()  # idempotent
    assert any("(already loaded)" in line and "area profile" in line for line in again)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(list(args))  # the test's own settings (the db_url fixture's)


def test_area_profile_cli_is_idempotent_and_checks_pcodes(engine: Engine, tmp_path: Path) -> None:
    load_demo()
    dispose_engines()
    good = tmp_path / "profile.csv"
    good.write_text(
        "pcode,armed_presence,eo_contamination,social_tension_index,cbpm,services_functional_pct,"
        "conflict_events_90d,movement_policy,deportation_risk,civil_registration_open\n"
        "XM0101,permanent,confirmed,90,none,10,300,siege,high,no\n",
        encoding="utf-8",
    )
    first = _cli("places", "area-profile", str(good), "--model", "safepath-domv-v1")
    assert first.returncode == 0, first.stderr
    assert "0 added, 1 updated, 0 unchanged" in first.stdout
    second = _cli("places", "area-profile", str(good), "--model", "safepath-domv-v1")
    assert "0 added, 0 updated, 1 unchanged" in second.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(good.read_text().replace("XM0101", "ZZ9999"), encoding="utf-8")
    refused = _cli("places", "area-profile", str(bad), "--model", "safepath-domv-v1")
    assert refused.returncode == 2 and "ZZ9999" in refused.stderr
    dupe = tmp_path / "dupe.csv"
    text = good.read_text()
    dupe.write_text(text + text.splitlines()[1] + "\n", encoding="utf-8")
    refused = _cli("places", "area-profile", str(dupe), "--model", "safepath-domv-v1")
    assert refused.returncode == 2 and "duplicate P-codes XM0101" in refused.stderr
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(AreaProfileRow)) == 18
        row = s.get(AreaProfileRow, ("safepath-domv-v1", "XM0101"))
        assert row is not None and row.values["armed_presence"] == "permanent"
