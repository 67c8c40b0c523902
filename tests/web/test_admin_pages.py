"""User administration stays inside the admin's own agency: an admin cannot create (or disable)
a user of another agency and so cannot sign in as one to read that agency's persons; granting a
role that reads personal data is an audit event of its own; the new-user form starts on the least
privileged role."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.apps import shared_app
from tests.cli_process import run_cli

from safepath.privacy import identity
from safepath.store.db import session_scope
from safepath.store.models import Organisation, User
from safepath.store.models.audit import AuditEvent

PASSWORD = "tern lagoon 123 quartz"


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


@pytest.fixture
def admin(db_url: str) -> Iterator[TestClient]:
    with session_scope() as s:
        identity.add_user(s, "boss", "admin", "agency-a", PASSWORD)
        identity.add_user(s, "bcw", "caseworker", "agency-b", PASSWORD)
    with TestClient(shared_app(), follow_redirects=False) as client:
        r = client.post(
            "/login",
            data={
                "username": "boss",
                "password": PASSWORD,
                "csrf_token": _token(client.get("/login").text),
                "next": "/admin",
            },
        )
        assert r.status_code == 303
        yield client


def _new_user(client: TestClient, agency: str, role: str, name: str = "spy") -> int:
    token = _token(client.get("/admin").text)
    data = {"csrf_token": token, "username": name, "role": role, "password": "tern lagoon 1 quartz"}
    if agency:
        data["agency"] = agency
    return client.post("/admin/users", data=data).status_code


def test_admin_cannot_create_a_user_in_another_agency(admin: TestClient) -> None:
    assert _new_user(admin, "agency-b", "dp_focal_point") == 403
    assert _new_user(admin, "agency-new", "dp_focal_point") == 403
    with session_scope() as s:
        assert s.scalar(select(User).where(User.username == "spy")) is None
    # the sign-in as that user, which read the other agency's persons, is impossible
    admin.cookies.clear()
    r = admin.post(
        "/login",
        data={
            "username": "spy",
            "password": "tern lagoon 1 quartz",
            "csrf_token": _token(admin.get("/login").text),
            "next": "/work",
        },
    )
    assert r.status_code == 401


def test_admin_cannot_disable_or_enable_another_agencys_user(admin: TestClient) -> None:
    token = _token(admin.get("/admin").text)
    assert admin.post("/admin/users/bcw/disable", data={"csrf_token": token}).status_code == 403
    assert admin.post("/admin/users/bcw/enable", data={"csrf_token": token}).status_code == 403
    with session_scope() as s:
        assert not identity.find_user(s, "bcw").disabled


def test_form_offers_own_agency_and_least_privileged_role(admin: TestClient) -> None:
    html = admin.get("/admin").text
    agencies = re.search(r'<select id="new-agency" name="agency">(.*?)</select>', html)
    assert agencies and re.findall(r'value="([^"]+)"', agencies.group(1)) == ["agency-a"]
    roles = re.search(r'<select id="new-role" name="role">(.*?)</select>', html)
    assert roles
    selected = re.findall(r'<option value="([^"]+)" selected>', roles.group(1))
    assert selected == [identity.LEAST_PRIVILEGED.value] and selected != ["admin"]
    assert identity.LEAST_PRIVILEGED.value == "auditor"
    assert "bcw" not in html  # other agencies' users are not listed either
    # a post without agency or role creates the least privileged user in the own agency
    token = _token(html)
    r = admin.post(
        "/admin/users",
        data={"csrf_token": token, "username": "quiet", "password": "tern lagoon 1 quartz"},
    )
    assert r.status_code == 303
    with session_scope() as s:
        user = identity.find_user(s, "quiet")
        assert user.role == "auditor"
        assert s.get(Organisation, user.organisation_id) == s.scalar(
            select(Organisation).where(Organisation.code == "agency-a")
        )


def _grants(username: str) -> list[list[str]]:
    with session_scope() as s:
        uid = identity.find_user(s, username).id
        rows = s.scalars(
            select(AuditEvent.fields).where(
                AuditEvent.action == "user_admin",
                AuditEvent.record_type == "user",
                AuditEvent.record_id == str(uid),
            )
        ).all()
    return [json.loads(f) for f in rows]


def test_granting_a_personal_data_role_is_audited_apart(admin: TestClient) -> None:
    assert _new_user(admin, "agency-a", "dp_focal_point", "dpo") == 303
    assert ["role_granted:dp_focal_point"] in _grants("dpo")
    assert _new_user(admin, "", "auditor", "aud") == 303
    grants = _grants("aud")
    assert grants == [["created", "role"]]  # created, but no personal-data grant


_cli = run_cli


def test_cli_grant_is_audited(tmp_path: Path) -> None:
    r = _cli(
        [
            "users",
            "add",
            "--username",
            "ana",
            "--role",
            "analyst",
            "--agency",
            "agency-a",
            "--password",
            "tern lagoon 1 quartz",
        ],
        tmp_path,
    )
    assert r.returncode == 0, r.stderr
    import sqlite3

    con = sqlite3.connect(tmp_path / "safepath.db")
    fields = [
        json.loads(f)
        for (f,) in con.execute("select fields from audit_events where action = 'user_admin'")
    ]
    con.close()
    assert ["role_granted:analyst"] in fields
