"""OPTIONS, HEAD and 405 as RFC 9110 asks: ``Allow`` lists every method of the path."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.apps import shared_app


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with TestClient(shared_app()) as c:
        yield c


def _allow(value: str | None) -> list[str]:
    assert value is not None, "no Allow header"
    return [m.strip() for m in value.split(",")]


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        # two routes (GET and POST) on one path: both are named, not only the first matched
        ("/api/v1/cases", ["GET", "HEAD", "POST", "OPTIONS"]),
        ("/api/v1/cases/C-1/plan", ["GET", "HEAD", "PUT", "OPTIONS"]),
        ("/api/v1/persons/P-1", ["GET", "HEAD", "PATCH", "OPTIONS"]),
        ("/api/v1/auth/token", ["POST", "OPTIONS"]),
        ("/login", ["GET", "HEAD", "POST", "OPTIONS"]),
    ],
)
def test_options_answers_204_with_the_methods_of_the_path(
    client: TestClient, path: str, methods: list[str]
) -> None:
    r = client.options(path)
    assert r.status_code == 204
    assert _allow(r.headers.get("allow")) == methods
    assert r.content == b""
    assert r.headers["cache-control"] == "no-store"  # the security headers still apply


def test_options_on_a_path_nothing_serves_is_404(client: TestClient) -> None:
    r = client.options("/api/v1/no-such-thing")
    assert r.status_code == 404
    assert "allow" not in r.headers


def test_a_wrong_method_is_405_with_every_allowed_method(client: TestClient) -> None:
    r = client.delete("/api/v1/cases")
    assert r.status_code == 405
    assert _allow(r.headers.get("allow")) == ["GET", "HEAD", "POST", "OPTIONS"]
    assert r.json()["error"]["code"] == "method_not_allowed"
    r = client.put("/api/v1/persons/P-1", json={})
    assert r.status_code == 405
    assert _allow(r.headers.get("allow")) == ["GET", "HEAD", "PATCH", "OPTIONS"]
    r = client.get("/api/v1/auth/token")
    assert r.status_code == 405
    assert _allow(r.headers.get("allow")) == ["POST", "OPTIONS"]


def test_head_answers_as_get_without_the_body(client: TestClient) -> None:
    get = client.get("/api/v1/framework", headers={"accept-encoding": "identity"})
    head = client.head("/api/v1/framework", headers={"accept-encoding": "identity"})
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["content-type"] == get.headers["content-type"]
    # a protected GET stays protected under HEAD
    assert client.head("/api/v1/cases").status_code == 401
