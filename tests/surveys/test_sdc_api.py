"""The disclosure API: risk of a round or an upload, anonymisation, and a round's export through
the policy (422 with the figures when refused; one audit event per export)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.surveys.conftest import bearer
from tests.surveys.rounds_for_export import store_round

from safepath.privacy.actor import Role
from safepath.store.db import session_scope
from safepath.store.models import AuditEvent


def _decisions() -> list[str]:
    with session_scope() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
        return [
            f.split("=", 1)[1]
            for e in events
            for f in json.loads(e.fields)
            if f.startswith("disclosure.decision=")
        ]


def test_round_export_released_refused_and_anonymised(client: TestClient, tmp_path: Path) -> None:
    store_round(tmp_path, "safe")
    store_round(tmp_path, "risky", unique=2)
    auth = bearer(Role.analyst)
    r = client.get("/api/v1/surveys/rounds/safe/export", headers=auth)
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == 'attachment; filename="safe.csv"'
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 160 and "resp_name" not in rows[0] and rows[0]["hh_size"] == "2"
    r = client.get("/api/v1/surveys/rounds/risky/export", headers=auth)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "disclosure_refused"
    assert "2 record(s) below 3-anonymity" in error["message"]
    assert any("fewer than 3 records" in p["message"] for p in error["problems"])
    r = client.get("/api/v1/surveys/rounds/risky/export?anonymise=true&format=json", headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["disclosure"]["decision"] == "anonymised"
    assert body["disclosure"]["suppressed"]["hh_size"] == 2
    assert sum(rec["hh_size"] is None for rec in body["records"]) == 2
    assert _decisions() == ["released", "refused", "anonymised"]
    assert client.get("/api/v1/surveys/rounds/nope/export", headers=auth).status_code == 404
    cw = bearer(Role.caseworker)
    assert client.get("/api/v1/surveys/rounds/safe/export", headers=cw).status_code == 403
    assert len(_decisions()) == 3  # a refused role exports nothing, so nothing is recorded


def test_risk_of_a_round_and_of_an_upload(client: TestClient, tmp_path: Path) -> None:
    store_round(tmp_path, "risky", unique=2)
    auth = bearer(Role.dp_focal_point)
    r = client.post(
        "/api/v1/sdc/risk", headers=auth, data={"round": "risky", "keys": "hh_size,displaced"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["k_violations"] == {"2": 2, "3": 2, "5": 2}
    assert body["global_risk"] == pytest.approx((2 + 160 / 40) / 162)
    upload = b"A,B\n1,x\n1,x\n2,\n3,y\n"
    r = client.post(
        "/api/v1/sdc/risk",
        headers=auth,
        data={"keys": "A,B", "records": "true"},
        files={"file": ("micro.csv", upload)},
    )
    assert r.status_code == 200, r.text
    # the missing B of record 3 matches any category: only A=2 counts
    assert [(x["fk"], x["risk"]) for x in r.json()["records"]] == [
        (2, 0.5),
        (2, 0.5),
        (1, 1.0),
        (1, 1.0),
    ]
    both = client.post(
        "/api/v1/sdc/risk",
        headers=auth,
        data={"keys": "A", "round": "risky"},
        files={"file": ("micro.csv", upload)},
    )
    assert both.status_code == 422
    missing = client.post(
        "/api/v1/sdc/risk", headers=auth, data={"round": "risky", "keys": "hh_size,nope"}
    )
    assert missing.status_code == 422 and "nope" in missing.text
    assert _decisions() == []  # measuring is not an export


def test_anonymise_a_round_is_an_audited_export(client: TestClient, tmp_path: Path) -> None:
    store_round(tmp_path, "risky", unique=2)
    auth = bearer(Role.analyst)
    r = client.post(
        "/api/v1/sdc/anonymise", headers=auth, data={"round": "risky", "keys": "hh_size"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["decision"] == "anonymised" and body["before"]["max_risk"] == 1.0
    assert body["records_below_k"] == 0 and len(body["records"]) == 162
    assert _decisions() == ["anonymised"]
    upload = b"A,B\n1,x\n1,x\n1,x\n2,y\n"
    r = client.post(
        "/api/v1/sdc/anonymise",
        headers=auth,
        data={"keys": "A,B", "importance": "A,B"},
        files={"file": ("micro.csv", upload)},
    )
    assert r.status_code == 200, r.text
    # B (less important) blanked first is not enough: A=2 is still alone, so A goes too
    assert r.json()["suppressed"] == {"A": 1, "B": 1}
    assert r.json()["after"]["k_violations"]["3"] == 0
    assert r.json()["records"][3] == {"A": None, "B": None}
    assert _decisions() == ["anonymised"]  # the caller's own file: nothing of the store left
