"""Acceptance: one case through every step over the API, with the outcome checked against the
risk engine."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from tests.cases.conftest import Staff, TestClient, answers, new_case, new_person

from safepath.cases.instruments import instrument
from safepath.places.area_profiles import area_row
from safepath.risk import evaluate, load_model
from safepath.store.db import get_engine, session_scope

API = "/api/v1"


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def test_case_from_registration_to_closure_with_measured_outcome(
    client: TestClient, staff: Staff
) -> None:
    model = load_model("safepath-domv-v1")
    person = new_person(client, staff)
    case = new_case(client, staff, person, narrative="Fled after threats at the workplace.")
    code = case["code"]
    assert case["status"] == "registered" and case["person_code"] == person
    assert code.startswith("CS-") and len(code) == 13
    assert case["place_pcode"] == "XM0101" and case["population_group"] == "migrant"

    # assessment: validated, scored by the engine, deadline from the case level
    first = answers(0.9, seed=3)
    a1 = _ok(
        client.post(
            f"{API}/cases/{code}/assessments",
            json={"answers": first},
            headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
        ),
        201,
    )
    # The operation's stored area profile (the demo's) feeds community and structural risk.
    with session_scope() as s:
        area = area_row(s, instrument().model_id, "XM0101")
    assert area is not None and area["pcode"] == "XM0101"
    expected1 = evaluate(model, first, area)
    assert {"community", "structural"} <= set(expected1.explanation["levels"])
    assert (a1["threat"], a1["vulnerability"], a1["capacity"], a1["risk"], a1["phase"]) == (
        expected1.threat,
        expected1.vulnerability,
        expected1.capacity,
        expected1.risk,
        expected1.phase,
    )
    assert a1["case_level"] == expected1.case_level
    assert a1["model"] == {"id": "safepath-domv-v1", "version": "1.0.0"}
    got = _ok(client.get(f"{API}/cases/{code}", headers=staff.auth("caseworker")))
    assert got["status"] == "assessed" and got["risk_level"] == expected1.case_level
    assert (got["next_action_due"] is not None) == (expected1.case_level != "none")

    # plan, approved by the supervisor only
    plan = {
        "interventions": [
            {
                "modality": "responsive",
                "thematic_area": "gbv",
                "gpc_risks": ["gbv"],
                "rights": ["health"],
                "responsible_organisation": "demo-agency",
                "due_date": "2030-01-31",
                "description": "Safety planning",
            },
            {
                "modality": "preventive",
                "thematic_area": "legal_identity",
                "gpc_risks": ["legal_identity_justice"],
                "rights": ["access_to_justice"],
                "responsible_organisation": "legal-aid",
            },
        ]
    }
    _ok(
        client.put(
            f"{API}/cases/{code}/plan",
            json=plan,
            headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
        )
    )
    r = client.post(
        f"{API}/cases/{code}/plan/approval",
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
    )
    assert r.status_code == 403
    approved = _ok(
        client.post(
            f"{API}/cases/{code}/plan/approval",
            headers=staff.fresh(client, "supervisor", f"{API}/cases/{code}"),
        )
    )
    assert approved["status"] == "plan_approved" and approved["plan_status"] == "approved"

    # referral with consent: the partner sees it, accepts and completes it
    ref = _ok(
        client.post(
            f"{API}/cases/{code}/referrals",
            json={
                "service": "legal-aid/civil-docs",
                "shared_fields": ["sex", "age", "thematic_areas"],
                "reason": "Needs a birth certificate",
                "urgency": "medium",
            },
            headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
        ),
        201,
    )
    assert ref["status"] == "sent" and ref["to_organisation"] == "legal-aid"
    inbox = _ok(client.get(f"{API}/referrals", headers=staff.auth("partner")))
    assert [i["code"] for i in inbox] == [ref["code"]]
    seen = _ok(client.get(f"{API}/cases/{code}", headers=staff.auth("partner")))
    assert seen["shared_fields"] == ["age", "sex", "thematic_areas"]
    assert (seen["sex"], seen["age"], seen["thematic_areas"]) == ("female", 34, ["gbv"])
    assert "narrative" not in seen and "status" not in seen and "person_code" not in seen
    accepted = _ok(
        client.post(
            f"{API}/referrals/{ref['code']}/accept",
            json={},
            headers=staff.fresh(client, "partner", f"{API}/referrals/{ref['code']}"),
        )
    )
    assert accepted["status"] == "accepted"
    done = _ok(
        client.post(
            f"{API}/referrals/{ref['code']}/complete",
            json={"note": "Certificate issued"},
            headers=staff.fresh(client, "partner", f"{API}/referrals/{ref['code']}"),
        )
    )
    assert done["status"] == "completed" and done["completed_at"] is not None

    # follow-up with an encrypted note; the next due date becomes the deadline
    fu = _ok(
        client.post(
            f"{API}/cases/{code}/follow-ups",
            json={
                "kind": "visit",
                "note": "Feels safer at the new shelter",
                "next_due": "2031-03-01",
            },
            headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
        ),
        201,
    )
    assert fu["note"] == "Feels safer at the new shelter"
    with get_engine().connect() as conn:
        stored = conn.execute(text("SELECT note FROM case_follow_ups")).scalar_one()
    assert "shelter" not in stored and stored.startswith("v1.")
    got = _ok(client.get(f"{API}/cases/{code}", headers=staff.auth("caseworker")))
    assert got["status"] == "in_progress" and got["next_action_due"].startswith("2031-03-02")

    # reassessment, closure requested, approved by the supervisor: outcome measured
    second = answers(0.1, seed=3)
    a2 = _ok(
        client.post(
            f"{API}/cases/{code}/assessments",
            json={"answers": second},
            headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
        ),
        201,
    )
    expected2 = evaluate(model, second, area)
    assert a2["seq"] == 2 and a2["kind"] == "reassessment" and a2["risk"] == expected2.risk
    # closure waits for the plan: both interventions are still planned, and the refusal says so
    r = client.post(
        f"{API}/cases/{code}/closure",
        json={"note": "Goals met"},
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
    )
    assert r.status_code == 422, r.text
    message = r.json()["error"]["message"]
    assert "#1 responsive/gbv (planned)" in message
    assert "#2 preventive/legal_identity (planned)" in message
    plan_now = _ok(
        client.post(
            f"{API}/cases/{code}/interventions/1/progress",
            json={"status": "done", "note": "Safety plan agreed"},
            headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
        )
    )
    first_line = plan_now["interventions"][0]
    assert (first_line["status"], first_line["progress_note"]) == ("done", "Safety plan agreed")
    assert first_line["progress_by"] == staff.actors["caseworker"].username
    assert plan_now["status"] == "approved"  # progress does not send the plan back
    r = client.post(
        f"{API}/cases/{code}/closure",
        json={"note": "Goals met"},
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
    )
    assert r.status_code == 422 and "#2 preventive" in r.json()["error"]["message"]
    assert "#1" not in r.json()["error"]["message"]
    _ok(
        client.post(
            f"{API}/cases/{code}/interventions/2/progress",
            json={"status": "cancelled", "note": "Documents found"},
            headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
        )
    )
    _ok(
        client.post(
            f"{API}/cases/{code}/closure",
            json={"note": "Goals met"},
            headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
        )
    )
    closed = _ok(
        client.post(
            f"{API}/cases/{code}/closure/approval",
            headers=staff.fresh(client, "supervisor", f"{API}/cases/{code}"),
        )
    )
    assert closed["status"] == "closed"
    outcome = closed["outcome"]
    assert outcome["delta_threat"] == pytest.approx(expected2.threat - expected1.threat, abs=1e-6)
    assert outcome["delta_vulnerability"] == pytest.approx(
        expected2.vulnerability - expected1.vulnerability, abs=1e-6
    )
    assert outcome["delta_capacity"] == pytest.approx(
        expected2.capacity - expected1.capacity, abs=1e-6
    )
    assert outcome["delta_risk"] == pytest.approx(expected2.risk - expected1.risk, abs=1e-6)
    assert outcome["baseline_phase"] == expected1.phase
    assert outcome["latest_phase"] == expected2.phase
    assert outcome["phase_change"] == expected2.phase - expected1.phase
    assert expected2.phase < expected1.phase  # the scenario is a real improvement
    assert outcome["outcome_achieved"] is True and outcome["rule"] == "phase_fell"

    # history stays readable; a closed case refuses new work with the next step named
    history = _ok(client.get(f"{API}/cases/{code}/assessments", headers=staff.auth("caseworker")))
    assert [h["seq"] for h in history] == [1, 2] and history[0]["answers"] == first
    r = client.post(
        f"{API}/cases/{code}/follow-ups",
        json={},
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
    )
    assert r.status_code == 422
    assert "status 'closed': reopen it first" in r.json()["error"]["message"]
