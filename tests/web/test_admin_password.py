"""An admin resets a user's password in the web: own agency only, the strength rules apply, the
user's sessions end, the old password stops working, the audit trail names the field only."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.apps import shared_app

from safepath.privacy import identity
from safepath.settings import reset_settings
from safepath.store.db import session_scope
from safepath.store.models.audit import AuditEvent

OLD = "tern lagoon 123 quartz"
NEW = "heron basalt 456 maple"


@pytest.fixture
def app(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_MEMORY_KIB", "1024")
    reset_settings()
    with session_scope() as s:
        identity.add_user(s, "boss", "admin", "agency-a", OLD)
        identity.add_user(s, "cw", "caseworker", "agency-a", OLD, ["north"])
        identity.add_user(s, "bcw", "caseworker", "agency-b", OLD, ["south"])
    with TestClient(shared_app(), follow_redirects=False) as c:
        yield c


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def _login(client: TestClient, user: str, password: str) -> int:
    client.cookies.clear()
    return client.post(
        "/login",
        data={
            "username": user,
            "password": password,
            "csrf_token": _token(client.get("/login").text),
        },
    ).status_code


def test_admin_resets_a_password_of_their_agency(app: TestClient) -> None:
    other = TestClient(app.app, follow_redirects=False)
    assert _login(other, "cw", OLD) == 303
    assert other.get("/work").status_code == 200
    assert _login(app, "boss", OLD) == 303
    page = app.get("/admin").text
    assert 'action="/admin/users/cw/password"' in page
    assert 'action="/admin/users/boss/password"' not in page  # not for oneself
    token = _token(page)
    weak = app.post("/admin/users/cw/password", data={"csrf_token": token, "password": "short"})
    assert weak.status_code == 422 and 'class="error"' in weak.text
    r = app.post("/admin/users/cw/password", data={"csrf_token": token, "password": NEW})
    assert r.status_code == 303 and r.headers["location"] == "/admin?done=password&user=cw"
    assert "The password of cw is reset" in app.get(r.headers["location"]).text
    # the user's open session ended; the old password no longer works, the new one does
    assert other.get("/work").status_code == 303
    assert _login(other, "cw", OLD) == 401
    assert _login(other, "cw", NEW) == 303
    with session_scope() as s:
        uid = identity.find_user(s, "cw").id
        fields = s.scalars(
            select(AuditEvent.fields).where(
                AuditEvent.action == "user_admin", AuditEvent.record_id == str(uid)
            )
        ).all()
    assert '["password_hash"]' in fields and all(NEW not in f for f in fields)


def test_no_reset_across_agencies_nor_by_other_roles(app: TestClient) -> None:
    assert _login(app, "boss", OLD) == 303
    token = _token(app.get("/admin").text)
    r = app.post("/admin/users/bcw/password", data={"csrf_token": token, "password": NEW})
    assert r.status_code == 403
    own = app.post("/admin/users/boss/password", data={"csrf_token": token, "password": NEW})
    assert own.status_code == 422
    assert _login(app, "bcw", OLD) == 303
    assert _login(app, "cw", OLD) == 303
    token = _token(app.get("/account").text)
    r = app.post("/admin/users/bcw/password", data={"csrf_token": token, "password": NEW})
    assert r.status_code == 403
    assert _login(app, "bcw", OLD) == 303 and _login(app, "boss", OLD) == 303
