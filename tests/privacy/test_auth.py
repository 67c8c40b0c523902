"""Authentication: argon2id hashes, throttling, token expiry and revocation, disabled users, page
sessions with CSRF, security headers."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from tests.privacy.conftest import PASSWORD, TestClient, World

from safepath.privacy import identity
from safepath.privacy.actor import Role
from safepath.store.db import session_scope
from safepath.store.models import ApiToken, AuditEvent, User, WebSession


def _token(
    client: TestClient, username: str, password: str = PASSWORD
) -> tuple[int, dict[str, object]]:
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    return r.status_code, r.json()


def test_passwords_are_argon2id_and_never_stored(world: World) -> None:
    with session_scope() as s:
        hashes = s.scalars(select(User.password_hash)).all()
    assert len(hashes) == len(Role) + 1  # one per role, and agency B's caseworker
    assert all(h.startswith("$argon2id$v=19$") for h in hashes)
    assert not any(PASSWORD in h for h in hashes)
    assert len(set(hashes)) == len(hashes)  # salted


def test_token_flow_and_me(client: TestClient, world: World) -> None:
    status, body = _token(client, "supervisor.a")
    assert status == 200
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {
        "username": "supervisor.a",
        "role": "supervisor",
        "agency": "agency-a",
        "language": "en",
    }
    with session_scope() as s:  # only the hash is stored
        stored = s.scalars(select(ApiToken.token_hash)).all()
    assert body["access_token"] not in stored
    assert identity.sha256(str(body["access_token"])) in stored


def test_wrong_password_and_unknown_user_answer_alike(client: TestClient, world: World) -> None:
    s1, b1 = _token(client, "caseworker.a", "wrong password")
    s2, b2 = _token(client, "nobody", "wrong password")
    assert (s1, s2) == (401, 401)
    assert (
        b1
        == b2
        == {"error": {"code": "not_authenticated", "message": "wrong username or password"}}
    )


def test_throttling_after_repeated_failures(client: TestClient, world: World) -> None:
    statuses = [_token(client, "analyst.a", f"guess-{i}")[0] for i in range(5)]
    assert statuses == [401] * 5
    r = client.post("/api/v1/auth/token", data={"username": "analyst.a", "password": PASSWORD})
    assert r.status_code == 429  # even the right password, while locked
    assert int(r.headers["retry-after"]) > 0
    assert r.json()["error"]["code"] == "too_many_requests"
    assert _token(client, "auditor.a")[0] == 200  # other accounts are not locked


def test_expired_and_revoked_tokens_are_refused(client: TestClient, world: World) -> None:
    h = world.auth("caseworker")
    assert client.get("/api/v1/auth/me", headers=h).status_code == 200
    assert client.post("/api/v1/auth/revoke", headers=h).json() == {"revoked": True}
    r = client.get("/api/v1/auth/me", headers=h)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    h2 = world.auth("supervisor")
    with session_scope() as s:
        s.execute(update(ApiToken).values(expires_at=identity.now() - timedelta(seconds=1)))
    assert client.get("/api/v1/auth/me", headers=h2).status_code == 401
    assert (
        client.get("/api/v1/persons", headers={"Authorization": "Bearer forged"}).status_code == 401
    )


def test_disabled_user_loses_access_at_once(client: TestClient, world: World) -> None:
    h = world.auth("caseworker")
    with session_scope() as s:
        identity.set_disabled(s, "caseworker.a")
    assert client.get("/api/v1/persons", headers=h).status_code == 401
    assert _token(client, "caseworker.a")[0] == 401


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m
    return m.group(1)


def test_login_page_session_and_csrf(client: TestClient, world: World) -> None:
    # no session: the account page sends to the login form
    r = client.get("/account", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/account"
    page = client.get("/login")
    assert page.status_code == 200 and "csrf_token" in page.text
    # a form posted without the token (cross-site) is refused
    r = client.post(
        "/login", data={"username": "caseworker.a", "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 403
    r = client.post(
        "/login",
        data={"username": "caseworker.a", "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    r = client.post(
        "/login",
        data={
            "username": "caseworker.a",
            "password": PASSWORD,
            "csrf_token": _csrf(page.text),
            "next": "//evil.example",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/work"  # no open redirect
    cookie = r.headers["set-cookie"]
    assert "safepath_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    account = client.get("/account")
    assert account.status_code == 200 and "caseworker.a" in account.text
    # logging out needs the session's CSRF token too
    assert client.post("/logout", data={}, follow_redirects=False).status_code == 403
    r = client.post("/logout", data={"csrf_token": _csrf(account.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_session_idle_timeout(client: TestClient, world: World) -> None:
    page = client.get("/login")
    client.post(
        "/login",
        data={"username": "auditor.a", "password": PASSWORD, "csrf_token": _csrf(page.text)},
    )
    assert client.get("/account", follow_redirects=False).status_code == 200
    with session_scope() as s:
        s.execute(update(WebSession).values(last_seen_at=identity.now() - timedelta(hours=1)))
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_login_page_is_translated(client: TestClient) -> None:
    assert "Se connecter" in client.get("/login?lang=fr").text
    assert "Iniciar sesión" in client.get("/login?lang=es").text
    ar = client.get("/login?lang=ar").text
    assert "تسجيل الدخول" in ar and 'dir="rtl"' in ar


@pytest.mark.parametrize("path", ["/api/v1/persons", "/login", "/healthz"])
def test_security_headers(client: TestClient, path: str) -> None:
    r = client.get(path)
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"


def test_parallel_guesses_evaluate_at_most_the_limit(client: TestClient, world: World) -> None:
    """40 guesses at once for one account: at most 5 passwords are checked, the rest answer 429,
    nothing answers 500, and the correct password is refused while the account is locked."""
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda i: _token(client, "analyst.a", f"guess-{i}")[0], range(40)))
    assert set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) <= 5 and statuses.count(429) >= 35
    with session_scope() as s:
        evaluated = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "login_failed", AuditEvent.record_type == "user")
        )
    assert evaluated is not None and evaluated <= 5
    assert _token(client, "analyst.a", PASSWORD)[0] == 429
    assert _token(client, "auditor.a")[0] == 200  # another account is unaffected
