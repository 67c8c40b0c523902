"""The data-protection page: the exports of the audit chain with the risk before and after and
the decision, and the risk of a round for chosen keys; only the data-protection roles open it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.apps import shared_app
from tests.surveys.rounds_for_export import store_round
from tests.web.test_case_pages import _token

from safepath.privacy import identity
from safepath.privacy.actor import Actor, Role
from safepath.rounds.export import export_round
from safepath.store.db import session_scope

PASSWORD = "tern lagoon 123 quartz"


def _signed_in(username: str, role: str) -> TestClient:
    with session_scope() as s:
        identity.add_user(s, username, role, "agency-a", PASSWORD)
    c = TestClient(shared_app(), follow_redirects=False)
    r = c.post(
        "/login",
        data={
            "username": username,
            "password": PASSWORD,
            "csrf_token": _token(c.get("/login").text),
            "next": "/data-protection",
        },
    )
    assert r.status_code == 303
    return c


@pytest.fixture
def dpo(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    store_round(tmp_path, "risky", unique=2)
    analyst = Actor(1, "ana", Role.analyst, 1)
    for anonymise in (False, True):
        with session_scope() as s:
            export_round(s, analyst, "risky", anonymise=anonymise)
    with _signed_in("dpo", "dp_focal_point") as c:
        yield c


def test_exports_show_the_decision_and_the_risk_before_and_after(dpo: TestClient) -> None:
    r = dpo.get("/data-protection")
    assert r.status_code == 200, r.text
    table = r.text.split('id="exports"')[1].split("</table>")[0]
    rows = table.split("<tr>")[2:]  # newest first
    anonymised, refused = rows
    assert "anonymised" in anonymised and "refused" in refused
    # before: (2 unique + 160/40) / 162 = 3.70 %; after: the two blanked households join a group
    assert refused.count("–") == 2  # nothing left: no "after"
    cells = [c.split("</td>")[0].split(">", 1)[1].strip() for c in anonymised.split("<td")[1:]]
    # after: the two blanked sizes match every displaced household (fk 82); the (2, yes) and
    # (3, yes) groups grow to 42: (80/42 + 80/40 + 2/82) / 162 = 2.43 %; highest 1/40
    assert cells[2:] == ["survey_round · risky", "162", "anonymised", "3.7 %", "2.43 %"] + [
        "1",
        "0.025",
        "hh_size 2",
    ]


def test_the_risk_form_measures_a_round_for_chosen_keys(dpo: TestClient) -> None:
    r = dpo.get("/data-protection", params={"round": "risky", "keys": "displaced"})
    assert r.status_code == 200
    risk = r.text.split('id="risk"')[1].split("</table>")[0]
    assert "162" in risk and "1.23 %" in risk  # 2 patterns of 82 and 80: (1 + 1) / 162
    r = dpo.get("/data-protection", params={"round": "risky", "keys": "nope"})
    assert r.status_code == 422 and "nope" in r.text


def test_in_french_and_only_for_data_protection_roles(dpo: TestClient, db_url: str) -> None:
    dpo.post(
        "/account/language", data={"language": "fr", "csrf_token": _token(dpo.get("/account").text)}
    )
    assert "Protection des données" in dpo.get("/data-protection").text
    with _signed_in("an", "analyst") as analyst:
        assert analyst.get("/data-protection").status_code == 403
