"""The API docs page is served from this server: no CDN address in it, no inline script (the
CSP allows none), and its assets are the installed Swagger UI, cacheable and compressed."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.apps import shared_app


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with TestClient(shared_app()) as c:
        yield c


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # no database in play
def test_docs_page_loads_only_local_assets(client: TestClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    html = page.text
    assert not re.search(r"https?://", html), "the docs page names another host"
    assert not re.search(r"<script>(?!</script>)", html), "inline script"
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources == [
        "/static/swagger-ui/swagger-ui.css",
        "/static/swagger-ui/swagger-ui-bundle.js",
        "/api/v1/docs/init.js",
    ]
    init = client.get("/api/v1/docs/init.js")
    assert init.headers["content-type"].startswith("text/javascript")
    assert '"/api/v1/openapi.json"' in init.text
    bundle = client.get(
        "/static/swagger-ui/swagger-ui-bundle.js", headers={"Accept-Encoding": "gzip"}
    )
    assert bundle.status_code == 200 and len(bundle.content) > 500_000
    assert bundle.headers.get("content-encoding") == "gzip"
    assert "no-store" not in bundle.headers.get("cache-control", "")
