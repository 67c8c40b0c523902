"""Editing advocacy issues (fields, areas, status, an action's response) and projects (name,
programming type, pillars), through the API and the pages, versioned like every record: 428
without the version read, 412 on a stale one naming the current version, nothing overwritten."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from tests.feedback.conftest import People

from safepath.privacy import identity
from safepath.store.db import session_scope

API = "/api/v1/advocacy"
ISSUE = {
    "title": "Checkpoints block access to the clinic",
    "duty_bearer": "Governor of the northern province",
    "duty_bearer_level": "local",
    "rights": ["freedom_of_movement"],
    "areas": ["XM0101"],
}
MEETING = {"kind": "meeting", "taken_on": "2026-01-05", "description": "Met the governor"}


def _sign_in(client: TestClient, username: str) -> str:
    with session_scope() as s:
        sid = identity.start_session(s, identity.find_user(s, username))
    client.cookies.set("safepath_session", sid)
    page = client.get("/advocacy")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def test_an_issue_and_its_actions_are_edited_with_versions(
    client: TestClient, people: People
) -> None:
    r = client.post(API, json=ISSUE, headers=people.auth("supervisor"))
    code = r.json()["code"]
    one = f"{API}/{code}"
    change = {"duty_bearer": "Ministry of Health", "duty_bearer_level": "national"}
    assert client.patch(one, json=change, headers=people.auth("analyst")).status_code == 428
    r = client.patch(
        one,
        json={**change, "areas": ["XM0102", "XM0101"], "gpc_risks": ["movement_restrictions"]},
        headers=people.auth("analyst", 1),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["duty_bearer"], body["duty_bearer_level"], body["version"]) == (
        "Ministry of Health",
        "national",
        2,
    )
    assert [a["pcode"] for a in body["areas"]] == ["XM0101", "XM0102"]
    assert body["rights"] == ["freedom_of_movement"] and r.headers["etag"] == '"2"'
    stale = client.patch(one, json={"title": "Other"}, headers=people.auth("supervisor", 1))
    assert stale.status_code == 412 and stale.json()["error"]["current_version"] == 2
    assert client.get(one, headers=people.auth("supervisor")).json()["title"] == ISSUE["title"]
    # an edit cannot make what creation refuses; caseworkers do not keep the log
    empty = client.patch(
        one, json={"rights": [], "gpc_risks": []}, headers=people.auth("supervisor", 2)
    )
    assert empty.status_code == 422 and "rights or the GPC risks" in empty.text
    assert (
        client.patch(one, json={"title": "x"}, headers=people.auth("caseworker", 2)).status_code
        == 403
    )
    assert (
        client.patch(one, json={"title": "x"}, headers=people.auth("other_agency", 2)).status_code
        == 403
    )
    r = client.patch(one, json={"status": "dropped"}, headers=people.auth("supervisor", 2))
    assert r.json()["status"] == "dropped" and r.json()["version"] == 3
    # an action's response, recorded when it comes; the issue's version covers its actions
    r = client.post(f"{one}/actions", json=MEETING, headers=people.auth("supervisor", 3))
    action = r.json()["actions"][0]
    answer = {"response": "Passes issued at two checkpoints", "response_on": "2026-01-20"}
    edit = f"{one}/actions/{action['id']}"
    assert client.patch(edit, json=answer, headers=people.auth("supervisor", 3)).status_code == 412
    r = client.patch(edit, json=answer, headers=people.auth("supervisor", 4))
    assert r.status_code == 200 and r.json()["version"] == 5
    assert r.json()["actions"][0]["response"] == answer["response"]
    early = {"response_on": "2026-01-01"}
    r = client.patch(edit, json=early, headers=people.auth("supervisor", 5))
    assert r.status_code == 422 and "before the action" in r.text
    missing = client.patch(f"{one}/actions/999999", json=answer, headers=people.auth("analyst", 5))
    assert missing.status_code == 404


def test_the_issue_page_edits_the_issue_and_records_a_response(
    client: TestClient, people: People
) -> None:
    code = client.post(API, json=ISSUE, headers=people.auth("supervisor")).json()["code"]
    token = _sign_in(client, "supervisor.a")
    page = client.get(f"/advocacy/{code}")
    assert 'id="edit-issue"' in page.text
    form = {
        "csrf_token": token,
        "version": "1",
        "title": "Checkpoints and the clinic",
        "duty_bearer": "Governor",
        "duty_bearer_level": "local",
        "rights": ["freedom_of_movement", "health"],
        "areas": "XM0101 XM0102",
    }
    r = client.post(f"/advocacy/{code}/edit", data=form, follow_redirects=False)
    assert r.status_code == 303
    stale = client.post(f"/advocacy/{code}/edit", data={**form, "title": "Old"})
    assert stale.status_code == 412 and "changed since you read it" in stale.text
    r = client.post(
        f"/advocacy/{code}/actions",
        data={"csrf_token": token, "version": "2", **MEETING},
        follow_redirects=False,
    )
    assert r.status_code == 303
    html = client.get(f"/advocacy/{code}").text
    action_id = re.search(r'name="action_id" value="(\d+)"', html)
    assert action_id and "Checkpoints and the clinic" in html
    r = client.post(
        f"/advocacy/{code}/action",
        data={
            "csrf_token": token,
            "version": "3",
            "action_id": action_id.group(1),
            "response": "Agreed to a medical pass",
            "response_on": "2026-01-15",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    issue = client.get(f"{API}/{code}", headers=people.auth("supervisor")).json()
    assert issue["actions"][0]["response"] == "Agreed to a medical pass"
    assert issue["rights"] == ["freedom_of_movement", "health"] and issue["version"] == 4
    client.cookies.clear()


def test_a_project_is_edited_with_versions(client: TestClient, people: People) -> None:
    project = {"name": "Shelter", "programming_type": "integration", "pillars": ["capacity"]}
    r = client.post("/api/v1/projects", json=project, headers=people.auth("analyst"))
    code, one = r.json()["code"], f"/api/v1/projects/{r.json()['code']}"
    assert r.json()["version"] == 1
    assert client.get(one, headers=people.auth("caseworker")).headers["etag"] == '"1"'
    change = {"programming_type": "specialized", "pillars": ["advocacy", "leadership"]}
    assert client.patch(one, json=change, headers=people.auth("supervisor")).status_code == 428
    r = client.patch(one, json=change, headers=people.auth("supervisor", 1))
    assert r.status_code == 200 and r.json()["version"] == 2
    assert (r.json()["programming_type"], r.json()["pillars"]) == (
        "specialized",
        ["advocacy", "leadership"],
    )
    assert client.patch(one, json=change, headers=people.auth("analyst", 1)).status_code == 412
    bad = client.patch(one, json={"pillars": ["weather"]}, headers=people.auth("analyst", 2))
    assert bad.status_code == 422 and "weather" in bad.text
    assert client.patch(one, json={}, headers=people.auth("analyst", 2)).status_code == 422
    assert client.patch(one, json=change, headers=people.auth("caseworker", 2)).status_code == 403
    pillars = client.get("/api/v1/roadmap/pillars", headers=people.auth("analyst")).json()
    by = {row["pillar"]: row for row in pillars}
    assert by["advocacy"]["projects_specialized"] == 1 and by["capacity"]["projects"] == 0
    # the page form
    token = _sign_in(client, "analyst.a")
    page = client.get(f"/projects/{code}")
    assert 'id="edit-project"' in page.text and 'name="version" value="2"' in page.text
    form = {
        "csrf_token": token,
        "version": "2",
        "name": "Shelter and NFI",
        "programming_type": "mainstreaming",
        "pillars": ["accountability"],
    }
    r = client.post(f"/projects/{code}/edit", data=form, follow_redirects=False)
    assert r.status_code == 303
    again = client.post(f"/projects/{code}/edit", data=form)
    assert again.status_code == 412 and "changed since you read it" in again.text
    final = client.get(one, headers=people.auth("analyst")).json()
    assert (final["name"], final["programming_type"], final["pillars"], final["version"]) == (
        "Shelter and NFI",
        "mainstreaming",
        ["accountability"],
        3,
    )
    client.cookies.clear()
