"""The OpenAPI schema documents every error status each operation can answer, each with the one
error body (``safepath.http.responses``). What an operation can answer follows from its shape: a
body (400), a bearer token (401), a role check (403, from the access table that
test_access_matrix checks against the live app), a path naming a record (404), a write (409, 413),
If-Match (412, 428), parameters (422), the throttled token endpoint (429)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.apps import shared_app

from safepath.http.responses import DESCRIPTIONS, errors
from safepath.privacy.routes_policy import ROUTES, Outcome

WRITES = {"post", "put", "patch", "delete"}
ERROR_REF = "#/components/schemas/ErrorBody"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return shared_app().openapi()


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if path.startswith("/api/")
    ]


def expected_errors(spec: dict[str, Any], method: str, path: str, op: dict[str, Any]) -> set[int]:
    params = op.get("parameters", [])
    where = {p["in"] for p in params}
    headers = {p["name"].lower() for p in params if p["in"] == "header"}
    outcomes = set(ROUTES[(method.upper(), path)].outcomes.values())
    token_url = spec["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]["password"][
        "tokenUrl"
    ]
    codes = {422}  # any parameter may be invalid, and a NUL character is refused in any
    if op.get("security"):
        codes.add(401)
    if "requestBody" in op:
        codes.add(400)  # bytes that do not parse
    if Outcome.forbidden in outcomes:
        codes.add(403)
    if "path" in where or Outcome.not_found in outcomes:
        codes.add(404)
    if method in WRITES:
        codes |= {409, 413}
    if "if-match" in headers:
        codes |= {412, 428}
    if path == token_url:
        codes |= {401, 429}
    return codes


def test_every_operation_documents_what_its_shape_can_answer(spec: dict[str, Any]) -> None:
    missing = {
        f"{method.upper()} {path}": sorted(
            expected_errors(spec, method, path, op) - {int(s) for s in op["responses"]}
        )
        for method, path, op in _operations(spec)
    }
    assert {k: v for k, v in missing.items() if v} == {}
    assert len(missing) >= 45  # every API operation was walked


def test_every_error_answer_has_the_one_error_body(spec: dict[str, Any]) -> None:
    wrong = []
    for method, path, op in _operations(spec):
        for status, answer in op["responses"].items():
            if int(status) < 400:
                continue
            schema = answer["content"]["application/json"]["schema"]
            described = answer["description"] == DESCRIPTIONS[int(status)]
            if schema.get("$ref") != ERROR_REF or not described:
                wrong.append(f"{method.upper()} {path} {status}")
    assert wrong == []
    body = spec["components"]["schemas"]["ErrorBody"]
    assert body["required"] == ["error"]
    detail = spec["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) == {"code", "message"}
    # FastAPI's own validation-error shape ({"detail": [...]}) is not what the API answers
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_the_contract_test_catches_an_undocumented_code(spec: dict[str, Any]) -> None:
    op = spec["paths"]["/api/v1/cases/{code}"]["patch"]
    assert expected_errors(spec, "patch", "/api/v1/cases/{code}", op) == {
        400,
        401,
        403,
        404,
        409,
        412,
        413,
        422,
        428,
    }
    token = spec["paths"]["/api/v1/auth/token"]["post"]
    assert {"400", "401", "409", "413", "422", "429"} <= set(token["responses"])
    assert "403" not in token["responses"]  # nothing a role may not do before signing in
    assert "403" not in spec["paths"]["/api/v1/auth/me"]["get"]["responses"]


def test_errors_refuses_an_undescribed_status() -> None:
    with pytest.raises(ValueError, match="418"):
        errors(418)


def test_documented_answers_match_real_ones(client: TestClient) -> None:
    """Spot checks that the documented body is the one sent (schemathesis checks all)."""
    r = client.patch("/api/v1/cases/NOPE", json={})
    assert r.status_code == 401 and set(r.json()) == {"error"}
    r = client.post("/api/v1/auth/token", content=b"x" * 2_000_000)
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"


@pytest.fixture
def client(db_url: str) -> Any:
    with TestClient(shared_app()) as c:
        yield c
