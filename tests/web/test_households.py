"""Households as records: a person registered into a new or an existing household of the agency,
its members (and their cases) on the case page within each viewer's access, the household size
pre-filled from it; unknown or other agencies' households refused naming the field."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.apps import shared_app

from safepath.privacy import identity
from safepath.settings import reset_settings
from safepath.store.db import session_scope
from safepath.store.models.cases import Case
from safepath.store.models.households import Household
from safepath.store.models.persons import Person

PASSWORD = "tern lagoon 123 quartz"


@pytest.fixture
def app(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_MEMORY_KIB", "1024")
    reset_settings()
    with session_scope() as s:
        identity.add_user(s, "cw", "caseworker", "agency-a", PASSWORD, ["north"])
        identity.add_user(s, "cws", "caseworker", "agency-a", PASSWORD, ["south"])
        identity.add_user(s, "cwb", "caseworker", "agency-b", PASSWORD, ["east"])
    with TestClient(shared_app(), follow_redirects=False) as c:
        yield c


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def as_user(client: TestClient, user: str) -> str:
    client.cookies.clear()
    r = client.post(
        "/login",
        data={
            "username": user,
            "password": PASSWORD,
            "csrf_token": _token(client.get("/login").text),
        },
    )
    assert r.status_code == 303
    return _token(client.get("/register").text)


def register(client: TestClient, token: str, name: str, status: int = 303, **extra: str) -> str:
    r = client.post(
        "/register",
        data={
            "csrf_token": token,
            "given_name": name,
            "age": "30",
            "consent": ["case_management"],
            "thematic_areas": ["gbv"],
            "subject": "household",
            "confirm_new": "1",
            **extra,
        },
    )
    assert r.status_code == status, r.text[-800:]
    return str(r.headers.get("location", "")).removeprefix("/cases/") or r.text


def _household_of(case: str) -> tuple[str | None, int | None]:
    with session_scope() as s:
        c = s.scalar(select(Case).where(Case.code == case))
        assert c is not None
        hh = s.scalar(select(Person.household_code).where(Person.code == c.person_code))
        return hh, c.household_size


def _members(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-person="([^"]+)">(.*?)</tr>', html, re.S))


def test_a_household_is_started_joined_and_listed_with_its_cases(app: TestClient) -> None:
    token = as_user(app, "cw")
    first = register(app, token, "Rana", new_household="1", household_size="")
    code, size = _household_of(first)
    assert code and re.fullmatch(r"HH-[0-9A-Z]{8}", code) and size is None
    with session_scope() as s:
        assert (
            s.scalar(select(func.count()).select_from(Household).where(Household.code == code)) == 1
        )
    page = app.get(f"/cases/{first}").text
    assert f'<code dir="ltr">{code}</code> · Members: 1' in page
    assert "this person" in _members(page)[_person(first)]
    assert f'href="/register?household={code}"' in page

    # the link pre-fills the household and its size (members + the one being registered)
    form = app.get("/register", params={"household": code.lower()}).text
    assert f'name="household_code" value="{code}"' in form
    assert 'name="household_size" type="number" min="1" max="50" value="2"' in form

    second = register(app, token, "Omar", household_code=code.lower())
    assert _household_of(second) == (code, 2)  # the size defaults to the members
    third = register(app, token, "Huda", household_code=code, household_size="5")
    assert _household_of(third) == (code, 5)  # a typed size is kept
    page = app.get(f"/cases/{first}").text
    members = _members(page)
    assert set(members) == {_person(first), _person(second), _person(third)}
    assert (
        "Omar" in members[_person(second)] and f'href="/cases/{second}"' in members[_person(second)]
    )
    assert "Members: 3" in page and "outside your access" not in page
    with session_scope() as s:  # still one household: joining does not make another
        assert s.scalar(select(func.count()).select_from(Household)) == 1


def _person(case: str) -> str:
    with session_scope() as s:
        return str(s.scalar(select(Case.person_code).where(Case.code == case)))


def test_unknown_or_other_agencys_households_are_refused(app: TestClient) -> None:
    token_b = as_user(app, "cwb")
    theirs = _household_of(register(app, token_b, "Sara", new_household="1"))[0]
    assert theirs
    token = as_user(app, "cw")
    with session_scope() as s:
        before = s.scalar(select(func.count()).select_from(Person))
    for typed in ("HH-NOSUCH00", theirs):
        html = register(app, token, "Omar", status=422, household_code=typed)
        assert "household_code: no household" in html and 'value="Omar"' in html
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == before
    # another agency's household is not offered through the link either
    form = app.get("/register", params={"household": theirs}).text
    assert 'name="household_code" value=""' in form and f'value="{theirs}"' not in form


def test_members_outside_the_viewers_access_are_only_counted(app: TestClient) -> None:
    token = as_user(app, "cw")
    first = register(app, token, "Rana", new_household="1")
    code = _household_of(first)[0]
    assert code
    token_s = as_user(app, "cws")  # same agency, another team
    other = register(app, token_s, "Layla", household_code=code)
    as_user(app, "cw")
    page = app.get(f"/cases/{first}").text
    assert "Members: 2" in page and "1 other members are outside your access." in page
    assert "Layla" not in page and _person(other) not in page and other not in page


def test_a_code_sent_through_the_api_becomes_a_household(app: TestClient) -> None:
    token = as_user(app, "cw")
    register(app, token, "Rana", new_household="1")
    r = app.post("/api/v1/auth/token", data={"username": "cw", "password": PASSWORD})
    assert r.status_code == 200, r.text
    auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
    for name in ("Ali", "Mona"):
        made = app.post(
            "/api/v1/persons", json={"given_name": name, "household_code": "H-7"}, headers=auth
        )
        assert made.status_code == 201, made.text
    with session_scope() as s:
        rows = s.scalars(select(Household.code).order_by(Household.id)).all()
    assert rows[1:] == ["H-7"] and len(rows) == 2


def test_the_assessment_is_pre_filled_from_the_registration(app: TestClient) -> None:
    from safepath.demo import load_demo

    load_demo()  # the demo's places: XM0102 (Birchfield) in XM01
    token = as_user(app, "cw")
    case = register(
        app,
        token,
        "Rana",
        age="34",
        sex="female",
        nationality="SDN",
        place_pcode="XM0102",
        population_group="refugee",
        household_size="4",
    )
    form = app.get(f"/cases/{case}/assess").text

    def value(name: str) -> str | None:
        found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', form)
        return found.group(1) if found else None

    assert (value("adm1_pcode"), value("adm2_pcode")) == ("XM01", "XM0102")
    assert (value("resp_age"), value("hh_size")) == ("34", "4")
    assert re.search(r'name="nationality"[^>]*>.*?<option value="SDN" selected>', form, re.S)
    assert re.search(r'name="resp_sex" value="female"[^>]*checked', form)
    assert re.search(r'name="pop_group" value="refugee"[^>]*checked', form)
