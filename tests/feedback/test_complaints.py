"""Complaints through the API: intake without an account, deadlines by category, the handling
steps with versions, PSEA-safe recategorisation, a complaint that becomes a case with consent,
encryption at rest, the audit trail and the flood limit of the public intake."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from tests.feedback.conftest import People

from safepath.directory import OrganisationIn, upsert_organisation
from safepath.settings import reset_settings
from safepath.store.db import session_scope
from safepath.store.models import AuditEvent
from safepath.store.models.cases import Case

API = "/api/v1/complaints"
BODY = {
    "channel": "hotline",
    "category": "assistance_quality",
    "description": "The food parcels arrived Brightwater-late",
    "place_pcode": "XM0101",
}


def _send(client: TestClient, people: People | None = None, who: str = "", **extra: object) -> str:
    headers = people.auth(who) if people and who else {}
    r = client.post(API, json={**BODY, **extra}, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["code"])


def _get(client: TestClient, people: People, who: str, code: str) -> dict[str, object]:
    r = client.get(f"{API}/{code}", headers=people.auth(who))
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    assert r.headers["ETag"] == f'"{body["version"]}"'
    return body


def _days(a: object, b: object) -> float:
    return (datetime.fromisoformat(str(b)) - datetime.fromisoformat(str(a))).total_seconds() / 86400


def test_anyone_may_send_a_complaint_and_gets_only_its_code(
    client: TestClient, people: People, engine: Engine
) -> None:
    r = client.post(API, json={**BODY, "contact": "+000 555 7788", "contact_consent": True})
    assert r.status_code == 201, r.text
    assert list(r.json()) == ["code"] and r.json()["code"].startswith("CP-")
    code = r.json()["code"]
    seen = _get(client, people, "caseworker", code)
    assert seen["description"] == BODY["description"]
    assert seen["contact"] == "+000 555 7788" and seen["anonymous"] is False
    assert seen["status"] == "received" and seen["channel"] == "hotline"
    # default deadlines: 3 days to acknowledge, 14 to respond
    assert _days(seen["received_at"], seen["acknowledge_due"]) == pytest.approx(3)
    assert _days(seen["received_at"], seen["respond_due"]) == pytest.approx(14)
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT description, contact FROM complaints")).one()
    assert "Brightwater" not in raw[0] and "7788" not in raw[1]  # encrypted at rest
    with session_scope() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.record_id == code)).all()
        assert [(e.username, e.action) for e in events] == [
            ("public", "create"),
            ("caseworker.a", "read"),
        ]
        assert "description" in events[1].fields


def test_deadlines_follow_the_category(client: TestClient, people: People) -> None:
    code = _send(client, category="safety_protection_concern")
    seen = _get(client, people, "caseworker", code)
    assert _days(seen["received_at"], seen["acknowledge_due"]) == pytest.approx(1)
    assert _days(seen["received_at"], seen["respond_due"]) == pytest.approx(7)


BAD = [
    ({"category": "nope"}, "category"),
    ({"channel": "pigeon"}, "channel"),
    ({"place_pcode": "ZZ99"}, "place_pcode"),
    ({"contact": "+000 1"}, "contact"),  # no consent to be contacted
    ({"description": ""}, "description"),
]


def test_bad_input_is_refused_naming_the_field(client: TestClient, engine: Engine) -> None:
    with session_scope() as s:
        upsert_organisation(s, OrganisationIn(code="agency-a", name="Agency A", kind="agency"))
    for change, column in BAD:
        r = client.post(API, json={**BODY, **change})
        assert r.status_code == 422, (change, r.text)
        assert column in r.text, change
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM complaints")).scalar() == 0


def test_handling_steps_with_versions(client: TestClient, people: People) -> None:
    code = _send(client, people, "caseworker")
    one = f"{API}/{code}"
    assert (
        client.post(f"{one}/acknowledgement", headers=people.auth("caseworker")).status_code == 428
    )
    r = client.post(f"{one}/acknowledgement", headers=people.auth("caseworker", 1))
    assert r.status_code == 200 and r.json()["status"] == "acknowledged", r.text
    stale = client.post(
        f"{one}/response", json={"response": "x"}, headers=people.auth("caseworker", 1)
    )
    assert stale.status_code == 412 and stale.json()["error"]["current_version"] == 2
    # caseworkers do not assign; supervisors do, within the agency's complaint handlers
    r = client.post(
        f"{one}/assignment", json={"assignee": "caseworker.a"}, headers=people.auth("caseworker", 2)
    )
    assert r.status_code == 403
    r = client.post(
        f"{one}/assignment", json={"assignee": "analyst.a"}, headers=people.auth("supervisor", 2)
    )
    assert r.status_code == 422 and "analyst" in r.text
    r = client.post(
        f"{one}/assignment", json={"assignee": "caseworker.a"}, headers=people.auth("supervisor", 2)
    )
    assert r.status_code == 200 and r.json()["assigned_to"] == "caseworker.a"
    mine = client.get(API, params={"mine": True}, headers=people.auth("caseworker")).json()
    assert [c["code"] for c in mine["items"]] == [code]
    r = client.post(
        f"{one}/response", json={"response": "Next week"}, headers=people.auth("caseworker", 3)
    )
    assert r.status_code == 200 and r.json()["response"] == "Next week"
    r = client.post(
        f"{one}/closure",
        json={"feedback_given": "Called back"},
        headers=people.auth("caseworker", 4),
    )
    body = r.json()
    assert (
        r.status_code == 200
        and body["status"] == "closed"
        and body["feedback_given"] == "Called back"
    )
    assert body["actions"] == []
    again = client.post(
        f"{one}/closure", json={"feedback_given": "x"}, headers=people.auth("caseworker", 5)
    )
    assert again.status_code == 409 and "closed" in again.json()["error"]["message"]


def test_other_agencies_see_nothing(client: TestClient, people: People) -> None:
    code = _send(client, people, "caseworker")
    assert client.get(f"{API}/{code}", headers=people.auth("other_agency")).status_code == 404
    listed = client.get(API, headers=people.auth("other_agency")).json()
    assert listed == {"total": 0, "items": []}


def test_routing_to_a_sensitive_category_hides_it_from_case_staff(
    client: TestClient, people: People
) -> None:
    code = _send(client, people, "caseworker")
    one = f"{API}/{code}"
    client.post(
        f"{one}/assignment", json={"assignee": "caseworker.a"}, headers=people.auth("supervisor", 1)
    )
    r = client.post(
        f"{one}/category",
        json={"category": "staff_misconduct"},
        headers=people.auth("caseworker", 2),
    )
    assert r.status_code == 200 and r.json() == {"code": code, "routed_to": "psea_focal_point"}
    assert client.get(one, headers=people.auth("caseworker")).status_code == 404
    assert client.get(one, headers=people.auth("supervisor")).status_code == 404
    seen = _get(client, people, "psea_focal_point", code)
    assert seen["sensitive"] is True and seen["assigned_to"] is None  # the caseworker is removed
    # deadlines follow the new category (staff misconduct: 1 day to acknowledge)
    assert _days(seen["received_at"], seen["acknowledge_due"]) == pytest.approx(1)
    r = client.post(
        f"{one}/assignment",
        json={"assignee": "supervisor.a"},
        headers=people.auth("psea_focal_point", 3),
    )
    assert r.status_code == 422 and "PSEA focal point only" in r.text
    r = client.post(
        f"{one}/assignment",
        json={"assignee": "psea_focal_point.a"},
        headers=people.auth("psea_focal_point", 3),
    )
    assert r.status_code == 200


def test_a_complaint_becomes_a_case_only_with_consent(client: TestClient, people: People) -> None:
    code = _send(client, people, "caseworker", category="safety_protection_concern")
    one = f"{API}/{code}"
    body = {"consent_case_management": False, "thematic_areas": ["gbv"], "sex": "female", "age": 30}
    r = client.post(f"{one}/case", json=body, headers=people.auth("caseworker", 1))
    assert r.status_code == 422 and "consent" in r.text
    r = client.post(
        f"{one}/case",
        json={**body, "consent_case_management": True},
        headers=people.auth("caseworker", 1),
    )
    assert r.status_code == 201, r.text
    case_code = r.json()["case_code"]
    case = client.get(f"/api/v1/cases/{case_code}", headers=people.auth("caseworker")).json()
    assert case["place_pcode"] == "XM0101" and case["thematic_areas"] == ["gbv"]
    assert BODY["description"] not in str(case)  # the complaint's text is not copied
    assert _get(client, people, "caseworker", code)["case_code"] == case_code
    again = client.post(
        f"{one}/case",
        json={**body, "consent_case_management": True},
        headers=people.auth("caseworker", 2),
    )
    assert again.status_code == 409
    with session_scope() as s:
        assert s.scalar(select(Case.code)) == case_code


def test_the_public_intake_refuses_a_flood(
    client: TestClient, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFEPATH_COMPLAINT_PUBLIC_LIMIT", "3")
    reset_settings()
    for _ in range(3):
        _send(client)
    r = client.post(API, json=BODY)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert r.json()["error"]["code"] == "too_many_requests"
    # staff recording complaints are not limited
    _send(client, people, "caseworker")
    listed = client.get(API, headers=people.auth("supervisor")).json()
    assert listed["total"] == 4
