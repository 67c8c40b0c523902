"""The case forms report every problem at once, in words, in the reader's language — never
pydantic's raw text (``thematic_areas: List should have at least 1 item after validation``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field, ValidationError
from tests.apps import shared_app

from safepath.privacy import identity
from safepath.settings import reset_settings
from safepath.store.db import session_scope
from safepath.web.form_errors import in_words

PASSWORD = "tern lagoon 123 quartz"


@pytest.fixture
def app(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_MEMORY_KIB", "1024")
    reset_settings()
    with session_scope() as s:
        identity.add_user(s, "cw", "caseworker", "agency-a", PASSWORD, ["north"])
    with TestClient(shared_app(), follow_redirects=False) as c:
        yield c


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def _error(html: str) -> str:
    found = re.search(r'<p class="error" role="alert">(.*?)</p>', html, re.S)
    assert found, html[-1500:]
    return found.group(1)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            "Age: must be a number; Household size: must be at most 50; "
            "Thematic areas: choose at least one",
        ),
        (
            "fr",
            "Âge: doit être un nombre; Taille du ménage: doit être au plus 50; "
            "Domaines thématiques: choisissez-en au moins un",
        ),
    ],
)
def test_registration_lists_every_problem_in_words(
    app: TestClient, lang: str, expected: str
) -> None:
    r = app.post(
        "/login",
        data={"username": "cw", "password": PASSWORD, "csrf_token": _token(app.get("/login").text)},
    )
    assert r.status_code == 303
    token = _token(app.get(f"/register?lang={lang}").text)
    r = app.post(
        "/register",
        data={
            "csrf_token": token,
            "given_name": "Rana",
            "age": "thirty",
            "household_size": "99",
            "consent": ["case_management"],
            "subject": "individual",
        },
    )
    assert r.status_code == 422
    assert _error(r.text) == expected
    assert "List should have" not in r.text and "Input should" not in r.text


class _Form(BaseModel):
    age: int | None = Field(default=None, ge=0, lt=130)
    due_date: str = Field(max_length=3)


def test_bounds_and_lengths_read_as_the_form_says() -> None:
    with pytest.raises(ValidationError) as caught:
        _Form.model_validate({"age": 130, "due_date": "2026-01-01"})
    assert in_words([caught.value], "en").message == (
        "Age: must be at most 129; Due date: is too long (at most 3)"
    )
    with pytest.raises(ValidationError) as missing:
        _Form.model_validate({"age": -1})
    assert in_words([missing.value], "es").message == (
        "Edad: debe ser al menos 0; Fecha límite: es obligatorio"
    )


def test_nationality_is_chosen_from_the_iso_list_in_the_readers_language(app: TestClient) -> None:
    r = app.post(
        "/login",
        data={"username": "cw", "password": PASSWORD, "csrf_token": _token(app.get("/login").text)},
    )
    assert r.status_code == 303
    form = app.get("/register?lang=fr").text
    picker = re.search(r'<select id="nationality" name="nationality">(.*?)</select>', form, re.S)
    assert picker
    options = re.findall(r'<option value="([A-Z]{3})">([^<]+)</option>', picker.group(1))
    assert len(options) == 249 and ("DEU", "Allemagne") in options and ("SDN", "Soudan") in options
    token = _token(form)
    base = {
        "csrf_token": token,
        "given_name": "Rana",
        "consent": ["case_management"],
        "thematic_areas": ["gbv"],
        "subject": "individual",
    }
    bad = app.post("/register", data={**base, "nationality": "ZZZ"})
    assert (
        bad.status_code == 422
        and "Nationalité: la nationalité &#39;ZZZ&#39; n&#39;est pas un code ISO" in bad.text
    )
    ok = app.post("/register", data={**base, "nationality": "SDN"})
    assert ok.status_code == 303, ok.text[-500:]
    from sqlalchemy import select

    from safepath.store.models.cases import Case
    from safepath.store.models.persons import Person

    with session_scope() as s:
        code = s.scalar(select(Case.person_code).order_by(Case.id.desc()))
        assert s.scalar(select(Person.nationality).where(Person.code == code)) == "SDN"
