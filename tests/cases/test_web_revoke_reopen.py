"""From the case page (not only the API): the sender revokes a referral, and a closed case is
reopened; both land back on their section with a confirmation."""

from __future__ import annotations

import re

from tests.cases.conftest import Staff, TestClient, answers, new_case, new_person
from tests.cases.test_phase_reason import _assess, _page

API = "/api/v1"


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_caseworker_revokes_a_referral_from_the_case_page(client: TestClient, staff: Staff) -> None:
    code = new_case(client, staff, new_person(client, staff))["code"]
    r = client.post(
        f"{API}/cases/{code}/referrals",
        json={"service": "legal-aid/civil-docs", "shared_fields": ["age"], "urgency": "low"},
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
    )
    assert r.status_code == 201, r.text
    ref = r.json()["code"]
    assert client.get(f"{API}/cases/{code}", headers=staff.auth("partner")).status_code == 200

    html = _page(client, "caseworker", f"/cases/{code}")
    action = f'action="/cases/{code}/referrals/{ref}/revoke"'
    assert action in html
    form = html[html.index(action) :]
    version = re.search(r'name="version" value="(\d+)"', form)
    assert version
    done = client.post(
        f"/cases/{code}/referrals/{ref}/revoke",
        data={"csrf_token": _csrf(html), "version": version.group(1)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/cases/{code}?done=referral_revoked#referrals"
    page = client.get(done.headers["location"]).text
    assert "The referral is revoked: the service no longer sees the case." in page
    assert action not in page  # nothing left to revoke
    got = client.get(f"{API}/referrals/{ref}", headers=staff.auth("caseworker"))
    assert got.json()["status"] == "revoked"
    assert client.get(f"{API}/cases/{code}", headers=staff.auth("partner")).status_code == 404


def test_supervisor_reopens_a_closed_case_from_the_case_page(
    client: TestClient, staff: Staff
) -> None:
    code = new_case(client, staff, new_person(client, staff))["code"]
    _assess(client, staff, code, answers(0.9, seed=3))
    _assess(client, staff, code, answers(0.1, seed=3))
    for path, who in (("closure", "caseworker"), ("closure/approval", "supervisor")):
        r = client.post(
            f"{API}/cases/{code}/{path}",
            json={"note": "Goals met"} if who == "caseworker" else None,
            headers=staff.fresh(client, who, f"{API}/cases/{code}"),
        )
        assert r.status_code == 200, r.text
    html = _page(client, "supervisor", f"/cases/{code}")
    assert f'action="/cases/{code}/reopen"' in html
    version = client.get(f"{API}/cases/{code}", headers=staff.auth("supervisor")).json()["version"]
    done = client.post(
        f"/cases/{code}/reopen",
        data={"csrf_token": _csrf(html), "version": str(version), "note": "New threats"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[-600:]
    assert "The case is reopened." in client.get(done.headers["location"]).text
    case = client.get(f"{API}/cases/{code}", headers=staff.auth("supervisor")).json()
    assert case["status"] == "reopened" and case["outcome"] is None
