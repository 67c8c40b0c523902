"""The complaint pages: the public form (plain HTML, a double-submit CSRF cookie, the flood
limit), the handlers' list, record and steps, and the report in four languages."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.feedback.conftest import People

from safepath.privacy import identity
from safepath.settings import reset_settings
from safepath.store.db import session_scope
from safepath.store.models.feedback import Complaint


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the form"
    return found.group(1)


def _sign_in(client: TestClient, people: People, who: str) -> None:
    with session_scope() as s:
        sid = identity.start_session(s, identity.find_user(s, people.actors[who].username))
    client.cookies.set("safepath_session", sid)


def _public(client: TestClient, **values: str) -> tuple[int, str]:
    token = _token(client.get("/feedback").text)
    data = {"csrf_token": token, "category": "information_request", "description": "When?"}
    r = client.post("/feedback", data={**data, **values})
    return r.status_code, r.text


def test_the_public_form_needs_no_account_and_no_script(client: TestClient, people: People) -> None:
    page = client.get("/feedback")
    assert page.status_code == 200 and "<script" not in page.text.split("<main", 1)[1]
    assert 'method="post" action="/feedback"' in page.text
    status, html = _public(client, contact="+000 1", contact_consent="yes", place_pcode="XM0101")
    assert status == 200, html
    code = re.search(r'id="reference">(CP-[0-9A-Z]+)<', html)
    assert code is not None
    with session_scope() as s:
        c = s.scalar(select(Complaint).where(Complaint.code == code.group(1)))
        assert c is not None and c.channel == "web_form" and c.contact == "+000 1"
        assert c.created_by_user_id is None


def test_the_public_form_refuses_a_forged_post_and_shows_its_errors(
    client: TestClient, people: People
) -> None:
    r = client.post("/feedback", data={"csrf_token": "forged", "description": "x"})
    assert r.status_code == 403
    status, html = _public(client, contact="+000 1")  # contact without consent
    assert status == 422 and "consent" in html and "+000 1" in html  # the form keeps the values
    with session_scope() as s:
        assert s.scalar(select(Complaint.id)) is None


def test_the_public_form_refuses_a_flood(
    client: TestClient, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFEPATH_COMPLAINT_PUBLIC_LIMIT", "2")
    reset_settings()
    assert _public(client)[0] == 200 and _public(client)[0] == 200
    status, html = _public(client)
    assert status == 429 and "too many complaints" in html


def test_staff_record_and_handle_a_complaint(client: TestClient, people: People) -> None:
    _sign_in(client, people, "supervisor")
    listing = client.get("/complaints")
    assert listing.status_code == 200
    token = _token(listing.text)
    r = client.post(
        "/complaints",
        data={
            "csrf_token": token,
            "channel": "help_desk",
            "category": "access_exclusion",
            "description": "Left off the list",
            "place_pcode": "XM0101",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/complaints/CP-")
    where = r.headers["location"]
    page = client.get(where)
    assert "Left off the list" in page.text and 'id="acknowledge"' in page.text
    for step, data in (
        ("acknowledge", {}),
        ("assign", {"assignee": "caseworker.a"}),
        ("respond", {"response": "Added to the next distribution"}),
        ("close", {"feedback_given": "Told at the help desk"}),
    ):
        html = client.get(where).text
        version = re.search(r'name="version" value="(\d+)"', html)
        assert version, step
        r = client.post(
            f"{where}/{step}",
            data={"csrf_token": token, "version": version.group(1), **data},
            follow_redirects=False,
        )
        assert r.status_code == 303, (step, r.text[:300])
    final = client.get(where).text
    assert "Told at the help desk" in final and 'id="respond"' not in final
    # a stale form is refused with the message, nothing changes
    r = client.post(
        f"{where}/recategorise", data={"csrf_token": token, "version": "1", "category": "other"}
    )
    assert r.status_code == 412 and "changed since you read it" in r.text


def test_a_complaint_routed_to_psea_leaves_the_recorder(client: TestClient, people: People) -> None:
    _sign_in(client, people, "caseworker")
    token = _token(client.get("/complaints").text)
    r = client.post(
        "/complaints",
        data={
            "csrf_token": token,
            "channel": "hotline",
            "category": "fraud_corruption",
            "description": "Cards sold at the gate",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/complaints?routed=1"
    html = client.get("/complaints?routed=1").text
    assert "routed to the PSEA focal point" in html and "Cards sold" not in html
    with session_scope() as s:
        code = s.scalar(select(Complaint.code))
    assert client.get(f"/complaints/{code}").status_code == 404


TITLES = {
    "en": "Complaint reports",
    "fr": "Rapports sur les plaintes",
    "es": "Informes de quejas",
    "ar": "تقارير الشكاوى",
}


def test_the_report_page_in_each_language(client: TestClient, people: People) -> None:
    _sign_in(client, people, "analyst")
    for lang, title in TITLES.items():
        r = client.get("/complaints/report", params={"lang": lang, "by": "channel"})
        assert r.status_code == 200 and f"<h1>{title}</h1>" in r.text
        assert ('dir="rtl"' in r.text) == (lang == "ar")
