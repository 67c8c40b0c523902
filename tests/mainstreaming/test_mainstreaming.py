"""Projects tagged by pillar and programming type, self-assessments, progress, the roll-up (equal
to an independent computation on the demo's projects) and the report by pillar."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi.testclient import TestClient
from tests.feedback.conftest import People
from tests.feedback.matrix_records import checklist

from safepath.demo import load_demo
from safepath.demo.accountability import PROJECTS, load_demo_projects
from safepath.privacy import identity
from safepath.privacy.demo import ensure_demo_users
from safepath.store.db import session_scope

API = "/api/v1/projects"
PROJECT = {
    "name": "Shelter",
    "programming_type": "integration",
    "pillars": ["capacity", "accountability"],
    "interventions": [
        {
            "name": "Safety audits",
            "programming_type": "mainstreaming",
            "pillars": ["accountability"],
        }
    ],
}


def test_assessments_progress_and_validation(client: TestClient, people: People) -> None:
    auth = people.auth("analyst")
    r = client.post(API, json=PROJECT, headers=auth)
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    first = checklist("2025-01-10", 1)
    first["actions"] = [
        {
            "principle": "accountability",
            "action": "Open a desk",
            "owner": "PM",
            "due_on": "2025-03-01",
        }
    ]
    assert (
        client.post(f"{API}/{code}/assessments", json=first, headers=auth).json()["score"] == 33.3
    )
    second = checklist("2025-07-10", 1)
    second["scores"][0]["score"] = 3  # safety_dignity_do_no_harm at assessment_analysis
    assert (
        client.post(f"{API}/{code}/assessments", json=second, headers=auth).json()["score"] == 36.7
    )
    progress = client.get(f"{API}/{code}/progress", headers=auth).json()
    assert progress["score_change"] == 3.4
    assert progress["by_principle"]["safety_dignity_do_no_harm"] == 0.4
    assert progress["by_principle"]["accountability"] == 0.0
    assert progress["cells"]["safety_dignity_do_no_harm/assessment_analysis"] == 2
    project = client.get(f"{API}/{code}", headers=auth).json()
    assert project["assessments"][0]["actions"][0]["overdue"] is True
    # incomplete, repeated and out-of-range checklists are refused
    bad = checklist("2025-08-01")
    bad["scores"] = bad["scores"][:-1]
    r = client.post(f"{API}/{code}/assessments", json=bad, headers=auth)
    assert r.status_code == 422 and "missing participation_empowerment" in r.text
    bad = checklist("2025-08-01", 4)
    assert client.post(f"{API}/{code}/assessments", json=bad, headers=auth).status_code == 422
    r = client.post(API, json={**PROJECT, "pillars": ["fun"]}, headers=auth)
    assert r.status_code == 422 and "roadmap_pillars" in r.text
    # caseworkers read, they do not assess; another agency does not see the project
    r = client.post(
        f"{API}/{code}/assessments", json=checklist("2025-09-01"), headers=people.auth("caseworker")
    )
    assert r.status_code == 403
    assert client.get(f"{API}/{code}", headers=people.auth("other_agency")).status_code == 404


def _independent_rollup(projects: list[dict[str, Any]]) -> dict[str, Any]:
    """From the API's project views: each project's latest assessment, cell scores averaged."""
    latest = [max(p["assessments"], key=lambda a: a["assessed_on"]) for p in projects]
    by_principle: dict[str, list[float]] = defaultdict(list)
    by_stage: dict[str, list[float]] = defaultdict(list)
    cell: dict[tuple[str, str], list[float]] = defaultdict(list)  # scores, per cell
    for a in latest:
        per_p: dict[str, list[int]] = defaultdict(list)
        per_s: dict[str, list[int]] = defaultdict(list)
        for s in a["scores"]:
            per_p[s["principle"]].append(s["score"])
            per_s[s["stage"]].append(s["score"])
            cell[(s["principle"], s["stage"])].append(s["score"])
        for k, ints in per_p.items():
            by_principle[k].append(sum(ints) / len(ints))
        for k, ints in per_s.items():
            by_stage[k].append(sum(ints) / len(ints))

    def pct(values: list[float]) -> float:
        return round(100 * sum(values) / len(values) / 3, 1)

    matrix: dict[str, dict[str, float]] = defaultdict(dict)
    for (p, s), scores in cell.items():
        matrix[p][s] = pct(scores)
    return {
        "projects": len(latest),
        "by_principle": {k: pct(v) for k, v in by_principle.items()},
        "by_stage": {k: pct(v) for k, v in by_stage.items()},
        "matrix": dict(matrix),
    }


def test_rollup_and_pillars_on_the_demo_equal_an_independent_computation(
    client: TestClient, engine: object
) -> None:
    load_demo()
    with session_scope() as s:
        ensure_demo_users(s)
    with session_scope() as s:
        assert load_demo_projects(s) == 3
    with session_scope() as s:
        assert load_demo_projects(s) == 0
        token = identity.issue_token(s, identity.find_user(s, "supervisor")).token
    auth = {"Authorization": f"Bearer {token}"}
    projects = client.get(API, headers=auth).json()
    assert len(projects) == 3 and all(len(p["assessments"]) == 2 for p in projects)
    assert all(p["progress"] is not None for p in projects)
    rollup = client.get("/api/v1/mainstreaming/rollup", headers=auth).json()
    assert rollup == _independent_rollup(projects)
    pillars = {r["pillar"]: r for r in client.get("/api/v1/roadmap/pillars", headers=auth).json()}
    expected_projects: dict[str, int] = defaultdict(int)
    expected_interventions: dict[str, int] = defaultdict(int)
    for _, _, project_pillars, interventions in PROJECTS:
        for p in project_pillars:
            expected_projects[p] += 1
        for _, _, ps, _ in interventions:
            for p in ps:
                expected_interventions[p] += 1
    assert {k: v["projects"] for k, v in pillars.items() if v["projects"]} == expected_projects
    assert {k: v["interventions"] for k, v in pillars.items() if v["interventions"]} == (
        expected_interventions
    )
    assert pillars["advocacy"]["projects_specialized"] == 1
    # the pages show them
    with session_scope() as s:
        sid = identity.start_session(s, identity.find_user(s, "supervisor"))
    client.cookies.set("safepath_session", sid)
    html = client.get("/projects", params={"lang": "es"}).text
    assert "Legal identity for returnees" in html and "Pilares de la hoja de ruta" in html
    one = client.get(f"/projects/{projects[0]['code']}").text
    assert 'id="new-assessment"' in one and 'id="progress"' in one
