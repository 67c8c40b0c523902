"""Consent withdrawal revokes the person's open referrals in the same transaction, after which
the partner reaches neither the person nor the referral; a partner cannot open the assessment
form of a case referred to it."""

from __future__ import annotations

import re

from sqlalchemy import select
from tests.cases.conftest import PASSWORD, USERS, Staff, TestClient, new_case, new_person

from safepath.privacy import consent
from safepath.store.db import session_scope
from safepath.store.models.cases import Referral
from safepath.store.models.persons import Person

API = "/api/v1"
SHARE = {"service": "legal-aid/civil-docs", "shared_fields": ["age", "risk_level"]}


def _referred(client: TestClient, staff: Staff) -> tuple[str, str, str]:
    person = new_person(client, staff)
    case = new_case(client, staff, person)["code"]
    headers = staff.fresh(client, "caseworker", f"{API}/cases/{case}")
    r = client.post(f"{API}/cases/{case}/referrals", json=SHARE, headers=headers)
    assert r.status_code == 201, r.text
    return person, case, r.json()["code"]


def _status(code: str) -> str:
    with session_scope() as s:
        return str(s.scalar(select(Referral.status).where(Referral.code == code)))


def test_withdrawal_revokes_open_referrals(client: TestClient, staff: Staff) -> None:
    person, case, ref = _referred(client, staff)
    partner = staff.auth("partner")
    assert client.get(f"{API}/persons/{person}", headers=partner).status_code == 200
    assert client.get(f"{API}/referrals/{ref}", headers=partner).status_code == 200
    r = client.post(
        f"{API}/persons/{person}/consents/referral_sharing/withdraw",
        headers=staff.auth("caseworker"),
    )
    assert r.status_code == 200, r.text
    assert _status(ref) == "revoked"
    assert client.get(f"{API}/persons/{person}", headers=partner).status_code == 404
    assert client.get(f"{API}/referrals/{ref}", headers=partner).status_code == 404
    assert client.get(f"{API}/cases/{case}", headers=partner).status_code == 404
    assert client.get(f"{API}/referrals", headers=partner).json() == []


def test_withdrawal_and_revocation_are_one_transaction(client: TestClient, staff: Staff) -> None:
    person, _, ref = _referred(client, staff)
    with session_scope() as s:
        pid = s.scalar(select(Person.id).where(Person.code == person))
        assert pid is not None
        assert consent.withdraw(s, staff.actors["caseworker"], pid, "referral_sharing") == 1
        # revoked in the withdrawal's own transaction, before anything commits
        assert s.scalar(select(Referral.status).where(Referral.code == ref)) == "revoked"
        s.rollback()  # and undone with it
    assert _status(ref) == "sent"
    with session_scope() as s:
        assert consent.has_consent(s, pid, "referral_sharing")
    # withdrawing another purpose leaves the referral alone
    with session_scope() as s:
        consent.withdraw(s, staff.actors["caseworker"], pid, "case_management")
    assert _status(ref) == "sent"


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:300]
    return found.group(1)


def test_partner_cannot_open_the_assessment_form(client: TestClient, staff: Staff) -> None:
    _, case, _ = _referred(client, staff)
    r = client.post(
        "/login",
        data={
            "username": USERS["partner"][0],
            "password": PASSWORD,
            "csrf_token": _token(client.get("/login").text),
            "next": "/inbox",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(f"/cases/{case}/assess")
    assert page.status_code in (403, 404)
    assert case not in page.text
    token = _token(client.get("/account").text)
    post = client.post(f"/cases/{case}/assess", data={"csrf_token": token})
    assert post.status_code in (403, 404)
