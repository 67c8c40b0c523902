"""Partner contact: the partner's referral shows its urgency and the sending caseworker's work
contact (set on the account page, or by an admin); the partner's notes on accepting and on
completing both come back to the sending case page; the person's name and phone reach the
partner only when ticked, with the person's consent to share, never on an override."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from tests.cases.conftest import Staff, TestClient, new_case
from tests.cases.test_phase_reason import _page
from tests.cases.test_web_revoke_reopen import _csrf

from safepath.errors import Forbidden
from safepath.privacy import staff_contact
from safepath.store.db import session_scope
from safepath.store.models import User

API = "/api/v1"
SERVICE = "legal-aid/civil-docs"


def _person(client: TestClient, staff: Staff, consents: tuple[str, ...]) -> str:
    r = client.post(
        f"{API}/persons",
        json={
            "given_name": "Rania",
            "family_name": "Haddad",
            "phone": "+961 71 234 567",
            "sex": "female",
            "age": 29,
            "consents": [{"purpose": p} for p in consents],
        },
        headers=staff.auth("caseworker"),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["code"])


def _refer(client: TestClient, staff: Staff, code: str, who: str, **body: object) -> str:
    r = client.post(
        f"{API}/cases/{code}/referrals",
        json={"service": SERVICE, **body},
        headers=staff.fresh(client, who, f"{API}/cases/{code}"),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["code"])


def _save_contact(client: TestClient, phone: str, email: str) -> object:
    html = client.get("/account").text
    return client.post(
        "/account/contact",
        data={"csrf_token": _csrf(html), "work_phone": phone, "work_email": email},
        follow_redirects=False,
    )


def test_partner_sees_urgency_and_the_caseworkers_work_contact(
    client: TestClient, staff: Staff
) -> None:
    _page(client, "caseworker", "/account")
    bad = _save_contact(client, "call me", "not-an-address")
    assert bad.status_code == 422  # type: ignore[attr-defined]
    assert "work_phone" in bad.text and "work_email" in bad.text  # type: ignore[attr-defined]
    done = _save_contact(client, "+961 1 555 010", "cw.demo@agency.example")
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert "Your work contact is saved." in client.get("/account?done=contact").text

    code = new_case(client, staff, _person(client, staff, ("case_management", "referral_sharing")))[
        "code"
    ]
    ref = _refer(client, staff, code, "caseworker", shared_fields=["age"], urgency="high")
    got = client.get(f"{API}/referrals/{ref}", headers=staff.auth("partner")).json()
    assert got["urgency"] == "high"
    assert got["sent_by"] == {
        "username": "cw.demo",
        "work_phone": "+961 1 555 010",
        "work_email": "cw.demo@agency.example",
    }
    html = _page(client, "partner", f"/referrals/{ref}")
    urgency = re.search(r'<dd id="urgency">([^<]+)</dd>', html)
    assert urgency and urgency.group(1).strip() == "High"
    sender = html[html.index('id="sender"') :]
    assert "cw.demo" in sender and 'href="tel:+9611555010"' in sender
    assert "mailto:cw.demo@agency.example" in sender
    # the person's name and phone were not ticked: the partner does not get them
    assert "Rania" not in html and "234 567" not in html
    view = client.get(f"{API}/cases/{code}", headers=staff.auth("partner")).json()
    assert view["shared_fields"] == ["age"] and "given_name" not in view


def test_the_partners_notes_come_back_to_the_case_page(client: TestClient, staff: Staff) -> None:
    code = new_case(client, staff, _person(client, staff, ("case_management", "referral_sharing")))[
        "code"
    ]
    ref = _refer(client, staff, code, "caseworker", shared_fields=["age"], urgency="medium")
    for step, note in (
        ("accept", "We will call her on Tuesday"),
        ("complete", "Birth certificate issued"),
    ):
        r = client.post(
            f"{API}/referrals/{ref}/{step}",
            json={"note": note},
            headers=staff.fresh(client, "partner", f"{API}/referrals/{ref}"),
        )
        assert r.status_code == 200, r.text
    got = client.get(f"{API}/referrals/{ref}", headers=staff.auth("caseworker")).json()
    assert got["response_note"] == "We will call her on Tuesday"  # not overwritten
    assert got["completion_note"] == "Birth certificate issued"
    html = _page(client, "caseworker", f"/cases/{code}")
    answers = html[html.index('class="answers"') :]
    answers = answers[: answers.index("</td>")]
    assert "We will call her on Tuesday" in answers
    assert "On completion:" in answers and "Birth certificate issued" in answers
    assert "Medium" in answers


def test_name_and_phone_only_when_ticked_and_consented(client: TestClient, staff: Staff) -> None:
    consented = new_case(
        client, staff, _person(client, staff, ("case_management", "referral_sharing"))
    )["code"]
    ref = _refer(
        client, staff, consented, "caseworker", shared_fields=["given_name", "phone", "age"]
    )
    view = client.get(f"{API}/cases/{consented}", headers=staff.auth("partner")).json()
    assert (view["given_name"], view["phone"], view["age"]) == ("Rania", "+961 71 234 567", 29)
    assert "family_name" not in view
    html = _page(client, "partner", f"/referrals/{ref}")
    shared = html[html.index('id="shared"') :]
    assert "Rania" in shared and "+961 71 234 567" in shared and "Haddad" not in shared
    # another partner sees nothing of it
    other = client.get(f"{API}/cases/{consented}", headers=staff.auth("partner_other"))
    assert other.status_code == 404

    # no consent to share: even a supervisor's override does not send names or phone
    unconsented = new_case(client, staff, _person(client, staff, ("case_management",)))["code"]
    r = client.post(
        f"{API}/cases/{unconsented}/referrals",
        json={
            "service": SERVICE,
            "shared_fields": ["given_name", "age"],
            "override_reason": "the person is in danger tonight",
        },
        headers=staff.fresh(client, "supervisor", f"{API}/cases/{unconsented}"),
    )
    assert r.status_code == 422
    assert "given_name" in r.json()["error"]["message"]
    assert "consent" in r.json()["error"]["message"]


def test_only_the_user_or_an_admin_of_the_agency_sets_a_work_contact(
    client: TestClient, staff: Staff
) -> None:
    html = _page(client, "admin", "/admin")
    assert 'action="/admin/users/cw.demo/contact"' in html
    r = client.post(
        "/admin/users/cw.demo/contact",
        data={"csrf_token": _csrf(html), "work_phone": "+33 1 23 45 67 89", "work_email": ""},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[-500:]
    with session_scope() as s:
        user = s.scalars(select(User).where(User.username == "cw.demo")).one()
        assert (user.work_phone, user.work_email) == ("+33 1 23 45 67 89", None)
        with pytest.raises(Forbidden):
            staff_contact.set_contact(
                s, staff.actors["caseworker2"], "cw.demo", "+1 555 0100", None
            )
        with pytest.raises(Forbidden):  # an admin of another agency? only their own
            staff_contact.set_contact(s, staff.actors["other_agency"], "cw.demo", None, None)
