"""Transaction discipline: a request's writes are committed before its response is sent, and a
commit that fails answers with an error, never a success."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safepath.app import create_app
from safepath.privacy import identity
from safepath.privacy.actor import Role
from safepath.privacy.keys import get_keyring, reset_keyring
from safepath.settings import reset_settings
from safepath.store.db import session_scope
from safepath.store.models.persons import Person

SRC = Path(__file__).resolve().parents[2] / "src" / "safepath"
PERSON = {"given_name": "Amal", "family_name": "Haddad", "sex": "female", "age": 29}


@pytest.fixture
def token(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A caseworker's bearer token (cheap argon2 parameters: the cost is not under test)."""
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_MEMORY_KIB", "1024")
    reset_settings()
    reset_keyring()
    with session_scope() as s:
        user = identity.add_user(s, "cw.tx", Role.caseworker, "agency-a", "pw-long-enough", ["t"])
        issued = identity.issue_token(s, user).token
    yield issued
    reset_settings()
    reset_keyring()


def _persons() -> int:
    with session_scope() as s:
        return int(s.scalar(select(func.count()).select_from(Person)) or 0)


class _OnCommit:
    """Runs ``action`` in every ORM commit while installed (removed again on exit)."""

    def __init__(self, action: Any) -> None:
        self.action = action

    def _listener(self, session: Session) -> None:
        self.action()

    def __enter__(self) -> _OnCommit:
        event.listen(Session, "before_commit", self._listener)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(Session, "before_commit", self._listener)


def _fail() -> None:
    raise RuntimeError("commit refused (test)")


def _conflict() -> None:
    raise IntegrityError("COMMIT", {}, Exception("deferred constraint violated (test)"))


@pytest.mark.parametrize(
    ("failure", "status", "code"),
    [(_fail, 500, "internal_error"), (_conflict, 409, "conflict")],
    ids=["error", "constraint"],
)
def test_a_failing_commit_never_answers_success(
    token: str, failure: Any, status: int, code: str
) -> None:
    before = _persons()
    with TestClient(create_app(), raise_server_exceptions=False) as client, _OnCommit(failure):
        r = client.post(
            "/api/v1/persons", json=PERSON, headers={"Authorization": f"Bearer {token}"}
        )
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    assert _persons() == before  # rolled back, not half-written


@pytest.fixture
def live_url(token: str) -> Iterator[str]:
    """The app under uvicorn in a thread: unlike TestClient, a real server sends the response
    before the request's remaining cleanup has run, which is what this test is about."""
    # The development key file is created on first use, and that first use is not safe under
    # concurrency (see the branch report); create it before the parallel requests start.
    get_keyring()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def test_parallel_writers_read_their_own_writes(token: str, live_url: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}

    def write_then_read(i: int) -> tuple[int, int]:
        with httpx.Client(base_url=live_url, headers=headers, timeout=60) as http:
            made = http.post("/api/v1/persons", json={**PERSON, "age": 20 + i})
            assert made.status_code == 201, made.text
            got = http.get(f"/api/v1/persons/{made.json()['code']}")
            return got.status_code, int(got.json().get("age", -1))

    # A slow commit (a loaded database) widens the window in which a response sent before its
    # commit would let the client's next read miss the record.
    with _OnCommit(lambda: time.sleep(0.1)), ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(write_then_read, range(8)))
    assert results == [(200, 20 + i) for i in range(8)]


def test_one_database_session_dependency() -> None:
    """Every route takes the session through ``safepath.http.db.DB``: a second
    ``Depends(db_session)`` would miss the function scope and open a second session."""
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path != SRC / "http" / "db.py" and "db_session" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
