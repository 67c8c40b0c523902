"""The real server (``safepath serve``, several worker processes) under simultaneous clients:
bursts of reads of one person all answer 200, ``/healthz`` answers during and after, and every
read is audited in a chain that verifies. (Before the transaction and audit-chain fixes, 45
simultaneous reads hung a PostgreSQL server for good and answered 500 on SQLite.)"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import Engine, func, select

from safepath.privacy import audit, identity, persons
from safepath.privacy.actor import Role
from safepath.privacy.keys import get_keyring
from safepath.privacy.person_schema import ConsentIn, PersonIn
from safepath.settings import reset_settings
from safepath.store.db import dispose_engines, session_scope
from safepath.store.models import AuditEvent

pytestmark = pytest.mark.slow


@dataclass
class Live:
    url: str
    token: str
    person: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


LOGINS = 100
PASSWORD = "quiet orchard 58"


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server and the test hash with a low argon2 cost (inherited by the server process):
    the login burst measures the server's concurrency, not 100 × 64 MiB of hashing."""
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_MEMORY_KIB", "1024")
    reset_settings()


@pytest.fixture
def live(engine: Engine) -> Iterator[Live]:
    get_keyring()
    with session_scope() as s:
        user = identity.add_user(s, "cw.load", Role.caseworker, "agency-a", PASSWORD)
        actor = identity.actor_for(user)
        token = identity.issue_token(s, user).token
        person = persons.create(
            s,
            actor,
            PersonIn(
                given_name="Amal",
                phone="+249 912 000 111",
                consents=[ConsentIn(purpose="case_management")],
            ),
        )["code"]
    dispose_engines()
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "safepath.cli", "serve", "--port", str(port), "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"server did not start: {proc.communicate()[1][-3000:]}")
        time.sleep(0.2)
    try:
        yield Live(url, token, person)
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def _burst(live: Live, n: int, logins: bool = False) -> tuple[list[int | str], list[int | str]]:
    """``n`` simultaneous reads of one person (or logins of ``n`` users), with /healthz polled
    all the while."""
    statuses: list[int | str] = []
    health: list[int | str] = []
    stop = threading.Event()
    barrier = threading.Barrier(n)

    def read(i: int) -> int | str:
        with httpx.Client(timeout=30) as client:
            barrier.wait(timeout=30)
            try:
                if logins:
                    form = {"username": f"cw.login{i:03d}", "password": PASSWORD}
                    return client.post(f"{live.url}/api/v1/auth/token", data=form).status_code
                r = client.get(
                    f"{live.url}/api/v1/persons/{live.person}",
                    headers={"Authorization": f"Bearer {live.token}"},
                )
                return r.status_code
            except httpx.HTTPError as exc:
                return type(exc).__name__

    def poll() -> None:
        with httpx.Client(timeout=10) as client:
            while not stop.is_set():
                try:
                    health.append(client.get(f"{live.url}/healthz").status_code)
                except httpx.HTTPError as exc:
                    health.append(type(exc).__name__)
                time.sleep(0.05)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        with ThreadPoolExecutor(max_workers=n) as pool:
            statuses = list(pool.map(read, range(n)))
    finally:
        stop.set()
        poller.join()
    return statuses, health


def _reads(person: str) -> int:
    with session_scope() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "read", AuditEvent.person_code == person)
            )
            or 0
        )


def test_simultaneous_reads_of_one_person(live: Live) -> None:
    """45 (the burst that hung the first version) then 100 at once, on one server (a server
    start is three processes importing the app)."""
    for n in (45, 100):
        before = _reads(live.person)
        statuses, health = _burst(live, n)
        assert statuses == [200] * n, (n, {s: statuses.count(s) for s in set(statuses)})
        assert health and set(health) == {200}, (n, health)
        assert httpx.get(f"{live.url}/healthz", timeout=5).status_code == 200
        with session_scope() as s:
            result = audit.verify(s)
        assert _reads(live.person) - before == n  # every read of personal data is audited
        assert result.ok and result.pending == 0


def _logins() -> int:
    with session_scope() as s:
        n = s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "login")
        )
        return int(n or 0)


def test_simultaneous_logins_of_100_users(live: Live) -> None:
    """Each login counts a throttle slot and appends to the audit chain: all succeed, none waits
    for ever, and the chain verifies."""
    with session_scope() as s:  # the server reads them from the same database
        for i in range(LOGINS):
            identity.add_user(
                s, f"cw.login{i:03d}", Role.caseworker, "agency-a", PASSWORD, check_strength=False
            )
    before = _logins()
    statuses, health = _burst(live, LOGINS, logins=True)
    assert statuses == [200] * LOGINS, {s: statuses.count(s) for s in set(statuses)}
    assert health and set(health) == {200}, health
    with session_scope() as s:
        result = audit.verify(s)
    assert _logins() - before == LOGINS
    assert result.ok and result.pending == 0
