"""The API's own refusals in the reader's language: request validation (pydantic's errors, in the
web forms' words) and Starlette's HTTP errors, with the same code and the same located problems;
English, as pydantic and Starlette say it, when no language is asked for."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.apps import shared_app

from safepath.privacy import identity
from safepath.privacy.actor import Role
from safepath.settings import reset_settings
from safepath.store.db import session_scope

# a too long string, a bound, a validator's own message, a missing field, a bad choice (literal)
BODY: dict[str, Any] = {
    "phone": "1" * 41,
    "age": 200,
    "nationality": "ZZZ",
    "consents": [{"given_by": "person"}, {"purpose": "gossip"}],
}
WHERE = [
    ("body", "phone"),
    ("body", "age"),
    ("body", "nationality"),
    ("body", "consents.0.purpose"),
    ("body", "consents.1.purpose"),
]
EXPECTED = {
    None: [
        "Value should have at most 40 items after validation, not 41",
        "Input should be less than 130",
        "Value error, nationality 'ZZZ' is not an ISO 3166-1 alpha-3 code",
        "Field required",
        "Input should be 'case_management', 'referral_sharing' or 'analysis'",
    ],
    "fr": [
        "est trop long (au plus 40)",
        "doit être au plus 129",
        "la nationalité 'ZZZ' n'est pas un code ISO 3166-1 alpha-3",
        "est obligatoire",
        "ne fait pas partie des choix",
    ],
    "ar": [
        "طويل جدًا (40 على الأكثر)",
        "يجب ألا يزيد على 129",
        "الجنسية 'ZZZ' ليست رمز ISO 3166-1 alpha-3",
        "مطلوب",
        "ليس من الخيارات المتاحة",
    ],
}
SUMMARY = {
    None: "invalid request: body, column 'phone': "
    "Value should have at most 40 items after validation, not 41",
    "fr": "requête invalide : body, colonne 'phone' : est trop long (au plus 40)",
    "ar": "طلب غير صالح: body، العمود 'phone': طويل جدًا (40 على الأكثر)",
}


@pytest.fixture
def client(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_MEMORY_KIB", "1024")
    reset_settings()
    with session_scope() as s:
        user = identity.add_user(s, "cw.lang", Role.caseworker, "agency-a", "pw-long-enough", ["t"])
        token = identity.issue_token(s, user).token
    with TestClient(shared_app(), headers={"authorization": f"Bearer {token}"}) as c:
        yield c
    reset_settings()


@pytest.mark.parametrize("lang", [None, "fr", "ar"])
def test_the_same_invalid_body_is_refused_alike_in_each_language(
    client: TestClient, lang: str | None
) -> None:
    headers = {"accept-language": f"{lang};q=0.9"} if lang else {}
    r = client.post("/api/v1/persons", json=BODY, headers=headers)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "validation_failed"
    assert [(p["scope"], p["column"]) for p in error["problems"]] == WHERE
    assert [p["message"] for p in error["problems"]] == EXPECTED[lang]
    assert error["message"] == SUMMARY[lang]


def test_explicit_english_reads_as_no_language(client: TestClient) -> None:
    r = client.post("/api/v1/persons", json=BODY, headers={"accept-language": "en-GB"})
    assert [p["message"] for p in r.json()["error"]["problems"]] == EXPECTED[None]


def test_a_body_that_is_not_json_is_refused_in_the_language(client: TestClient) -> None:
    r = client.post(
        "/api/v1/persons",
        content=b"{not json",
        headers={"content-type": "application/json", "accept-language": "es"},
    )
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["problems"][0]["message"] == "no es un JSON válido"


@pytest.mark.parametrize(
    ("lang", "not_found", "not_allowed"),
    [
        (None, "Not Found", "Method Not Allowed"),
        ("fr", "Page introuvable", "Méthode non autorisée"),
        ("ar", "الصفحة غير موجودة", "الطريقة غير مسموح بها"),
    ],
)
def test_starlettes_404_and_405_read_in_the_language(
    client: TestClient, lang: str | None, not_found: str, not_allowed: str
) -> None:
    headers = {"accept-language": lang} if lang else {}
    r = client.get("/api/v1/no-such-route", headers=headers)
    assert r.status_code == 404
    assert r.json() == {"error": {"code": "not_found", "message": not_found}}
    r = client.delete("/api/v1/cases", headers=headers)
    assert r.status_code == 405
    assert r.json() == {"error": {"code": "method_not_allowed", "message": not_allowed}}
    assert r.headers["allow"] == "GET, HEAD, POST, OPTIONS"
