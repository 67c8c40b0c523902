"""Leaks at the edges: no answer that may hold personal data is cacheable, and a GET never
writes to the database (``?lang=`` switches the language in a cookie only)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from tests.apps import shared_app

from safepath.privacy import identity
from safepath.store.db import get_engine, session_scope

PASSWORD = "tern lagoon 123 quartz"


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with session_scope() as s:
        identity.add_user(s, "cw", "caseworker", "agency-a", PASSWORD, ["north"])
    with TestClient(shared_app(), follow_redirects=False) as c:
        yield c


def _sign_in(client: TestClient) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    r = client.post(
        "/login",
        data={"username": "cw", "password": PASSWORD, "csrf_token": token.group(1), "next": "/"},
    )
    assert r.status_code == 303


def test_no_store_on_every_answer_but_static_and_health(client: TestClient) -> None:
    anonymous = ["/login", "/work", "/api/v1/persons", "/no-such-page"]
    for path in anonymous:
        assert client.get(path).headers.get("cache-control") == "no-store", path
    _sign_in(client)
    for path in ["/work", "/cases", "/account", "/register", "/cases/CS-NOPE", "/"]:
        assert client.get(path).headers.get("cache-control") == "no-store", path
    with session_scope() as s:
        token = identity.issue_token(s, identity.find_user(s, "cw")).token
    api = client.get("/api/v1/persons", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and api.headers["cache-control"] == "no-store"
    static = re.search(r'href="(/static/[^"]+)"', client.get("/work").text)
    assert static
    asset = client.get(static.group(1))
    assert asset.status_code == 200 and asset.headers.get("cache-control") != "no-store"
    health = client.get("/healthz")
    assert health.status_code == 200 and health.headers.get("cache-control") != "no-store"


def test_language_switch_on_a_get_writes_nothing(client: TestClient) -> None:
    _sign_in(client)
    client.get("/work")
    writes: list[str] = []

    def spy(conn: object, cursor: object, statement: str, *args: object) -> None:
        if re.match(r"\s*(UPDATE|INSERT|DELETE)\b", statement, re.I) and re.search(
            r"\busers\b", statement
        ):
            writes.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", spy)
    try:
        r = client.get("/work", params={"lang": "fr"})
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    assert r.status_code == 200 and 'lang="fr"' in r.text
    assert "safepath_lang=fr" in r.headers.get("set-cookie", "")
    assert writes == []
    with session_scope() as s:
        assert identity.find_user(s, "cw").language == "en"
