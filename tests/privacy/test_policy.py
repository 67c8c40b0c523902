"""Policy details: the referred-to hook (what the cases layer fills) gives a partner exactly the
fields a referral shared; unknown permissions fail loudly; access logs drop query strings."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session
from tests.privacy.conftest import TestClient, World

from safepath.errors import Forbidden
from safepath.http.security import StripQueryStrings
from safepath.privacy import persons, policy
from safepath.privacy.actor import Actor, Role, Scope
from safepath.privacy.person_schema import PersonIn
from safepath.store.db import session_scope
from safepath.store.models.persons import Person


@pytest.fixture
def referral_hook() -> Iterator[dict[str, str]]:
    referred: dict[str, str] = {}  # person code -> partner username

    def where(actor: Actor) -> ColumnElement[bool]:
        codes = [c for c, who in referred.items() if who == actor.username]
        return Person.code.in_(codes)

    def shared(session: Session, actor: Actor, person_id: int) -> frozenset[str]:
        return frozenset({"given_name", "age", "phone_number_typo"})

    before = (policy._REFERRED_TO.get("person"), policy._SHARED_FIELDS.get("person"))
    policy.register_referred_to("person", where, shared)
    yield referred
    # put back what the wiring installed (cases' referral sharing), so later tests see it
    if before[0] is not None:
        policy.register_referred_to("person", before[0], before[1])


def test_partner_sees_only_referred_persons_and_shared_fields(
    client: TestClient, world: World, referral_hook: dict[str, str]
) -> None:
    with session_scope() as s:
        a = persons.create(
            s,
            world.actors["caseworker"],
            PersonIn(given_name="Hawa", phone="+235 66 12 34 56", age=30),
        )
        b = persons.create(s, world.actors["caseworker"], PersonIn(given_name="Other"))
    referral_hook[a["code"]] = "partner_focal_point.a"
    h = world.auth("partner_focal_point")
    r = client.get(f"/api/v1/persons/{a['code']}", headers=h)
    assert r.status_code == 200
    assert r.json() == {"code": a["code"], "given_name": "Hawa", "age": 30}
    assert client.get(f"/api/v1/persons/{b['code']}", headers=h).status_code == 404
    listed = client.get("/api/v1/persons", headers=h).json()
    assert [p["code"] for p in listed["items"]] == [a["code"]]
    assert client.get("/api/v1/persons", params={"q": "Hawa"}, headers=h).status_code == 403


def test_scopes_and_permissions() -> None:
    cw = Actor(1, "cw", Role.caseworker, agency_id=1, team_ids=frozenset({3}))
    assert policy.scope_for(cw, "person") is Scope.team
    assert policy.scope_for(Actor(2, "ad", Role.admin, 1), "person") is Scope.none
    an = Actor(3, "an", Role.analyst, 1)
    assert "phone" not in policy.allowed_fields(an, "person")
    data = {"code": "P-1", "given_name": "X", "sex": "female"}
    assert policy.redact(an, "person", data, granted=frozenset({"given_name"})) == {
        "code": "P-1",
        "sex": "female",
    }  # analysts never, whatever a grant says
    with pytest.raises(Forbidden, match="not defined"):
        policy.require(cw, "person.reed")  # a typo denies, loudly
    assert policy.scope_for(cw, "case") is Scope.team  # unregistered kinds follow persons


def test_team_scope_in_sql(engine: object, world: World) -> None:
    cw = world.actors["caseworker"]
    stranger = Actor(cw.user_id + 100, "x", Role.caseworker, cw.agency_id, frozenset())
    with session_scope() as s:
        persons.create(s, cw, PersonIn(given_name="Team"))
        assert len(s.scalars(policy.visible(cw, select(Person), "person")).all()) == 1
        assert s.scalars(policy.visible(stranger, select(Person), "person")).all() == []


def test_access_log_drops_query_strings() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4", "GET", "/api/v1/persons?q=Amina", "1.1", 200),
        None,
    )
    assert StripQueryStrings().filter(record)
    assert record.getMessage() == '1.2.3.4 - "GET /api/v1/persons HTTP/1.1" 200'
