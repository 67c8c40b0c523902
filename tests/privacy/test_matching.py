"""Duplicate detection at registration (``POST /api/v1/persons/matches``): blocking through the
blind indexes, explainable scores, only persons the caller may see, nothing written but the
audit of the candidates read."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import func, select
from tests.privacy.conftest import TestClient, World

from safepath.privacy import matching
from safepath.privacy.person_schema import PersonIn
from safepath.store.db import session_scope
from safepath.store.models.audit import AuditEvent
from safepath.store.models.persons import BlindIndex, Consent, Person

BODY: dict[str, Any] = {
    "given_name": "Mohammed",
    "family_name": "Al-Rashidi",
    "phone": "+961 70 123 456",
    "sex": "male",
    "age": 34,
    "consents": [{"purpose": "case_management"}],
}


def register(client: TestClient, world: World, who: str = "caseworker", **extra: Any) -> str:
    r = client.post("/api/v1/persons", json={**BODY, **extra}, headers=world.auth(who))
    assert r.status_code == 201, r.text
    return str(r.json()["code"])


def matches(client: TestClient, world: World, who: str = "caseworker", **extra: Any) -> Any:
    r = client.post("/api/v1/persons/matches", json={**BODY, **extra}, headers=world.auth(who))
    assert r.status_code == 200, r.text
    return r.json()["matches"]


def _counts() -> tuple[int, int, int, int]:
    with session_scope() as s:
        return tuple(  # type: ignore[return-value]
            s.scalar(select(func.count()).select_from(m)) or 0
            for m in (Person, BlindIndex, Consent, AuditEvent)
        )


def test_the_same_name_age_and_phone_twice_is_the_top_match(
    client: TestClient, world: World
) -> None:
    first = register(client, world)
    register(client, world, given_name="Fatima", family_name="Haddad", phone="0033 6 11 22 33 44")
    register(client, world, given_name="Mahmoud", family_name="Saleh", phone="+961 3 999 888")
    before = _counts()
    got = matches(client, world)
    persons, index, consents, events = _counts()
    assert (persons, index, consents) == before[:3]  # nothing is written ...
    # ... but the audit trail, one read per candidate decrypted (blocked: Mohammed and Mahmoud
    # share the skeleton "mhmd"; Fatima shares nothing and is never read)
    assert events - before[3] == 2
    with session_scope() as s:
        reads = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(2)).all()
        assert {(e.action, e.record_type, e.username) for e in reads} == {
            ("read", "person", "caseworker.a")
        }
        assert first in {e.person_code for e in reads}
        fields = set(json.loads(reads[0].fields))  # what was decrypted, and nothing more
        assert {"given_name", "phone", "date_of_birth"} <= fields
        assert not fields & {"documents", "address", "notes"}
    assert got[0] == {
        "code": first,
        "score": 1.0,
        "reasons": ["same phone", "same name", "same age (34)", "same sex"],
    }
    assert all(m["code"] != first for m in got[1:])
    assert [m["score"] for m in got] == sorted((m["score"] for m in got), reverse=True)


def test_spelling_script_and_age_tolerance(client: TestClient, world: World) -> None:
    first = register(client, world)
    # another transcription, no phone, one year older: still a likely match, explained
    got = matches(client, world, given_name="Muhammad", family_name="Rashidi", phone=None, age=35)
    assert [m["code"] for m in got] == [first]
    reasons = got[0]["reasons"]
    assert reasons[0].startswith("name similar (") and reasons[1:] == ["age 35 vs 34", "same sex"]
    assert 0.6 <= got[0]["score"] < 0.95
    # Arabic script: the given and family names meet the Latin ones through their skeletons
    got = matches(client, world, given_name="محمد", family_name="الرشيدي", phone=None)
    assert [m["code"] for m in got] == [first]
    assert got[0]["reasons"][0] == "name similar (0.90)"
    # a different sex and an age far off are counter-evidence: below the threshold
    assert matches(client, world, phone=None, sex="female", age=60) == []
    # the same phone alone, a different name and age (a household member): not a duplicate
    assert matches(client, world, given_name="Zainab", family_name="Omar", age=8) == []


def test_only_persons_the_caller_may_see(client: TestClient, world: World) -> None:
    register(client, world, who="other_agency")
    assert matches(client, world) == []  # agency A never sees agency B's person
    mine = register(client, world)
    assert [m["code"] for m in matches(client, world)] == [mine]
    assert [m["code"] for m in matches(client, world, who="supervisor")] == [mine]
    # roles that do not register are refused, whatever they may read
    for who in ("analyst", "partner_focal_point", "dp_focal_point"):
        r = client.post("/api/v1/persons/matches", json=BODY, headers=world.auth(who))
        assert r.status_code == 403, who


def test_the_body_is_validated_and_anonymised_persons_are_not_candidates(
    client: TestClient, world: World
) -> None:
    r = client.post(
        "/api/v1/persons/matches", json={**BODY, "age": 400}, headers=world.auth("caseworker")
    )
    assert r.status_code == 422 and "age" in r.text
    assert matches(client, world, given_name=None, family_name=None, phone=None) == []
    code = register(client, world)
    assert [m["code"] for m in matches(client, world)] == [code]
    r = client.post(f"/api/v1/persons/{code}/erase", headers=world.auth("dp_focal_point"))
    assert r.status_code == 200
    assert matches(client, world) == []


def test_scores_dates_of_birth_and_birth_years() -> None:
    today = date(2026, 12, 1)
    ours = PersonIn(given_name="Amina", date_of_birth=date(1990, 5, 17))
    row = matching._Row(
        code="P-1",
        created_at=None,
        given_name="Amina",
        family_name=None,
        other_names=None,
        date_of_birth="1990-05-17",
        phone=None,
        sex=None,
        age=None,
        birth_year=1990,
    )
    m = matching.score_candidate(ours, row, today, 2)
    assert (m.score, [r.text() for r in m.reasons]) == (0.65, ["same name", "same date of birth"])
    other = matching._Row(**{**row.__dict__, "date_of_birth": None, "birth_year": 1992})
    m = matching.score_candidate(ours, other, today, 2)
    assert [r.text() for r in m.reasons] == ["same name", "born 1990 vs 1992"]
    assert m.score == round(0.55 + 0.10 / 3, 2)
    assert matching.score_candidate(ours, other, today, 1).score == 0.45  # beyond: counts against


def test_name_similarity_is_order_free_and_cross_script() -> None:
    sim = matching.name_similarity
    assert sim(["mohammed", "rashidi"], ["rashidi", "mohammed"]) == 1.0
    assert sim(matching.name_parts("Al-Rashidi"), matching.name_parts("الرشيدي")) == 0.9
    assert sim(matching.name_parts("Fatima"), matching.name_parts("فاطمة")) == 0.9
    assert sim(["mohammed"], ["zainab"]) < 0.6  # type: ignore[operator]
    assert sim([], ["x"]) is None
