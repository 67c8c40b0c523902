"""``GET /api/v1/analysis/rounds/{round}/trends|alerts`` on two stored MSNA rounds: the model
found from the round's form, the earlier round found by creation time, the same figures as
``round_trends``; analysts only; unknown names answer 404 or 422, never a server path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

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
    from safepath.app import create_app

    with TestClient(create_app()) as c:
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
