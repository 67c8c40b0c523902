"""A sensitive complaint is invisible to every role but the PSEA focal point: in the API's list,
record, reports (every dimension, the summary), the register export and the audit trail, and in
the pages (list, record, report). One test per role; small cells are not suppressed here
(threshold 1), so a count that included the sensitive complaint would show."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.feedback.conftest import People

from safepath.feedback import reports
from safepath.privacy import identity
from safepath.privacy.actor import Role
from safepath.settings import reset_settings
from safepath.store.db import session_scope

API = "/api/v1/complaints"
SEA = {
    "channel": "web_form",
    "category": "sexual_exploitation_abuse",
    "description": "A distribution volunteer asked for sex in return for a ration card",
    "place_pcode": "XM0102",  # no other complaint there: a count by place would give it away
    "population_group": "idp",
}
OTHER = {
    "channel": "hotline",
    "category": "assistance_quality",
    "description": "Late food parcels",
    "place_pcode": "XM0101",
    "population_group": "migrant",
}
WHO = [*(r.value for r in Role), "other_agency"]
SEA_LABEL = "Sexual exploitation and abuse"


@pytest.fixture
def complaints(
    client: TestClient, people: People, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str]:
    monkeypatch.setenv("SAFEPATH_DISCLOSURE_THRESHOLD", "1")
    reset_settings()
    sensitive = client.post(API, json=SEA).json()["code"]
    other = client.post(API, json=OTHER).json()["code"]
    # the PSEA focal point works on it: every step is in the audit trail
    r = client.post(
        f"{API}/{sensitive}/acknowledgement", headers=people.auth("psea_focal_point", 1)
    )
    assert r.status_code == 200, r.text
    return sensitive, other


def _page_cookie(people: People, who: str) -> str:
    with session_scope() as s:
        user = identity.find_user(s, people.actors[who].username)
        return identity.start_session(s, user)


def _api_leaks(client: TestClient, people: People, who: str, code: str) -> list[str]:
    auth = people.auth(who)
    leaks = []
    r = client.get(f"{API}/{code}", headers=auth)
    if r.status_code != 404:
        leaks.append(f"record: {r.status_code}")
    listed = client.get(API, headers=auth)
    if listed.status_code == 200 and code in listed.text:
        leaks.append("list")
    for by in reports.DIMENSIONS:
        r = client.get(f"{API}/report", params={"by": by}, headers=auth)
        if r.status_code != 200:
            continue
        body = r.json()
        if (
            body["summary"]["complaints"] not in (1, None)
            or sum(row["complaints"] or 0 for row in body["rows"]) > 1
        ):
            leaks.append(f"report by {by}: counts")
        found = {str(row[by]) for row in body["rows"]}
        if found & {"sexual_exploitation_abuse", "XM0102", "idp", "web_form"}:
            leaks.append(f"report by {by}: {found}")
    for fmt in ("csv", "json"):
        r = client.get(f"{API}/export", params={"format": fmt}, headers=auth)
        if r.status_code == 200 and (code in r.text or "sexual" in r.text):
            leaks.append(f"export {fmt}")
    r = client.get("/api/v1/audit/events", headers=auth)
    if r.status_code == 200 and (code in r.text or "sensitive" in r.text):
        leaks.append("audit events")
    return leaks


def _page_leaks(client: TestClient, people: People, who: str, code: str) -> list[str]:
    client.cookies.set("safepath_session", _page_cookie(people, who))
    leaks = []
    r = client.get(f"/complaints/{code}", follow_redirects=False)
    if r.status_code not in (403, 404):
        leaks.append(f"record page: {r.status_code}")
    r = client.get("/complaints", follow_redirects=False)
    if code in r.text:
        leaks.append("list page")
    for by in ("category", "place"):
        r = client.get("/complaints/report", params={"by": by})
        table = r.text.split('id="report"', 1)[-1]
        if r.status_code == 200 and (SEA_LABEL in table or "XM0102" in table):
            leaks.append(f"report page by {by}")
    client.cookies.clear()
    return leaks


@pytest.mark.parametrize("who", [w for w in WHO if w != Role.psea_focal_point.value])
def test_a_sensitive_complaint_is_invisible(
    client: TestClient, people: People, complaints: tuple[str, str], who: str
) -> None:
    sensitive, other = complaints
    assert _api_leaks(client, people, who, sensitive) == []
    assert _page_leaks(client, people, who, sensitive) == []
    if who in ("caseworker", "supervisor"):  # the check can see: the other complaint shows
        assert other in client.get(API, headers=people.auth(who)).text
        report = client.get(f"{API}/report", params={"by": "place"}, headers=people.auth(who))
        assert [(r["place"], r["complaints"]) for r in report.json()["rows"]] == [("XM0101", 1)]


def test_the_psea_focal_point_sees_it_everywhere(
    client: TestClient, people: People, complaints: tuple[str, str]
) -> None:
    sensitive, other = complaints
    auth = people.auth("psea_focal_point")
    assert (
        client.get(f"{API}/{sensitive}", headers=auth).json()["description"] == SEA["description"]
    )
    listed = client.get(API, headers=auth).json()
    assert {c["code"] for c in listed["items"]} == {sensitive, other}
    report = client.get(f"{API}/report", params={"by": "place"}, headers=auth).json()
    assert [(r["place"], r["complaints"]) for r in report["rows"]] == [("XM0101", 1), ("XM0102", 1)]
    assert report["summary"]["complaints"] == 2
    exported = client.get(f"{API}/export", params={"format": "csv"}, headers=auth).text
    assert sensitive in exported and "sexual_exploitation_abuse" in exported
    assert SEA["description"] not in exported  # the register carries no free text
    client.cookies.set("safepath_session", _page_cookie(people, "psea_focal_point"))
    page = client.get(f"/complaints/{sensitive}")
    assert page.status_code == 200 and SEA["description"] in page.text
    assert sensitive in client.get("/complaints").text
