"""The audit chain: events for every access, tamper detection naming the broken event (through
the CLI), and no fork under concurrent writers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from sqlalchemy import Engine, func, select, text
from tests.privacy.conftest import TestClient, World
from typer.testing import CliRunner

from safepath.cli import main
from safepath.privacy import audit
from safepath.privacy.actor import Actor, Role
from safepath.store.db import session_scope
from safepath.store.models import AuditEvent

ACTOR = Actor(user_id=7, username="cw", role=Role.caseworker, agency_id=1, ip="10.0.0.9")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safepath.cli", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )


def _append(n: int) -> None:
    with session_scope() as s:
        for i in range(n):
            audit.record(
                s,
                ACTOR,
                "read",
                "person",
                f"P-{i}",
                person_code=f"P-{i}",
                fields=["given_name", "phone"],
            )


def test_intact_chain_verifies_and_tampering_is_named(engine: Engine) -> None:
    _append(6)
    if not main.app.registered_groups:
        main._register()
    ok = CliRunner().invoke(main.app, ["audit", "verify"])  # in-process: quicker
    assert ok.exit_code == 0, ok.output
    assert "6 event(s) verified" in ok.stdout
    with session_scope() as s:
        ids = s.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
        target = ids[3]
        s.execute(
            text("UPDATE audit_events SET fields = '[\"phone\"]' WHERE id = :i"), {"i": target}
        )
    broken = cli("audit", "verify")
    assert broken.returncode != 0
    assert f"event {target}" in broken.stderr
    with session_scope() as s:
        result = audit.verify(s)
    assert (result.ok, result.broken_id, result.checked) == (False, target, 3)


def test_deleting_an_event_breaks_the_next_link(engine: Engine) -> None:
    _append(4)
    with session_scope() as s:
        ids = s.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
        s.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": ids[1]})
    with session_scope() as s:
        result = audit.verify(s)
    assert (result.ok, result.broken_id) == (False, ids[2])


def test_concurrent_writers_do_not_fork_the_chain(engine: Engine) -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            _append(10)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 40
        assert audit.verify(s).ok


def test_api_access_is_audited_with_who_what_where(client: TestClient, world: World) -> None:
    r = client.post(
        "/api/v1/persons",
        json={"given_name": "Amina", "phone": "+249 912 345 678"},
        headers=world.auth("caseworker"),
    )
    code = r.json()["code"]
    client.get(f"/api/v1/persons/{code}", headers=world.auth("caseworker"))
    r = client.get("/api/v1/audit/events", params={"person": code}, headers=world.auth("auditor"))
    assert r.status_code == 200
    events = r.json()
    assert [e["action"] for e in events] == ["read", "read", "create"]  # newest first
    create = events[-1]
    assert create["user"] == "caseworker.a" and create["role"] == "caseworker"
    assert create["ip"] == "testclient"
    assert {"given_name", "phone"} <= set(create["fields"])
    assert "Amina" not in r.text  # the trail names fields, never their values
    v = client.get("/api/v1/audit/verify", headers=world.auth("auditor")).json()
    assert v["ok"] is True and v["checked"] >= 3


def test_dp_focal_point_sees_their_agency_trail_only(client: TestClient, world: World) -> None:
    mine = client.post(
        "/api/v1/persons", json={"given_name": "Mine"}, headers=world.auth("caseworker")
    ).json()["code"]
    theirs = client.post(
        "/api/v1/persons", json={"given_name": "Theirs"}, headers=world.auth("other_agency")
    ).json()["code"]
    dp = client.get("/api/v1/audit/events", headers=world.auth("dp_focal_point")).json()
    assert mine in {e["person_code"] for e in dp} and theirs not in {e["person_code"] for e in dp}
    everything = client.get("/api/v1/audit/events", headers=world.auth("auditor")).json()
    assert {mine, theirs} <= {e["person_code"] for e in everything}
