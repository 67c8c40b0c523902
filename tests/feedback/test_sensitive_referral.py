"""A sensitive complaint revealing a protection risk becomes a case through the PSEA focal point
alone, with the person's consent, and the case carries only what the person agreed to share:
not the complaint's code, category, text or place; its trail does not name the PSEA focal point."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.feedback.conftest import People

from safepath.privacy import identity
from safepath.store.db import session_scope
from safepath.store.models import AuditEvent
from safepath.store.models.cases import Case

API = "/api/v1/complaints"
SEA = {
    "channel": "hotline",
    "category": "sexual_exploitation_abuse",
    "description": "A distribution volunteer asked for sex in return for a ration card",
    "place_pcode": "XM0102",
}
SHARED = "Needs safe shelter and medical care; agreed to a female caseworker."
REFERRAL = {
    "consent_case_management": True,
    "thematic_areas": ["gbv"],
    "gpc_risks": ["gbv"],
    "sex": "female",
    "age": 24,
    "caseworker": "caseworker.a",
    "shared_summary": SHARED,
}


def _sensitive(client: TestClient) -> str:
    r = client.post(API, json=SEA)
    assert r.status_code == 201
    return str(r.json()["code"])


def test_the_psea_focal_point_refers_with_consent_and_the_case_reveals_nothing_else(
    client: TestClient, people: People
) -> None:
    code = _sensitive(client)
    psea = people.auth("psea_focal_point", 1)
    one = f"{API}/{code}/case"
    # case staff cannot reach the complaint, so cannot refer it
    for who in ("caseworker", "supervisor"):
        assert client.post(one, json=REFERRAL, headers=people.auth(who, 1)).status_code == 404
    no_consent = client.post(one, json={**REFERRAL, "consent_case_management": False}, headers=psea)
    assert no_consent.status_code == 422 and "consent" in no_consent.text
    nobody = client.post(one, json={**REFERRAL, "caseworker": None}, headers=psea)
    assert nobody.status_code == 422 and "caseworker" in nobody.text
    itself = client.post(one, json={**REFERRAL, "caseworker": "psea_focal_point.a"}, headers=psea)
    assert itself.status_code == 422 and "psea_focal_point.a" in itself.text
    r = client.post(one, json=REFERRAL, headers=psea)
    assert r.status_code == 201, r.text
    case_code = r.json()["case_code"]

    got = client.get(f"/api/v1/cases/{case_code}", headers=people.auth("caseworker"))
    assert got.status_code == 200
    case = got.json()
    assert case["narrative"] == SHARED and case["thematic_areas"] == ["gbv"]
    assert case["place_pcode"] is None  # not given in the referral: the complaint's stays out
    text = got.text
    for secret in (code, SEA["description"], "sexual_exploitation", "XM0102", "psea"):
        assert secret not in text, secret
    # the complaint stays out of the case staff's sight; the PSEA focal point sees the link
    assert client.get(f"{API}/{code}", headers=people.auth("caseworker")).status_code == 404
    linked = client.get(f"{API}/{code}", headers=people.auth("psea_focal_point")).json()
    assert linked["case_code"] == case_code
    with session_scope() as s:
        case_row = s.scalar(select(Case).where(Case.code == case_code))
        assert (
            case_row is not None and case_row.caseworker_id == people.actors["caseworker"].user_id
        )
        trail = s.execute(
            select(AuditEvent.username, AuditEvent.record_type, AuditEvent.record_id)
        ).all()
    case_events = [e for e in trail if e.record_id == case_code]
    assert case_events and {e.username for e in case_events} == {"caseworker.a"}
    assert ("psea_focal_point.a", "sensitive_complaint", code) in trail
    again = client.post(one, json=REFERRAL, headers=people.auth("psea_focal_point", 2))
    assert again.status_code == 409
    # the person's data export (the data-protection focal point's) does not carry it either
    exported = client.get(
        f"/api/v1/persons/{case['person_code']}/export", headers=people.auth("dp_focal_point")
    )
    assert exported.status_code == 200 and exported.json()["complaints"] == []
    for secret in (code, SEA["description"], "sexual_exploitation"):
        assert secret not in exported.text, secret


def test_the_referral_form_on_the_psea_page(client: TestClient, people: People) -> None:
    code = _sensitive(client)
    with session_scope() as s:
        sid = identity.start_session(s, identity.find_user(s, "psea_focal_point.a"))
    client.cookies.set("safepath_session", sid)
    page = client.get(f"/complaints/{code}")
    assert page.status_code == 200 and 'id="refer"' in page.text
    referral = page.text.split('id="refer"', 1)[1]  # who may take the case: case staff only
    assert 'value="caseworker.a"' in referral and 'value="psea_focal_point.a"' not in referral
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    form = {
        "csrf_token": token.group(1),
        "version": "1",
        "consent": "yes",
        "thematic_areas": "gbv",
        "caseworker": "caseworker.a",
        "shared_summary": SHARED,
    }
    r = client.post(f"/complaints/{code}/refer", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/complaints/{code}"
    shown = client.get(f"/complaints/{code}").text
    assert 'id="case-code"' in shown and "/cases/" not in shown.split('id="case-code"')[1][:200]
    client.cookies.clear()
