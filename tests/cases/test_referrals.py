"""Referrals: consent to share, the supervisor's documented override, what the partner sees,
the partner's answers, revocation and consent withdrawal."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from tests.cases.conftest import Staff, TestClient, answers, new_case, new_person

from safepath.store.db import session_scope
from safepath.store.models import AuditEvent

API = "/api/v1"
SHARE = {"service": "legal-aid/civil-docs", "shared_fields": ["age", "risk_level"]}


def _case(client: TestClient, staff: Staff, consents: tuple[str, ...]) -> str:
    code: str = new_case(client, staff, new_person(client, staff, consents))["code"]
    r = client.post(
        f"{API}/cases/{code}/assessments",
        json={"answers": answers(0.6)},
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
    )
    assert r.status_code == 201, r.text
    return code


def _refer(client: TestClient, staff: Staff, code: str, who: str, **extra: Any) -> Any:
    return client.post(
        f"{API}/cases/{code}/referrals",
        json={**SHARE, **extra},
        headers=staff.fresh(client, who, f"{API}/cases/{code}"),
    )


def test_referral_without_consent_is_refused_with_the_reason(
    client: TestClient, staff: Staff
) -> None:
    code = _case(client, staff, ("case_management",))
    r = _refer(client, staff, code, "caseworker")
    assert r.status_code == 422
    message = r.json()["error"]["message"]
    assert "has not consented to sharing data by referral" in message
    assert "override_reason" in message
    # a caseworker may not override; nothing was shared
    r = _refer(client, staff, code, "caseworker", override_reason="Imminent risk to life, no time")
    assert r.status_code == 403
    assert client.get(f"{API}/referrals", headers=staff.auth("partner")).json() == []


def test_supervisor_override_is_recorded_and_audited(client: TestClient, staff: Staff) -> None:
    code = _case(client, staff, ("case_management",))
    reason = "Child at imminent risk; guardian unreachable for 48 hours"
    r = _refer(client, staff, code, "supervisor", override_reason=reason)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["consent_override"] is True
    with session_scope() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.record_type == "referral")).one()
        assert event.action == "export" and event.record_id == body["code"]
        assert "consent_override_reason" in event.fields
    # the partner sees it even without consent: the override is the documented basis
    seen = client.get(f"{API}/cases/{code}", headers=staff.auth("partner"))
    assert seen.status_code == 200 and seen.json()["shared_fields"] == ["age", "risk_level"]


def test_partner_sees_only_referred_cases_and_only_shared_fields(
    client: TestClient, staff: Staff
) -> None:
    referred = _case(client, staff, ("case_management", "referral_sharing"))
    other = _case(client, staff, ("case_management", "referral_sharing"))
    assert _refer(client, staff, referred, "caseworker").status_code == 201
    view = client.get(f"{API}/cases/{referred}", headers=staff.auth("partner"))
    assert view.status_code == 200
    assert set(view.json()) == {"code", "referrals", "shared_fields", "age", "risk_level"}
    assert view.json()["age"] == 34
    # not referred: as if it did not exist; another partner: nothing either
    assert client.get(f"{API}/cases/{other}", headers=staff.auth("partner")).status_code == 404
    assert (
        client.get(f"{API}/cases/{referred}", headers=staff.auth("partner_other")).status_code
        == 404
    )
    # no list, no assessments, no follow-ups for partners
    assert client.get(f"{API}/cases", headers=staff.auth("partner")).status_code == 403
    r = client.get(f"{API}/cases/{referred}/assessments", headers=staff.auth("partner"))
    assert r.status_code == 403
    # the person record through the person service: only the person fields shared
    person = client.get(f"{API}/cases/{referred}", headers=staff.auth("caseworker")).json()
    p = client.get(f"{API}/persons/{person['person_code']}", headers=staff.auth("partner"))
    assert p.status_code == 200 and set(p.json()) == {"code", "age"}


def test_decline_needs_a_reason_and_removes_the_case_from_the_partner(
    client: TestClient, staff: Staff
) -> None:
    code = _case(client, staff, ("case_management", "referral_sharing"))
    ref = _refer(client, staff, code, "caseworker").json()["code"]
    r = client.post(
        f"{API}/referrals/{ref}/decline",
        json={},
        headers=staff.fresh(client, "partner", f"{API}/referrals/{ref}"),
    )
    assert r.status_code == 422
    r = client.post(
        f"{API}/referrals/{ref}/complete",
        json={},
        headers=staff.fresh(client, "partner", f"{API}/referrals/{ref}"),
    )
    assert r.status_code == 422 and "accept it first" in r.json()["error"]["message"]
    r = client.post(
        f"{API}/referrals/{ref}/decline",
        json={"reason": "Outside our coverage area"},
        headers=staff.fresh(client, "partner", f"{API}/referrals/{ref}"),
    )
    assert r.status_code == 200 and r.json()["status"] == "declined"
    sender = client.get(f"{API}/cases/{code}/referrals", headers=staff.auth("caseworker")).json()
    assert sender[0]["response_note"] == "Outside our coverage area"
    assert client.get(f"{API}/cases/{code}", headers=staff.auth("partner")).status_code == 404
    # only partners answer referrals
    r = client.post(
        f"{API}/referrals/{ref}/accept",
        json={},
        headers=staff.fresh(client, "caseworker", f"{API}/referrals/{ref}"),
    )
    assert r.status_code == 403


def test_revoke_and_consent_withdrawal_stop_sharing(client: TestClient, staff: Staff) -> None:
    first = _case(client, staff, ("case_management", "referral_sharing"))
    ref = _refer(client, staff, first, "caseworker").json()["code"]
    r = client.post(
        f"{API}/referrals/{ref}/revoke",
        json={},
        headers=staff.fresh(client, "partner", f"{API}/referrals/{ref}"),
    )
    assert r.status_code == 403
    r = client.post(
        f"{API}/referrals/{ref}/revoke",
        json={},
        headers=staff.fresh(client, "caseworker", f"{API}/referrals/{ref}"),
    )
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    assert client.get(f"{API}/cases/{first}", headers=staff.auth("partner")).status_code == 404

    second = _case(client, staff, ("case_management", "referral_sharing"))
    ref2 = _refer(client, staff, second, "caseworker").json()["code"]
    assert client.get(f"{API}/cases/{second}", headers=staff.auth("partner")).status_code == 200
    person = client.get(f"{API}/cases/{second}", headers=staff.auth("caseworker")).json()
    r = client.post(
        f"{API}/persons/{person['person_code']}/consents/referral_sharing/withdraw",
        headers=staff.auth("caseworker"),
    )
    assert r.status_code == 200, r.text
    assert client.get(f"{API}/cases/{second}", headers=staff.auth("partner")).status_code == 404
    assert client.get(f"{API}/referrals/{ref2}", headers=staff.auth("partner")).status_code == 404
    assert client.get(f"{API}/referrals", headers=staff.auth("partner")).json() == []
    # and no new referral without consent
    assert _refer(client, staff, second, "caseworker").status_code == 422
