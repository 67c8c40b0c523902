"""Server time of the main pages on the demo data: p95 under 200 ms (measured over HTTP against
the live server, so routing, the database, templates and compression all count)."""

from __future__ import annotations

import re
import statistics
from typing import TYPE_CHECKING

import httpx
import pytest
from tests.browser.pages import MAIN_PAGES

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser
ROUNDS = 8


def _client(server: LiveServer, user: str | None) -> httpx.Client:
    client = httpx.Client(base_url=server.url, headers={"accept-encoding": "gzip"})
    if user:
        form = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token
        r = client.post(
            "/login",
            data={
                "username": user,
                "password": f"{user}-demo-pass",
                "csrf_token": token.group(1),
                "next": "/work",
            },
        )
        assert r.status_code == 303, r.text[:300]
    return client


def test_main_pages_answer_within_200_ms_p95(live_server: LiveServer) -> None:
    timings: dict[str, list[float]] = {}
    clients: dict[str | None, httpx.Client] = {}
    try:
        for path, user in MAIN_PAGES:
            if user not in clients:
                clients[user] = _client(live_server, user)
            client = clients[user]
            if "{case}" in path:
                listing = client.get("/cases").text
                found = re.search(r'href="(/cases/CS-[^"]+)"', listing)
                assert found
                path = path.replace("/cases/{case}", found.group(1))
            client.get(path)  # warm the caches (catalogue, templates, risk model)
            for _ in range(ROUNDS):
                r = client.get(path)
                assert r.status_code == 200, path
                # the app's own time (Server-Timing), so the test client's load does not count
                server = re.fullmatch(r"app;dur=([\d.]+)", r.headers["server-timing"])
                assert server, r.headers["server-timing"]
                timings.setdefault(path, []).append(float(server.group(1)) / 1000)
    finally:
        for c in clients.values():
            c.close()
    every = sorted(t for ts in timings.values() for t in ts)
    p95 = every[int(0.95 * (len(every) - 1))]
    slowest = {p: round(statistics.median(ts) * 1000) for p, ts in timings.items()}
    assert p95 < 0.200, f"p95 {p95 * 1000:.0f} ms; median per page (ms): {slowest}"
