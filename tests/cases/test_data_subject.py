"""Cases in the data-subject export, and erasure blanking case free text and answers."""

from __future__ import annotations

from sqlalchemy import text
from tests.cases.conftest import Staff, TestClient, answers, new_case, new_person

from safepath.store.db import get_engine

API = "/api/v1"


def test_export_includes_cases_and_erasure_blanks_their_free_text(
    client: TestClient, staff: Staff
) -> None:
    person = new_person(client, staff)
    code = new_case(client, staff, person, narrative="Threatened by the landlord")["code"]
    given = answers(0.7)
    client.post(
        f"{API}/cases/{code}/assessments",
        json={"answers": given},
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
    )
    client.post(
        f"{API}/cases/{code}/follow-ups",
        json={"note": "Called twice"},
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{code}"),
    )
    export = client.get(f"{API}/persons/{person}/export", headers=staff.auth("dp"))
    assert export.status_code == 200, export.text
    cases = export.json()["cases"]
    assert [c["code"] for c in cases] == [code]
    assert cases[0]["narrative"] == "Threatened by the landlord"
    assert cases[0]["assessments"][0]["answers"] == given
    assert cases[0]["follow_ups"][0]["note"] == "Called twice"

    r = client.post(f"{API}/persons/{person}/erase", headers=staff.auth("dp"))
    assert r.status_code == 200, r.text
    after = client.get(f"{API}/cases/{code}", headers=staff.auth("dp")).json()
    assert after["narrative"] is None and after["risk_level"] is not None  # figures stay
    history = client.get(f"{API}/cases/{code}/assessments", headers=staff.auth("dp")).json()
    assert history[0]["answers"] == {} and history[0]["risk"] > 0
    with get_engine().connect() as conn:
        assert conn.execute(text("SELECT note FROM case_follow_ups")).scalar_one() is None
