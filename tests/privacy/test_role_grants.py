"""Granting a role that reads personal data: audited as such, and with
``SAFEPATH_ROLE_GRANT_APPROVAL`` held until a second admin of the same agency approves it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select
from tests.privacy.conftest import AGENCY_A, AGENCY_B, PASSWORD, TestClient

from safepath.privacy import identity
from safepath.privacy.actor import Role
from safepath.settings import reset_settings
from safepath.store.db import session_scope
from safepath.store.models import RoleGrant
from safepath.store.models.audit import AuditEvent

API = "/api/v1"
NEW_PASSWORD = "tern lagoon 123 quartz"


@pytest.fixture
def admins(engine: Engine) -> dict[str, str]:
    """Bearer tokens: two admins of agency A and one of agency B."""
    tokens = {}
    with session_scope() as s:
        for name, agency in (("first", AGENCY_A), ("second", AGENCY_A), ("other", AGENCY_B)):
            user = identity.add_user(s, f"{name}.admin", Role.admin, agency, PASSWORD)
            tokens[name] = identity.issue_token(s, user).token
    return tokens


@pytest.fixture
def approval(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SAFEPATH_ROLE_GRANT_APPROVAL", "true")
    reset_settings()
    yield
    reset_settings()


def _auth(tokens: dict[str, str], who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[who]}"}


def _create(client: TestClient, tokens: dict[str, str], role: str, name: str) -> Any:
    body = {"username": name, "password": NEW_PASSWORD, "role": role, "teams": ["north"]}
    return client.post(f"{API}/users", json=body, headers=_auth(tokens, "first"))


def _signs_in(client: TestClient, name: str) -> bool:
    r = client.post(f"{API}/auth/token", data={"username": name, "password": NEW_PASSWORD})
    assert r.status_code in (200, 401), r.text
    return r.status_code == 200


def _events(name: str) -> list[tuple[str, list[str]]]:
    with session_scope() as s:
        uid = str(identity.find_user(s, name).id)
        rows = s.execute(
            select(AuditEvent.username, AuditEvent.fields)
            .where(AuditEvent.action == "user_admin", AuditEvent.record_id == uid)
            .order_by(AuditEvent.id)
        ).all()
    return [(who, json.loads(fields)) for who, fields in rows]


def test_without_approval_a_grant_applies_at_once_and_is_audited_as_such(
    client: TestClient, admins: dict[str, str]
) -> None:
    r = _create(client, admins, "caseworker", "cw.new")
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["status"], body["role"], body["agency"], body["teams"]) == (
        "active",
        "caseworker",
        AGENCY_A,
        ["north"],
    )
    assert body["grant"] is None
    assert _signs_in(client, "cw.new")
    assert _events("cw.new") == [
        ("first.admin", ["created", "role"]),
        ("first.admin", ["role_granted:caseworker"]),
    ]
    grants = client.get(f"{API}/role-grants", headers=_auth(admins, "first")).json()
    assert [(g["username"], g["status"], g["decided_by"]) for g in grants] == [
        ("cw.new", "approved", "first.admin")
    ]


def test_with_approval_a_second_admin_of_the_agency_must_approve(
    client: TestClient, admins: dict[str, str], approval: None
) -> None:
    r = _create(client, admins, "supervisor", "sup.new")
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "pending_approval"
    grant = r.json()["grant"]
    assert (grant["role"], grant["status"], grant["requested_by"]) == (
        "supervisor",
        "pending",
        "first.admin",
    )
    assert not _signs_in(client, "sup.new")  # held: the user is disabled meanwhile
    url = f"{API}/role-grants/{grant['id']}/approval"

    # the admin who asked cannot approve, nor enable the user around the grant
    r = client.post(url, headers=_auth(admins, "first"))
    assert r.status_code == 403 and "another admin" in r.json()["error"]["message"]
    with session_scope() as s:
        first = identity.actor_for(identity.find_user(s, "first.admin"))
        with pytest.raises(Exception, match="awaits another admin"):
            identity.admin_set_disabled(s, first, "sup.new", False)
    # an admin of another agency does not even see it
    assert client.post(url, headers=_auth(admins, "other")).status_code == 404
    listed = client.get(f"{API}/role-grants", headers=_auth(admins, "other")).json()
    assert listed == []
    assert not _signs_in(client, "sup.new")

    r = client.post(url, headers=_auth(admins, "second"))
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["decided_by"]) == ("approved", "second.admin")
    assert _signs_in(client, "sup.new")
    assert _events("sup.new") == [
        ("first.admin", ["created", "role"]),
        ("first.admin", ["role_grant_requested:supervisor"]),
        ("second.admin", ["role_granted:supervisor"]),
    ]
    assert client.post(url, headers=_auth(admins, "second")).status_code == 409  # decided


def test_with_approval_a_refused_grant_leaves_the_user_disabled(
    client: TestClient, admins: dict[str, str], approval: None
) -> None:
    grant = _create(client, admins, "dp_focal_point", "dpo.new").json()["grant"]
    r = client.post(f"{API}/role-grants/{grant['id']}/rejection", headers=_auth(admins, "second"))
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert not _signs_in(client, "dpo.new")
    assert _events("dpo.new")[-1] == ("second.admin", ["role_grant_rejected:dp_focal_point"])
    pending = client.get(
        f"{API}/role-grants", params={"status": "pending"}, headers=_auth(admins, "second")
    )
    assert pending.json() == []


def test_with_approval_a_role_without_personal_data_is_not_held(
    client: TestClient, admins: dict[str, str], approval: None
) -> None:
    r = _create(client, admins, "auditor", "aud.new")
    assert r.status_code == 201 and r.json()["status"] == "active"
    assert _signs_in(client, "aud.new")
    with session_scope() as s:
        assert s.scalars(select(RoleGrant)).all() == []


def test_only_admins_create_users_and_passwords_are_checked(
    client: TestClient, admins: dict[str, str]
) -> None:
    with session_scope() as s:
        cw = identity.add_user(s, "cw.a", Role.caseworker, AGENCY_A, PASSWORD)
        token = identity.issue_token(s, cw).token
    body = {"username": "x.new", "password": NEW_PASSWORD, "role": "caseworker"}
    r = client.post(f"{API}/users", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403
    r = client.post(
        f"{API}/users",
        json={**body, "password": "short"},
        headers=_auth(admins, "first"),
    )
    assert r.status_code == 422
    assert _create(client, admins, "caseworker", "cw.a").status_code == 409  # exists


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:300]
    return found.group(1)


def _login(client: TestClient, name: str) -> None:
    r = client.post(
        "/login",
        data={
            "username": name,
            "password": PASSWORD,
            "csrf_token": _csrf(client.get("/login").text),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def test_the_admin_page_lists_pending_grants_for_a_second_admin_to_approve(
    client: TestClient, admins: dict[str, str], approval: None
) -> None:
    grant = _create(client, admins, "caseworker", "cw.page").json()["grant"]
    _login(client, "first.admin")
    page = client.get("/admin").text
    assert "cw.page" in page and "Role grants awaiting approval" in page
    assert f"/admin/grants/{grant['id']}/approve" not in page  # not for the admin who asked
    client.post("/logout", data={"csrf_token": _csrf(page)}, follow_redirects=False)
    client.cookies.clear()

    _login(client, "second.admin")
    page = client.get("/admin").text
    assert f"/admin/grants/{grant['id']}/approve" in page
    r = client.post(
        f"/admin/grants/{grant['id']}/approve",
        data={"csrf_token": _csrf(page)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert _signs_in(client, "cw.page")
    assert "Role grants awaiting approval" not in client.get("/admin").text
