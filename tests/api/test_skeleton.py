"""The app skeleton: health, OpenAPI, one JSON error shape, security headers, catalogue API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.apps import shared_app

from safepath.demo import load_demo
from safepath.privacy import identity
from safepath.store.db import session_scope


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    load_demo()
    with TestClient(shared_app()) as c:
        yield c


def assert_error_shape(body: dict[str, object], code: str) -> None:
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error, dict)
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]


def test_healthz_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "version": "0.1.0"}
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "Safepath"
    assert "/api/v1/framework/{name}" in spec["paths"]


def test_error_shape_on_every_error_path(client: TestClient) -> None:
    r = client.get("/api/v1/no-such-route")
    assert r.status_code == 404
    assert_error_shape(r.json(), "not_found")
    r = client.get("/api/v1/framework/no_such_list")
    assert r.status_code == 404
    assert_error_shape(r.json(), "not_found")
    assert "gpc_risks" in r.json()["error"]["message"]
    r = client.get("/api/v1/framework/gpc_risks", params={"lang": "de"})
    assert r.status_code == 422
    assert_error_shape(r.json(), "validation_failed")
    assert r.json()["error"]["problems"][0]["scope"] == "query"
    r = client.delete("/api/v1/framework/gpc_risks")
    assert r.status_code == 405
    assert_error_shape(r.json(), "method_not_allowed")


def test_security_headers(client: TestClient) -> None:
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"


def test_framework_api_in_four_languages(client: TestClient) -> None:
    lists = client.get("/api/v1/framework").json()
    by_name = {x["name"]: x for x in lists}
    assert by_name["gpc_risks"]["count"] == 15
    rows = client.get("/api/v1/framework/modalities", params={"lang": "fr"}).json()
    assert [r["code"] for r in rows] == [
        "preventive",
        "responsive",
        "remedial",
        "environment_building",
    ]
    assert rows[0]["label"] != "Preventive" and rows[0]["label"]
    ar = client.get("/api/v1/framework/gpc_risks", params={"lang": "ar"}).json()
    assert any("\u0600" <= ch <= "\u06ff" for ch in ar[0]["label"])


def test_places_and_directory(client: TestClient) -> None:
    # Places and the directory are for signed-in users (access matrix: safepath.privacy).
    assert client.get("/api/v1/places").status_code == 401
    with session_scope() as s:
        user = identity.add_user(s, "reader", "caseworker", "demo-agency", "tern lagoon  quartz")
        client.headers["Authorization"] = f"Bearer {identity.issue_token(s, user).token}"
    r = client.get("/api/v1/places", params={"parent": "XM01"}).json()
    assert r["total"] == 4
    assert [p["pcode"] for p in r["items"]] == ["XM0101", "XM0102", "XM0103", "XM0104"]
    assert client.get("/api/v1/places/XM0203").json()["parent"] == "XM02"
    r404 = client.get("/api/v1/places/NOPE")
    assert r404.status_code == 404
    # A district is served by services covering it, its region or the whole country.
    codes = {s["code"] for s in client.get("/api/v1/services", params={"pcode": "XM0201"}).json()}
    assert codes == {"civil-docs", "mhpss", "gbv-shelter", "uasc-care", "case-management"}
    gbv = client.get("/api/v1/services", params={"thematic_area": "gbv"}).json()
    assert [s["organisation"] for s in gbv] == ["safe-shelter"]
