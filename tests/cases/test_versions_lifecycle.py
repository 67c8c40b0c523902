"""Concurrent edits (ETag / If-Match), lifecycle refusals, closure reasons, scope (404 across
agencies), filters, sorting and pagination."""

from __future__ import annotations

import pytest
from tests.cases.conftest import Staff, TestClient, answers, new_case, new_person

from safepath.cases import lifecycle
from safepath.errors import ValidationFailed

API = "/api/v1"


def test_stale_write_gets_412_and_loses_nothing(client: TestClient, staff: Staff) -> None:
    code = new_case(client, staff, new_person(client, staff))["code"]
    read = client.get(f"{API}/cases/{code}", headers=staff.auth("caseworker"))
    etag = read.headers["ETag"]
    version = int(etag.strip('"'))
    assert version == read.json()["version"]
    first = client.patch(
        f"{API}/cases/{code}",
        json={"narrative": "first edit"},
        headers=staff.auth("caseworker", version),
    )
    assert first.status_code == 200 and first.headers["ETag"] == f'"{version + 1}"'
    stale = client.patch(
        f"{API}/cases/{code}",
        json={"narrative": "second edit from an old copy"},
        headers=staff.auth("supervisor", version),
    )
    assert stale.status_code == 412
    assert "changed since you read it" in stale.json()["error"]["message"]
    now = client.get(f"{API}/cases/{code}", headers=staff.auth("caseworker")).json()
    assert now["narrative"] == "first edit" and now["version"] == version + 1
    # the same holds for actions: a stale assessment is refused and not stored
    r = client.post(
        f"{API}/cases/{code}/assessments",
        json={"answers": answers(0.5)},
        headers=staff.auth("caseworker", version),
    )
    assert r.status_code == 412
    assert (
        client.get(f"{API}/cases/{code}/assessments", headers=staff.auth("caseworker")).json() == []
    )


def test_lifecycle_refusals_name_the_next_step(client: TestClient, staff: Staff) -> None:
    code = new_case(client, staff, new_person(client, staff))["code"]
    r = client.post(
        f"{API}/cases/{code}/plan/approval",
        headers=staff.fresh(client, "supervisor", f"{API}/cases/{code}"),
    )
    assert r.status_code == 422
    assert r.json()["error"]["message"] == (
        "cannot approve the plan of a case in status 'registered': assess it first"
    )
    r = client.post(
        f"{API}/cases/{code}/closure/approval",
        headers=staff.fresh(client, "supervisor", f"{API}/cases/{code}"),
    )
    assert "request its closure first" in r.json()["error"]["message"]
    # closing without a follow-up assessment needs a reason code
    r = client.post(
        f"{API}/cases/{code}/closure",
        json={},
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
    )
    assert r.status_code == 422 and "lost_contact" in r.json()["error"]["message"]
    r = client.post(
        f"{API}/cases/{code}/closure",
        json={"reason": "moved"},
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
    )
    assert r.status_code == 422  # not a reason code
    r = client.post(
        f"{API}/cases/{code}/closure",
        json={"reason": "lost_contact"},
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
    )
    assert r.status_code == 200 and r.json()["status"] == "closure_requested"
    closed = client.post(
        f"{API}/cases/{code}/closure/approval",
        headers=staff.fresh(client, "supervisor", f"{API}/cases/{code}"),
    )
    assert closed.json()["status"] == "closed"
    assert closed.json()["outcome"]["outcome_achieved"] is None
    assert closed.json()["outcome"]["closure_reason"] == "lost_contact"
    r = client.post(
        f"{API}/cases/{code}/reopening",
        json={},
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
    )
    assert r.status_code == 403
    r = client.post(
        f"{API}/cases/{code}/reopening",
        json={},
        headers=staff.fresh(client, "supervisor", f"{API}/cases/{code}"),
    )
    assert r.json()["status"] == "reopened"


def test_state_machine_table() -> None:
    assert lifecycle.check("assess", "registered") is None
    assert lifecycle.check("approve_plan", "assessed") is lifecycle.Status.plan_approved
    assert lifecycle.check("reopen", "closed") is lifecycle.Status.reopened
    with pytest.raises(ValidationFailed, match="'closed': reopen it first"):
        lifecycle.check("refer", "closed")
    with pytest.raises(ValidationFailed, match="already approved"):
        lifecycle.check("approve_plan", "plan_approved")
    assert lifecycle.after_assessment("registered") is lifecycle.Status.assessed
    assert lifecycle.after_activity("plan_approved") is lifecycle.Status.in_progress


def test_invalid_answers_are_refused_with_located_problems(
    client: TestClient, staff: Staff
) -> None:
    code = new_case(client, staff, new_person(client, staff))["code"]
    bad = {**answers(0.5), "resp_age": 300, "documents": "passport"}
    del bad["income"]
    r = client.post(
        f"{API}/cases/{code}/assessments",
        json={"answers": bad},
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
    )
    assert r.status_code == 422
    columns = {p["column"] for p in r.json()["error"]["problems"]}
    assert {"resp_age", "documents", "income"} <= columns


def test_scope_other_agency_gets_404_and_roles_get_403(client: TestClient, staff: Staff) -> None:
    code = new_case(client, staff, new_person(client, staff))["code"]
    assert client.get(f"{API}/cases/{code}", headers=staff.auth("other_agency")).status_code == 404
    r = client.patch(
        f"{API}/cases/{code}",
        json={"narrative": "x"},
        headers=staff.fresh(client, "other_agency", f"{API}/cases/{code}"),
    )
    assert r.status_code == 404
    # a caseworker of another team of the same agency does not reach it either
    assert client.get(f"{API}/cases/{code}", headers=staff.auth("caseworker2")).status_code == 404
    assert client.get(f"{API}/cases/{code}", headers=staff.auth("analyst")).status_code == 403
    assert client.get(f"{API}/cases/{code}", headers=staff.auth("admin")).status_code == 403
    assert client.get(f"{API}/cases/{code}", headers=staff.auth("dp")).status_code == 200
    assert client.get(f"{API}/cases/{code}").status_code == 401


def test_transfer_to_another_team_and_caseworker(client: TestClient, staff: Staff) -> None:
    code = new_case(client, staff, new_person(client, staff))["code"]
    team = staff.actors["caseworker2"].team_ids
    body = {"caseworker": "cw2.demo", "team_id": min(team)}
    r = client.post(
        f"{API}/cases/{code}/assignment",
        json=body,
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
    )
    assert r.status_code == 403
    r = client.post(
        f"{API}/cases/{code}/assignment",
        json=body,
        headers=staff.fresh(client, "supervisor", f"{API}/cases/{code}"),
    )
    assert r.status_code == 200 and r.json()["caseworker"] == "cw2.demo"
    assert client.get(f"{API}/cases/{code}", headers=staff.auth("caseworker2")).status_code == 200
    r = client.post(
        f"{API}/cases/{code}/assignment",
        json={"caseworker": "cw.other"},
        headers=staff.fresh(client, "supervisor", f"{API}/cases/{code}"),
    )
    assert r.status_code == 422 and "no active caseworker" in r.json()["error"]["message"]


def test_filters_sort_pagination_and_overdue(client: TestClient, staff: Staff) -> None:
    person = new_person(client, staff)
    codes = [
        new_case(client, staff, person, thematic_areas=[area])["code"]
        for area in ("gbv", "child_protection", "gbv")
    ]
    severe = client.post(
        f"{API}/cases/{codes[0]}/assessments",
        json={"answers": answers(0.95)},
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{codes[0]}"),
    ).json()
    got = client.get(
        f"{API}/cases?thematic_area=gbv&sort=code&include_total=true",
        headers=staff.auth("caseworker"),
    )
    items = got.json()["items"]
    assert got.json()["total"] == 2 and [i["code"] for i in items] == sorted([codes[0], codes[2]])
    page = client.get(
        f"{API}/cases?limit=1&offset=1&sort=-code&include_total=true",
        headers=staff.auth("caseworker"),
    )
    assert page.json()["total"] == 3 and page.json()["items"][0]["code"] == sorted(codes)[1]
    level = severe["case_level"]
    r = client.get(f"{API}/cases?risk_level={level}", headers=staff.auth("caseworker"))
    assert [i["code"] for i in r.json()["items"]] == [codes[0]]
    r = client.get(
        f"{API}/cases?status=registered&place=XM01&include_total=true",
        headers=staff.auth("caseworker"),
    )
    assert r.json()["total"] == 2
    r = client.get(
        f"{API}/cases?caseworker=me&overdue=false&include_total=true",
        headers=staff.auth("caseworker"),
    )
    assert r.json()["total"] == 3
    assert (
        client.get(f"{API}/cases?sort=secret", headers=staff.auth("caseworker")).status_code == 422
    )
    # a follow-up due in the past makes the case overdue, per caseworker and per team
    r = client.post(
        f"{API}/cases/{codes[1]}/follow-ups",
        json={"kind": "call", "next_due": "2020-01-01"},
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{codes[1]}"),
    )
    assert r.status_code == 201
    r = client.get(f"{API}/cases?overdue=true", headers=staff.auth("caseworker"))
    assert [i["code"] for i in r.json()["items"]] == [codes[1]] and r.json()["items"][0]["overdue"]
    by_worker = client.get(f"{API}/cases/overdue?by=caseworker", headers=staff.auth("supervisor"))
    assert by_worker.json() == [{"caseworker": "cw.demo", "overdue": 1}]
    by_team = client.get(f"{API}/cases/overdue?by=team", headers=staff.auth("supervisor"))
    assert by_team.json() == [{"team": "team-north", "overdue": 1}]
