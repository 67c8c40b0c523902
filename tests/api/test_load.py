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


@pytest.fixture
def live(engine: Engine) -> Iterator[Live]:
    get_keyring()
    with session_scope() as s:
        user = identity.add_user(s, "cw.load", Role.caseworker, "agency-a", "quiet orchard 58")
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


def _burst(live: Live, n: int) -> tuple[list[int | str], list[int | str]]:
    """``n`` simultaneous reads of one person, with /healthz polled all the while."""
    statuses: list[int | str] = []
    health: list[int | str] = []
    stop = threading.Event()
    barrier = threading.Barrier(n)

    def read(_: int) -> int | str:
        with httpx.Client(timeout=30) as client:
            barrier.wait(timeout=30)
            try:
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


@pytest.mark.parametrize("n", [45, 100])
def test_simultaneous_reads_of_one_person(live: Live, n: int) -> None:
    before = _reads(live.person)
    statuses, health = _burst(live, n)
    assert statuses == [200] * n, {s: statuses.count(s) for s in set(statuses)}
    assert health and set(health) == {200}, health
    assert httpx.get(f"{live.url}/healthz", timeout=5).status_code == 200
    with session_scope() as s:
        result = audit.verify(s)
    assert _reads(live.person) - before == n  # every read of personal data is audited
    assert result.ok and result.pending == 0
