"""From the case page: closure waits while an intervention is planned (the page names it and
offers no closure form), the caseworker marks it done with a note, and the closure form appears;
a stale form is refused with the current version, and the audit trail records the update."""

from __future__ import annotations

import re

from sqlalchemy import select
from tests.cases.conftest import Staff, TestClient, answers, new_case, new_person
from tests.cases.test_phase_reason import _assess, _page
from tests.cases.test_web_revoke_reopen import _csrf

from safepath.store.db import session_scope
from safepath.store.models import AuditEvent

API = "/api/v1"
PLAN = {
    "interventions": [
        {"modality": "responsive", "thematic_area": "gbv", "description": "Safety planning"}
    ]
}


def _planned(client: TestClient, staff: Staff) -> str:
    code: str = new_case(client, staff, new_person(client, staff))["code"]
    _assess(client, staff, code, answers(0.6, seed=2))
    r = client.put(
        f"{API}/cases/{code}/plan",
        json=PLAN,
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
    )
    assert r.status_code == 200, r.text
    return code


def test_closure_waits_for_the_plan_then_the_intervention_is_marked_done(
    client: TestClient, staff: Staff
) -> None:
    code = _planned(client, staff)
    html = _page(client, "caseworker", f"/cases/{code}")
    assert 'id="closure-blocked"' in html
    assert f'action="/cases/{code}/close"' not in html  # no closure to request yet
    action = f'action="/cases/{code}/interventions/1/progress"'
    assert action in html
    version = re.search(r'name="version" value="(\d+)"', html[html.index(action) :])
    assert version
    done = client.post(
        f"/cases/{code}/interventions/1/progress",
        data={
            "csrf_token": _csrf(html),
            "version": version.group(1),
            "status": "done",
            "note": "Plan agreed with her",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[-600:]
    assert done.headers["location"] == f"/cases/{code}?done=intervention_updated#plan"
    page = client.get(done.headers["location"]).text
    assert "Progress on the intervention is saved." in page
    assert "Plan agreed with her" in page
    assert 'id="closure-blocked"' not in page
    assert f'action="/cases/{code}/close"' in page
    plan = client.get(f"{API}/cases/{code}/plan", headers=staff.auth("caseworker")).json()
    assert plan["interventions"][0]["status"] == "done"
    assert plan["status"] == "draft"  # the plan's approval is its own step, untouched
    with session_scope() as s:
        events = s.scalars(
            select(AuditEvent).where(
                AuditEvent.record_type == "case_intervention",
                AuditEvent.record_id == f"{code}/1",
            )
        ).all()
    assert [(e.action, e.username) for e in events] == [
        ("update", staff.actors["caseworker"].username)
    ]

    # the old form (its version is stale now) is refused, naming the current version
    stale = client.post(
        f"/cases/{code}/interventions/1/progress",
        data={"csrf_token": _csrf(html), "version": version.group(1), "status": "cancelled"},
        follow_redirects=False,
    )
    assert stale.status_code == 412
    assert "changed since you read it" in stale.text
    plan = client.get(f"{API}/cases/{code}/plan", headers=staff.auth("caseworker")).json()
    assert plan["interventions"][0]["status"] == "done"


def test_progress_on_a_missing_intervention_or_without_a_version_is_refused(
    client: TestClient, staff: Staff
) -> None:
    code = _planned(client, staff)
    url = f"{API}/cases/{code}/interventions"
    body = {"status": "done"}
    assert (
        client.post(f"{url}/1/progress", json=body, headers=staff.auth("caseworker")).status_code
        == 428
    )
    headers = staff.fresh(client, "caseworker", f"{API}/cases/{code}")
    r = client.post(f"{url}/2/progress", json=body, headers=headers)
    assert r.status_code == 404 and "has no intervention 2" in r.json()["error"]["message"]
    r = client.post(f"{url}/1/progress", json={"status": "planned"}, headers=headers)
    assert r.status_code == 422 and "already planned" in r.json()["error"]["message"]
    r = client.post(f"{url}/1/progress", json={"status": "finished"}, headers=headers)
    assert r.status_code == 422
    # another agency's caseworker does not learn the case exists
    r = client.post(f"{url}/1/progress", json=body, headers=staff.auth("other_agency"))
    assert r.status_code == 404
