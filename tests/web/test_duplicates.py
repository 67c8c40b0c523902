"""Duplicate warning at registration (plain form posts): the same name, age and phone twice shows
the first person as a likely match before anything is saved; "Continue" registers a new person;
"New case for this person" opens a case on the existing one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.apps import shared_app
from tests.web.test_case_pages import _token

from safepath.privacy import identity
from safepath.settings import reset_settings
from safepath.store.db import session_scope
from safepath.store.models.cases import Case
from safepath.store.models.persons import Person

PASSWORD = "tern lagoon 123 quartz"


@pytest.fixture
def client(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    # argon2id stays argon2id; only its cost is lowered so these tests stay fast.
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_MEMORY_KIB", "1024")
    reset_settings()
    with session_scope() as s:
        identity.add_user(s, "cw", "caseworker", "agency-a", PASSWORD, ["north"])
        identity.add_user(s, "cwb", "caseworker", "agency-b", PASSWORD, ["south"])
    with TestClient(shared_app(), follow_redirects=False) as c:
        yield c


def sign_in(client: TestClient, user: str) -> str:
    """Signed in as ``user``; the registration form's CSRF token."""
    r = client.post(
        "/login",
        data={
            "username": user,
            "password": PASSWORD,
            "csrf_token": _token(client.get("/login").text),
            "next": "/work",
        },
    )
    assert r.status_code == 303, r.text[-500:]
    return _token(client.get("/register").text)


def form(token: str, **extra: Any) -> dict[str, Any]:
    return {
        "csrf_token": token,
        "given_name": "Mohammed",
        "family_name": "Al-Rashidi",
        "sex": "male",
        "age": "34",
        "phone": "+961 70 123 456",
        "consent": ["case_management"],
        "thematic_areas": ["gbv"],
        "subject": "individual",
        **extra,
    }


def _person_of(case_url: str) -> str:
    with session_scope() as s:
        code = s.scalar(select(Case.person_code).where(Case.code == case_url.rsplit("/", 1)[1]))
        assert code is not None
        return code


def _counts() -> tuple[int, int]:
    with session_scope() as s:
        return (
            s.scalar(select(func.count()).select_from(Person)) or 0,
            s.scalar(select(func.count()).select_from(Case)) or 0,
        )


def test_the_second_registration_shows_the_first_person_then_each_way_on(
    client: TestClient,
) -> None:
    token = sign_in(client, "cw")
    r = client.post("/register", data=form(token))
    assert r.status_code == 303, r.text[-800:]
    first = _person_of(r.headers["location"])
    assert _counts() == (1, 1)

    # the same name, age and phone: the first person is shown, nothing is saved
    r = client.post("/register", data=form(token, narrative="came back"))
    assert r.status_code == 200, r.text[-800:]
    html = r.text
    assert "This person may already be registered" in html
    listed = re.findall(r'name="use_person" value="([^"]+)"', html)
    assert listed == [first]
    assert f'href="/cases?person_code={first}"' in html  # open the existing person
    assert (
        "score 1.00 · <bdi>same phone</bdi>, <bdi>same name</bdi>, <bdi>same age (34)</bdi>, "
        "<bdi>same sex</bdi>"
    ) in html
    assert 'value="Mohammed"' in html and "came back</textarea>" in html  # answers kept
    assert 'name="confirm_new" value="1"' in html
    assert _counts() == (1, 1)
    r = client.post("/register?lang=fr", data=form(token))  # in the reader's language
    assert "Cette personne est peut-être déjà enregistrée" in r.text
    assert "ressemblance 1,00 · <bdi>même téléphone</bdi>, <bdi>même nom</bdi>" in r.text
    assert _counts() == (1, 1)

    # a refused choice keeps the choices on the page, with the reason
    r = client.post("/register", data=form(token, use_person=first, thematic_areas=[]))
    assert r.status_code == 422 and "thematic_areas" in r.text
    assert re.findall(r'name="use_person" value="([^"]+)"', r.text) == [first]
    assert _counts() == (1, 1)

    # "New case for this person": a second case on the first person, no new person
    r = client.post("/register", data=form(token, use_person=first))
    assert r.status_code == 303, r.text[-800:]
    assert _person_of(r.headers["location"]) == first
    assert _counts() == (1, 2)

    # "Continue": a new person after all
    r = client.post("/register", data=form(token, confirm_new="1"))
    assert r.status_code == 303, r.text[-800:]
    assert _person_of(r.headers["location"]) != first
    assert _counts() == (2, 3)


def test_no_warning_for_someone_else_or_across_agencies(client: TestClient) -> None:
    token = sign_in(client, "cw")
    assert client.post("/register", data=form(token)).status_code == 303
    other = form(token, given_name="Zainab", family_name="Omar", sex="female", age="8", phone="")
    assert client.post("/register", data=other).status_code == 303  # no match: saved at once
    with TestClient(shared_app(), follow_redirects=False) as other_agency:
        r = other_agency.post("/register", data=form(sign_in(other_agency, "cwb")))
    assert r.status_code == 303, r.text[-800:]  # agency A's Mohammed is not agency B's to see
