"""The case page says why a phase holds: a red flag (an indicator floor) keeps the phase above
what the risk score gives, and a closed case whose risk fell but whose phase did not says so,
in a warning, not a success box (the outcome counts the phase)."""

from __future__ import annotations

import re

from tests.cases.conftest import PASSWORD, USERS, Staff, TestClient, answers, new_case, new_person

from safepath.cases.phase_reason import phase_reason
from safepath.risk import evaluate, load_model

API = "/api/v1"


def _assess(client: TestClient, staff: Staff, code: str, body: dict[str, object]) -> None:
    r = client.post(
        f"{API}/cases/{code}/assessments",
        json={"answers": body},
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
    )
    assert r.status_code == 201, r.text


def _page(client: TestClient, who: str, path: str) -> str:
    login = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', login)
    assert token
    r = client.post(
        "/login",
        data={"username": USERS[who][0], "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = client.get(path)
    assert page.status_code == 200
    return page.text


def test_phase_reason_names_the_floor_and_the_phase_from_risk() -> None:
    model = load_model("safepath-domv-v1")
    calm = answers(0.05, seed=3) | {"threat_to_life": "yes"}
    result = evaluate(model, calm)
    reason = phase_reason(result.explanation, result.phase)
    assert result.phase == 4 and reason.held
    assert reason.phase_from_risk is not None and reason.phase_from_risk < 4
    assert [(f.indicator, f.score, f.min_score, f.phase) for f in reason.floors] == [
        ("threat_to_life", 5, 5, 4)
    ]
    assert reason.floors[0].label.startswith("Imminent threat to the life")
    plain = evaluate(model, answers(0.05, seed=3) | {"threat_to_life": "no"})
    assert not phase_reason(plain.explanation, plain.phase).held


def test_case_page_explains_a_held_phase_and_an_outcome_not_achieved(
    client: TestClient, staff: Staff
) -> None:
    code = new_case(client, staff, new_person(client, staff))["code"]
    _assess(client, staff, code, answers(0.9, seed=3) | {"threat_to_life": "yes"})
    _assess(client, staff, code, answers(0.05, seed=3) | {"threat_to_life": "yes"})
    for path, who in ((f"{API}/cases/{code}/closure", "caseworker"),):
        r = client.post(
            path, json={"note": "Moved"}, headers=staff.fresh(client, who, f"{API}/cases/{code}")
        )
        assert r.status_code == 200, r.text
    r = client.post(
        f"{API}/cases/{code}/closure/approval",
        headers=staff.fresh(client, "supervisor", f"{API}/cases/{code}"),
    )
    assert r.status_code == 200, r.text
    outcome = r.json()["outcome"]
    assert outcome["delta_risk"] < 0 and outcome["outcome_achieved"] is False

    html = _page(client, "caseworker", f"/cases/{code}")
    held = "Phase: <strong>Extreme (4)</strong> — held by a red flag; the risk score alone gives"
    assert held in html
    assert "Imminent threat to the life" in html
    assert '<p class="warn">Outcome not achieved</p>' in html
    assert '<p class="ok">' not in html
    assert "The risk score fell, but the outcome counts the phase, which did not fall." in html
    assert "A red flag holds it (see Risk above)." in html
    # in French too: the phase by its name, the reason translated
    fr = client.get(f"/cases/{code}?lang=fr").text
    assert "<strong>Extrême (4)</strong> — maintenue par un signal d" in fr
    assert "au moins à Extrême (4)" in fr
