"""The advocacy log through the API and the pages: issues with duty bearers, rights and risks,
areas, actions with responses and status; an area's risks, cases and advocacy side by side."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.feedback.conftest import People

from safepath.advocacy.areas import phase_by_rule
from safepath.cases import registry
from safepath.cases.schemas import CaseIn
from safepath.privacy import identity, persons
from safepath.privacy.person_schema import PersonIn
from safepath.settings import reset_settings
from safepath.store.db import session_scope

API = "/api/v1/advocacy"
ISSUE = {
    "title": "Checkpoints block access to the clinic",
    "duty_bearer": "Governor of the northern province",
    "duty_bearer_level": "local",
    "gpc_risks": ["movement_restrictions"],
    "rights": ["freedom_of_movement", "health"],
    "areas": ["XM0101"],
}


def _issue(client: TestClient, people: People, **change: object) -> dict[str, object]:
    r = client.post(API, json={**ISSUE, **change}, headers=people.auth("supervisor"))
    assert r.status_code == 201, r.text
    body: dict[str, object] = r.json()
    return body


def test_an_issue_with_actions_responses_and_status(client: TestClient, people: People) -> None:
    issue = _issue(client, people)
    code = issue["code"]
    assert issue["status"] == "open" and issue["areas"] == [
        {
            "pcode": "XM0101",
            "name": "XM0101",
            "area_phase": None,  # no stored classification covers it
            "area_phase_at": None,
            "area_phase_source": None,
        }
    ]
    one = f"{API}/{code}"
    meeting = {"kind": "meeting", "taken_on": "2026-01-05", "description": "Met the governor"}
    assert (
        client.post(f"{one}/actions", json=meeting, headers=people.auth("supervisor")).status_code
        == 428
    )
    r = client.post(f"{one}/actions", json=meeting, headers=people.auth("analyst", 1))
    assert r.status_code == 201 and r.json()["status"] == "in_progress"
    letter = {
        "kind": "letter",
        "taken_on": "2026-01-20",
        "description": "Joint letter with the cluster",
        "response": "Checkpoint hours extended",
        "response_on": "2026-02-02",
    }
    r = client.post(f"{one}/actions", json=letter, headers=people.auth("supervisor", 2))
    actions = r.json()["actions"]
    assert [a["kind"] for a in actions] == ["meeting", "letter"]
    assert actions[1]["response"] == "Checkpoint hours extended"
    r = client.post(
        f"{one}/status", json={"status": "achieved"}, headers=people.auth("supervisor", 3)
    )
    assert r.status_code == 200 and r.json()["status"] == "achieved"
    # caseworkers read the log, they do not keep it; another agency does not see it
    assert client.get(one, headers=people.auth("caseworker")).status_code == 200
    r = client.post(f"{one}/status", json={"status": "open"}, headers=people.auth("caseworker", 4))
    assert r.status_code == 403
    assert client.get(one, headers=people.auth("other_agency")).status_code == 404


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"rights": [], "gpc_risks": []}, "rights or the GPC risks"),
        ({"duty_bearer_level": "global"}, "duty_bearer_levels"),
        ({"areas": ["ZZ01"]}, "ZZ01"),
        ({"gpc_risks": ["weather"]}, "weather"),
    ],
)
def test_bad_issues_are_refused(
    client: TestClient, people: People, change: dict[str, object], column: str
) -> None:
    r = client.post(API, json={**ISSUE, **change}, headers=people.auth("supervisor"))
    assert r.status_code == 422 and column in r.text
    assert client.get(API, headers=people.auth("supervisor")).json() == []


def test_bad_action_dates_are_refused(client: TestClient, people: People) -> None:
    code = _issue(client, people)["code"]
    late = {
        "kind": "meeting",
        "taken_on": "2026-01-05",
        "description": "x",
        "response": "y",
        "response_on": "2026-01-01",
    }
    r = client.post(f"{API}/{code}/actions", json=late, headers=people.auth("supervisor", 1))
    assert r.status_code == 422 and "before the action" in r.text


def test_issues_by_area_include_the_places_around(client: TestClient, people: People) -> None:
    province = _issue(client, people, areas=["XM01"])["code"]
    district = _issue(client, people, areas=["XM0102"])["code"]
    auth = people.auth("supervisor")

    def codes(area: str) -> set[str]:
        found = client.get(API, params={"area": area}, headers=auth).json()
        return {i["code"] for i in found}

    assert codes("XM0101") == {province}  # the province's issue concerns its districts
    assert codes("XM0102") == {province, district}
    assert codes("XM01") == {province, district}  # and a province sees its districts' issues


def test_phase_by_rule_is_the_25_percent_rule() -> None:
    assert phase_by_rule([], 0.25) is None
    assert phase_by_rule([1, 1, 1, 4], 0.25) == 4
    assert phase_by_rule([1, 1, 1, 1, 4], 0.25) == 1
    assert phase_by_rule([2, 3, 3, 5], 0.5) == 3


def test_the_area_page_puts_risks_cases_and_advocacy_side_by_side(
    client: TestClient, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFEPATH_DISCLOSURE_THRESHOLD", "2")
    reset_settings()
    cw = people.actors["caseworker"]
    with session_scope() as s:
        for risks in (["gbv"], ["gbv", "movement_restrictions"]):
            person = persons.create(
                s,
                cw,
                PersonIn.model_validate(
                    {"sex": "female", "age": 30, "consents": [{"purpose": "case_management"}]}
                ),
            )
            registry.create_case(
                s,
                cw,
                CaseIn(
                    person_code=person["code"],
                    thematic_areas=["gbv"],
                    gpc_risks=risks,
                    place_pcode="XM0101",
                ),
            )
    _issue(client, people)
    r = client.get("/api/v1/areas/XM0101", headers=people.auth("analyst"))
    body = r.json()
    assert r.status_code == 200 and body["cases"] == 2
    assert body["gpc_risks"] == [["gbv", 2]]  # one case only: suppressed
    assert body["by_risk_level"] == {"none": 2} and body["analysis_phase"] is None
    assert [i["title"] for i in body["issues"]] == [ISSUE["title"]]
    with session_scope() as s:
        sid = identity.start_session(s, identity.find_user(s, "supervisor.a"))
    client.cookies.set("safepath_session", sid)
    html = client.get("/areas/XM0101", params={"lang": "fr"}).text
    assert "Checkpoints block access" in html and "Violence basée sur le genre" in html
    assert client.get("/advocacy").status_code == 200
    assert "Governor of the northern province" in client.get("/advocacy").text
