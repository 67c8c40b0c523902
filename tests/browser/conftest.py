"""Real-browser fixtures: the real app (``safepath demo``) under uvicorn on a free loopback port,
against a fresh data directory, and Debian's Chromium driven by Playwright.

Chromium comes from the system (``/usr/bin/chromium``; Playwright's own download cannot run
here). Without it the browser tests skip with the reason, except when
``SAFEPATH_REQUIRE_BROWSER=1`` (CI), where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("SAFEPATH_CHROMIUM", "/usr/bin/chromium")
REQUIRE = os.environ.get("SAFEPATH_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(reason: str) -> None:
    if REQUIRE:
        pytest.fail(f"browser required (SAFEPATH_REQUIRE_BROWSER=1): {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    data_dir: Path
    log: Path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``safepath demo`` in a subprocess: migrations, demo data, uvicorn — as a user runs it."""
    data_dir = tmp_path_factory.mktemp("browser-data")
    port = _free_port()
    env = {
        **os.environ,
        "SAFEPATH_DATA_DIR": str(data_dir),
        "SAFEPATH_ENVIRONMENT": "development",
    }
    env.pop("SAFEPATH_DATABASE_URL", None)
    log = data_dir / "server.log"
    seeded = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("seed.py")), "150"],
        env=env,
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if seeded.returncode != 0:
        pytest.fail(f"loading the demo failed:\n{seeded.stdout[-2000:]}\n{seeded.stderr[-3000:]}")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "safepath.cli", "demo", "--port", str(port)],
            env=env,
            cwd=data_dir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"safepath demo exited {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"safepath demo did not answer:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield LiveServer(url, data_dir, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (make install)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@dataclass
class Visit:
    """A browser page plus every request it made (to prove no other host is contacted)."""

    page: Any
    base: str
    requests: list[str] = field(default_factory=list)

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base + path)
        assert response is not None, path
        return response

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(target), full_page=True)
        return target


@pytest.fixture
def visit(browser: Any, live_server: LiveServer) -> Iterator[Visit]:
    """A fresh browser context (no cookies) on a phone-sized viewport."""
    context = browser.new_context(viewport={"width": 412, "height": 915}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    v = Visit(page, live_server.url)
    page.on("request", lambda request: v.requests.append(request.url))
    yield v
    context.close()
