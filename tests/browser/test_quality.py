"""Accessibility (axe-core), page weight and no third-party requests on the main pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from tests.browser.pages import MAIN_PAGES, open_as, prepare

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core 4 from npm, MPL-2.0
BUDGET = 150 * 1024  # bytes transferred (compressed) for one page with all its assets


def _open(browser: Any, server: LiveServer, path: str, *, bypass_csp: bool = False) -> Any:
    context = browser.new_context(
        viewport={"width": 412, "height": 915}, bypass_csp=bypass_csp, locale="en-GB"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.mark.parametrize(("path", "user"), MAIN_PAGES)
def test_no_serious_accessibility_violations(
    browser: Any, live_server: LiveServer, path: str, user: str | None
) -> None:
    # bypass_csp only so axe itself can be injected; the page is the one users get.
    context, page = _open(browser, live_server, path, bypass_csp=True)
    try:
        response = open_as(page, live_server.url, path, user)
        assert response.status == 200, page.url
        page.evaluate(AXE.read_text(encoding="utf-8"))
        result = page.evaluate(
            "axe.run(document, {resultTypes: ['violations']})"
            ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})))"
        )
    finally:
        context.close()
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    assert not bad, json.dumps(bad, indent=1)


@pytest.mark.parametrize(("path", "user"), MAIN_PAGES)
def test_page_weight_and_no_other_host(
    browser: Any, live_server: LiveServer, path: str, user: str | None
) -> None:
    context, page = _open(browser, live_server, path)
    responses: list[Any] = []
    hosts: set[str] = set()
    try:
        target = prepare(page, live_server.url, path, user)
        page.on("request", lambda r: hosts.add(urlsplit(r.url).hostname or r.url))
        page.on("response", lambda r: responses.append(r))
        page.goto(live_server.url + target, wait_until="networkidle")
        sizes = {r.url: r.request.sizes() for r in responses}
    finally:
        context.close()
    assert hosts == {"127.0.0.1"}, hosts
    total = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes.values())
    assert len(sizes) >= 2  # the page and at least its stylesheet
    assert total < BUDGET, {u: s["responseBodySize"] for u, s in sizes.items()}


def test_assets_are_compressed(browser: Any, live_server: LiveServer) -> None:
    context, page = _open(browser, live_server, "/")
    encodings: dict[str, str | None] = {}
    page.on(
        "response",
        lambda r: encodings.__setitem__(r.url, r.all_headers().get("content-encoding")),
    )
    try:
        page.goto(live_server.url + "/catalogue/gpc_risks", wait_until="networkidle")
    finally:
        context.close()
    assert encodings[live_server.url + "/catalogue/gpc_risks"] == "gzip"
    assert encodings[live_server.url + "/static/safepath.css"] == "gzip"


def test_api_docs_render_from_this_server_under_its_csp(
    browser: Any, live_server: LiveServer
) -> None:
    """Swagger UI comes from the installed package: the docs render with every operation and
    nothing is fetched from another host, with the app's own CSP in force (no bypass)."""
    context, page = _open(browser, live_server, "/api/v1/docs")
    hosts: set[str] = set()
    blocked: list[str] = []
    page.on("request", lambda r: hosts.add(urlsplit(r.url).hostname or r.url))
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    try:
        response = page.goto(live_server.url + "/api/v1/docs", wait_until="networkidle")
        assert response is not None and response.status == 200
        page.wait_for_selector(".opblock", timeout=10_000)
        operations = page.locator(".opblock").count()
        title = page.locator(".info .title").inner_text()
    finally:
        context.close()
    assert hosts == {"127.0.0.1"}, hosts
    assert "Safepath" in title
    assert operations >= 20
    assert not [b for b in blocked if "script" in b], blocked
