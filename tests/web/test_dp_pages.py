"""The data-protection focal point's and the auditor's pages, and the consent panel of the case:
each page for the roles it is for (with the values it shows) and refused to the others; every
write through the domain services (consent rules, erasure, retention), every read audited."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from tests.apps import shared_app

from safepath.privacy import audit, identity
from safepath.privacy.actor import Actor, Role
from safepath.privacy.keys import get_keyring
from safepath.settings import reset_settings
from safepath.store.db import session_scope
from safepath.store.models.audit import AuditEvent
from safepath.store.models.cases import Case, FollowUp
from safepath.store.models.persons import Consent, Person

PASSWORD = "tern lagoon 123 quartz"
USERS = {
    "cw": ("caseworker", "agency-a", ["north"]),
    "dp": ("dp_focal_point", "agency-a", []),
    "aud": ("auditor", "agency-a", []),
    "adm": ("admin", "agency-a", []),
    "an": ("analyst", "agency-a", []),
    "dpb": ("dp_focal_point", "agency-b", []),
}


@pytest.fixture
def app(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_MEMORY_KIB", "1024")
    reset_settings()
    with session_scope() as s:
        for name, (role, agency, teams) in USERS.items():
            identity.add_user(s, name, role, agency, PASSWORD, teams)
    with TestClient(shared_app(), follow_redirects=False) as c:
        yield c


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def as_user(client: TestClient, user: str) -> str:
    """Sign ``user`` in (signing the previous one out); the session's CSRF token."""
    client.cookies.clear()
    r = client.post(
        "/login",
        data={
            "username": user,
            "password": PASSWORD,
            "csrf_token": _token(client.get("/login").text),
        },
    )
    assert r.status_code == 303, r.text[-300:]
    return _token(client.get("/account").text)


def register(client: TestClient, token: str, name: str, **extra: object) -> str:
    data: dict[str, object] = {
        "csrf_token": token,
        "given_name": name,
        "family_name": "Haddad",
        "age": "30",
        "consent": ["case_management", "referral_sharing"],
        "thematic_areas": ["gbv"],
        "subject": "individual",
        "narrative": "Threatened by the landlord on 3 May",
        "confirm_new": "1",
        **extra,
    }
    r = client.post("/register", data=data)
    assert r.status_code == 303, r.text[-800:]
    return str(r.headers["location"]).removeprefix("/cases/")


def _person(case_code: str) -> str:
    with session_scope() as s:
        return str(s.scalar(select(Case.person_code).where(Case.code == case_code)))


def _active(person_code: str) -> dict[str, tuple[str, bool | None]]:
    with session_scope() as s:
        rows = s.execute(
            select(Consent.purpose, Consent.given_by, Consent.child_assent)
            .join(Person)
            .where(Person.code == person_code, Consent.withdrawn_at.is_(None))
        ).all()
    return {p: (g, a) for p, g, a in rows}


def _row(html: str, purpose: str) -> str:
    found = re.search(rf'<tr data-purpose="{purpose}">(.*?)</tr>', html, re.S)
    assert found, html[-2000:]
    return found.group(1)


# --- the consent panel --------------------------------------------------------------------


def test_consent_panel_gives_and_withdraws_per_purpose(app: TestClient) -> None:
    token = as_user(app, "cw")
    case = register(app, token, "Rana")
    person = _person(case)
    html = app.get(f"/cases/{case}").text
    assert "Given" in _row(html, "case_management") and "Given" in _row(html, "referral_sharing")
    assert "Not given" in _row(html, "analysis")
    assert f"/cases/{case}/consent/referral_sharing/withdraw" in html
    # the give form offers only the purpose not given
    offered = re.search(r'<select id="consent-purpose" name="purpose">(.*?)</select>', html, re.S)
    assert offered and re.findall(r'value="([^"]+)"', offered.group(1)) == ["analysis"]

    r = app.post(f"/cases/{case}/consent", data={"csrf_token": token, "purpose": "analysis"})
    assert r.status_code == 303
    assert r.headers["location"] == f"/cases/{case}?done=consent_given#consent"
    assert _active(person)["analysis"] == ("person", None)
    shown = app.get(r.headers["location"]).text
    assert "The consent is recorded." in shown and "Given" in _row(shown, "analysis")

    # a withdrawal needs the box ticked; nothing changes without it
    url = f"/cases/{case}/consent/referral_sharing/withdraw"
    refused = app.post(url, data={"csrf_token": token})
    assert refused.status_code == 422 and "Tick the box to confirm the withdrawal." in refused.text
    assert "referral_sharing" in _active(person)
    r = app.post(url, data={"csrf_token": token, "confirm": "yes"})
    assert r.status_code == 303
    assert "referral_sharing" not in _active(person)
    shown = app.get(f"/cases/{case}?lang=fr").text
    assert "Retiré" in _row(shown, "referral_sharing")
    with session_scope() as s:
        events = s.scalars(
            select(AuditEvent.action).where(
                AuditEvent.person_code == person, AuditEvent.record_type == "consent"
            )
        ).all()
    assert events.count("consent") == 2 + 1 + 1  # two at registration, one given, one withdrawn
    assert "read" in events  # the panel's read of the consents is audited


def test_a_guardians_consent_for_a_child_needs_the_childs_assent(app: TestClient) -> None:
    token = as_user(app, "cw")
    case = register(
        app,
        token,
        "Sami",
        age="12",
        given_by="guardian",
        child_assent="yes",
        consent=["case_management"],
        thematic_areas=["child_protection"],
    )
    person = _person(case)
    give = {"csrf_token": token, "purpose": "analysis", "given_by": "guardian"}
    refused = app.post(f"/cases/{case}/consent", data=give)
    assert refused.status_code == 422 and "assent" in refused.text
    assert "analysis" not in _active(person)
    assert (
        app.post(f"/cases/{case}/consent", data={**give, "child_assent": "no"}).status_code == 303
    )
    assert _active(person)["analysis"] == ("guardian", False)
    html = app.get(f"/cases/{case}").text
    assert "The child does not agree" in _row(html, "analysis")
    assert "The child agrees" in _row(html, "case_management")


def test_the_dp_focal_point_reads_the_panel_and_cannot_write(app: TestClient) -> None:
    token = as_user(app, "cw")
    case = register(app, token, "Rana")
    dp_token = as_user(app, "dp")
    html = app.get(f"/cases/{case}").text
    assert "Given" in _row(html, "case_management")
    assert "/consent/" not in html and 'id="consent-purpose"' not in html
    r = app.post(f"/cases/{case}/consent", data={"csrf_token": dp_token, "purpose": "analysis"})
    assert r.status_code == 403
    assert "analysis" not in _active(_person(case))


# --- data-subject requests ------------------------------------------------------------------


def test_data_subject_export_and_erasure(app: TestClient) -> None:
    token = as_user(app, "cw")
    case = register(app, token, "Rana", phone="+961 70 123 456")
    with session_scope() as s:
        c = s.scalar(select(Case).where(Case.code == case))
        assert c is not None
        s.add(FollowUp(case_id=c.id, kind="visit", note="Met her at the clinic"))
    person = _person(case)
    as_user(app, "dp")
    # found by code (straight to the person), by name, by phone
    r = app.get("/privacy/subjects", params={"q": person.lower()})
    assert r.status_code == 303 and r.headers["location"] == f"/privacy/subjects/{person}"
    listed = app.get("/privacy/subjects", params={"q": "rana"}).text
    assert f'href="/privacy/subjects/{person}"' in listed and "Haddad" in listed
    page = app.get(f"/privacy/subjects/{person}").text
    assert "Rana" in page and "+961 70 123 456" in page
    assert "Given" in _row(page, "case_management")

    export = app.get(f"/privacy/subjects/{person}/export")
    assert export.status_code == 200
    assert export.headers["content-disposition"] == f'attachment; filename="{person}.json"'
    data = json.loads(export.text)
    assert data["person"]["given_name"] == "Rana"
    assert {c["purpose"] for c in data["consents"]} == {"case_management", "referral_sharing"}

    confirm = app.get(f"/privacy/subjects/{person}/erase")
    assert confirm.status_code == 200 and "Erasure cannot be undone." in confirm.text
    dp_token = _token(confirm.text)
    wrong = app.post(
        f"/privacy/subjects/{person}/erase", data={"csrf_token": dp_token, "confirm_code": "P-X"}
    )
    assert wrong.status_code == 422 and "Type the person" in wrong.text
    with session_scope() as s:
        assert s.scalar(select(Person.given_name).where(Person.code == person)) == "Rana"
    r = app.post(
        f"/privacy/subjects/{person}/erase",
        data={"csrf_token": dp_token, "confirm_code": person.lower()},
    )
    assert (
        r.status_code == 303 and r.headers["location"] == f"/privacy/subjects/{person}?done=erased"
    )
    with session_scope() as s:
        p = s.scalar(select(Person).where(Person.code == person))
        assert p is not None and p.anonymised_at is not None
        assert (p.given_name, p.family_name, p.phone) == (None, None, None)
        c = s.scalar(select(Case).where(Case.code == case))
        assert c is not None and c.narrative is None
        assert s.scalars(select(FollowUp.note).where(FollowUp.case_id == c.id)).all() == [None]
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.person_code == person)).all()
    assert "export" in actions and "erase" in actions
    after = app.get(r.headers["location"]).text
    assert "The person is erased" in after and "Rana" not in after
    assert "/erase" not in after.split("<main", 1)[1]  # no second erasure offered


def test_data_subject_pages_are_the_dp_focal_points_of_the_agency(app: TestClient) -> None:
    token = as_user(app, "cw")
    person = _person(register(app, token, "Rana"))
    for path in (
        "/privacy/subjects",
        f"/privacy/subjects/{person}",
        f"/privacy/subjects/{person}/export",
    ):
        assert app.get(path).status_code == 403, path
    as_user(app, "aud")
    assert app.get(f"/privacy/subjects/{person}/export").status_code == 403
    other = as_user(app, "dpb")  # another agency's focal point: the person does not exist
    assert app.get(f"/privacy/subjects/{person}").status_code == 404
    assert app.get(f"/privacy/subjects/{person}/export").status_code == 404
    r = app.post(
        f"/privacy/subjects/{person}/erase", data={"csrf_token": other, "confirm_code": person}
    )
    assert r.status_code == 404
    listed = app.get("/privacy/subjects", params={"q": "Rana"}).text
    assert "No person found." in listed and person not in listed
    with session_scope() as s:
        assert s.scalar(select(Person.anonymised_at).where(Person.code == person)) is None


# --- the audit trail --------------------------------------------------------------------------


def _rows(html: str) -> list[str]:
    body = re.search(r'<table class="audit-trail">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, html[-1500:]
    return re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)


def test_the_audit_trail_filters_and_pages_and_is_read_only(app: TestClient) -> None:
    token = as_user(app, "cw")
    person = _person(register(app, token, "Rana"))
    actor = Actor(user_id=0, username="batch", role=Role.admin, agency_id=0)
    with session_scope() as s:
        for i in range(60):
            audit.record(s, actor, "export", "report", i)
        audit.record(s, actor, "read", "sensitive_complaint", "CP-1")
    as_user(app, "aud")
    with session_scope() as s:
        before = s.scalar(select(func.count()).select_from(AuditEvent))
    first = app.get("/audit", params={"user": "batch"})
    assert first.status_code == 200
    rows = _rows(first.text)
    assert len(rows) == 50 and all("batch" in r for r in rows)
    assert "sensitive_complaint" not in first.text  # the PSEA focal point's alone
    older = re.search(r'href="(/audit\?[^"]+)" *>|rel="next" href="([^"]+)"', first.text)
    assert older
    nxt = app.get((older.group(1) or older.group(2)).replace("&amp;", "&"))
    more = _rows(nxt.text)
    assert len(more) == 10 and not set(more) & set(rows)
    assert 'rel="next"' not in nxt.text
    # by action and person
    created = _rows(app.get("/audit", params={"action": "create", "person": person}).text)
    assert created and all('<code dir="ltr">create</code>' in r and person in r for r in created)
    # dates: none before today, a reversed range is refused
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    none = app.get("/audit", params={"until": yesterday}).text
    assert "No events match." in none
    bad = app.get("/audit", params={"since": "2026-02-01", "until": "2026-01-01"})
    assert bad.status_code == 422 and "the start date is after the end date" in bad.text
    assert app.get("/audit", params={"since": "1 May"}).status_code == 422
    with session_scope() as s:
        viewed = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.record_type == "audit_trail")
        )
        total = s.scalar(select(func.count()).select_from(AuditEvent))
    assert viewed == 4  # each view recorded, nothing else written by viewing
    assert total is not None and before is not None and total - before >= 4


def test_the_trail_of_a_dp_focal_point_is_their_agencys(app: TestClient) -> None:
    token = as_user(app, "cw")
    person = _person(register(app, token, "Rana"))
    as_user(app, "dpb")
    html = app.get("/audit").text
    assert person not in html and ">cw <" not in html
    as_user(app, "dp")
    assert person in app.get("/audit", params={"user": "cw"}).text
    for user in ("cw", "an", "adm"):
        as_user(app, user)
        assert app.get("/audit").status_code == 403, user


def test_auditor_lands_on_the_trail_and_sees_the_verification(app: TestClient) -> None:
    app.cookies.clear()
    r = app.post(
        "/login",
        data={
            "username": "aud",
            "password": PASSWORD,
            "csrf_token": _token(app.get("/login").text),
        },
    )
    assert r.headers["location"] == "/work"
    assert app.get("/work").headers["location"] == "/audit"  # the auditor's first page
    token = as_user(app, "cw")
    register(app, token, "Rana")
    as_user(app, "aud")
    with session_scope() as s:
        n = audit.verify(s).checked
    ok = app.get("/audit/verify").text
    assert f"The audit chain is intact: {n:,} events verified." in ok
    with session_scope() as s:
        victim = s.scalar(select(AuditEvent.id).where(AuditEvent.action == "create").limit(1))
        s.execute(update(AuditEvent).where(AuditEvent.id == victim).values(fields='["forged"]'))
    broken = app.get("/audit/verify")
    assert f"The audit chain is BROKEN at event {victim}" in broken.text
    assert "Its content does not match its seal." in broken.text
    as_user(app, "adm")
    assert "BROKEN" in app.get("/audit/verify").text
    as_user(app, "cw")
    assert app.get("/audit/verify").status_code == 403


# --- keys and retention -----------------------------------------------------------------------


def test_key_status_names_keys_never_their_material(app: TestClient) -> None:
    ring = get_keyring()
    for user in ("adm", "aud", "dp"):
        as_user(app, user)
        html = app.get("/keys").text
        assert f'<code dir="ltr">{ring.current}</code>' in html
        assert "Current: new values are encrypted with it" in html
        assert "Every encrypted value is on the current key." in html
        for secret in (*ring.keys.values(), ring.audit_key, ring.blind_index_key):
            for text in (base64.urlsafe_b64encode(secret).decode().rstrip("="), secret.hex()):
                assert text not in html
    for user in ("cw", "an"):
        as_user(app, user)
        assert app.get("/keys").status_code == 403


def _age(person_code: str, days: int) -> None:
    with session_scope() as s:
        s.execute(
            update(Person)
            .where(Person.code == person_code)
            .values(updated_at=datetime.now(UTC) - timedelta(days=days))
        )


def _cells(html: str, attr: str) -> dict[str, str]:
    return dict(
        re.findall(rf'<tr data-{attr}="([^"]+)"><th scope="row">[^<]*</th><td>([^<]*)</td>', html)
    )


def test_retention_shows_what_is_due_and_held_and_applies_on_confirmation(app: TestClient) -> None:
    token = as_user(app, "cw")
    kept = _person(register(app, token, "Rana"))  # an open case: held
    due = _person(register(app, token, "Omar"))
    with session_scope() as s:
        s.execute(update(Case).where(Case.person_code == due).values(status="closed"))
    _age(kept, 4000)
    _age(due, 4000)
    aud_token = as_user(app, "aud")
    html = app.get("/retention").text
    assert _cells(html, "rule")["persons"] == "1"
    assert _cells(html, "hold")["open_case"] == "1"
    assert 'action="/retention"' not in html  # the auditor reads, does not apply
    assert (
        app.post("/retention", data={"csrf_token": aud_token, "confirm": "yes"}).status_code == 403
    )
    dp_token = as_user(app, "dp")
    page = app.get("/retention").text
    assert 'action="/retention"' in page
    refused = app.post("/retention", data={"csrf_token": dp_token})
    assert refused.status_code == 422 and "Tick the box" in refused.text
    with session_scope() as s:
        assert s.scalar(select(Person.anonymised_at).where(Person.code == due)) is None
    done = app.post("/retention", data={"csrf_token": dp_token, "confirm": "yes"})
    assert done.status_code == 200 and "Retention applied." in done.text
    assert _cells(done.text, "rule")["persons"] == "1"
    with session_scope() as s:
        gone = s.scalar(select(Person).where(Person.code == due))
        held = s.scalar(select(Person).where(Person.code == kept))
        assert gone is not None and gone.anonymised_at is not None and gone.given_name is None
        assert held is not None and held.given_name == "Rana"
    assert _cells(app.get("/retention").text, "rule")["persons"] == "0"
    for user in ("cw", "an"):
        as_user(app, user)
        assert app.get("/retention").status_code == 403
