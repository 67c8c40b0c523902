"""A change of who may see what takes effect on the caller's next request, on the same token:
the token statement reads the user's teams every time (nothing about access is cached)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from tests.cases.conftest import Staff, TestClient, new_case, new_person

from safepath.store.db import session_scope
from safepath.store.models import Team, User, user_teams


def _membership(username: str, team_code: str, *, member: bool) -> None:
    with session_scope() as s:
        user_id = s.scalar(select(User.id).where(User.username == username))
        team_id = s.scalar(select(Team.id).where(Team.code == team_code))
        match = (user_teams.c.user_id == user_id) & (user_teams.c.team_id == team_id)
        if member:
            s.execute(insert(user_teams).values(user_id=user_id, team_id=team_id))
        else:
            s.execute(delete(user_teams).where(match))


def test_team_membership_changes_apply_to_the_next_request(
    client: TestClient, staff: Staff
) -> None:
    case = new_case(client, staff, new_person(client, staff))  # in team-north
    url = f"/api/v1/cases/{case['code']}"
    other = staff.auth("caseworker2")  # team-south only
    assert client.get(url, headers=other).status_code == 404
    _membership("cw2.demo", "team-north", member=True)
    got = client.get(url, headers=other)
    assert got.status_code == 200 and got.json()["code"] == case["code"]
    listed = client.get("/api/v1/cases", headers=other).json()["items"]
    assert case["code"] in [c["code"] for c in listed]
    _membership("cw2.demo", "team-north", member=False)
    assert client.get(url, headers=other).status_code == 404
    listed = client.get("/api/v1/cases", headers=other).json()["items"]
    assert case["code"] not in [c["code"] for c in listed]


def test_a_user_in_several_teams_reaches_each(client: TestClient, staff: Staff) -> None:
    case = new_case(client, staff, new_person(client, staff))  # in team-north
    url = f"/api/v1/cases/{case['code']}"
    _membership("cw2.demo", "team-north", member=True)  # now in team-south and team-north
    assert client.get(url, headers=staff.auth("caseworker2")).status_code == 200
    assert client.get(url, headers=staff.auth("caseworker")).status_code == 200
    assert client.get(url, headers=staff.auth("other_agency")).status_code == 404
