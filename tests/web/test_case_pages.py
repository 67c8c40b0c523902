"""The case pages without JavaScript (plain form posts, as on a basic phone): sign-in, CSRF,
registration with consent, server-side validation of the assessment, escaping, my work order."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from tests.apps import shared_app

from safepath.cases import worklist
from safepath.demo import load_demo
from safepath.privacy import identity
from safepath.store.db import session_scope
from safepath.store.models import User
from safepath.store.models.cases import Case
from safepath.store.models.persons import Consent

XSS = "<script>alert(1)</script>"


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with session_scope() as s:
        identity.add_user(s, "cw", "caseworker", "agency-a", "tern lagoon 123 quartz", ["north"])
        identity.add_user(s, "an", "analyst", "agency-a", "tern lagoon 123 quartz")
    with TestClient(shared_app(), follow_redirects=False) as c:
        yield c


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def sign_in(client: TestClient, user: str, password: str) -> str:
    r = client.post(
        "/login",
        data={
            "username": user,
            "password": password,
            "csrf_token": _token(client.get("/login").text),
            "next": "/work",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/work"
    return _token(client.get("/register").text) if user == "cw" else ""


def register(client: TestClient, token: str, name: str) -> str:
    r = client.post(
        "/register",
        data={
            "csrf_token": token,
            "given_name": name,
            "consent": ["case_management", "referral_sharing"],
            "thematic_areas": ["gbv"],
            "subject": "individual",
        },
    )
    assert r.status_code == 303, r.text[-800:]
    return str(r.headers["location"])


def test_pages_need_sign_in(client: TestClient) -> None:
    r = client.get("/work")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/work")


def test_register_and_view_escapes_the_name(client: TestClient) -> None:
    token = sign_in(client, "cw", "tern lagoon 123 quartz")
    url = register(client, token, XSS)
    assert re.fullmatch(r"/cases/CS-\w+", url)
    html = client.get(url).text
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    work = client.get("/work").text
    assert url.split("/")[-1] in work


def test_forms_refuse_a_missing_or_wrong_csrf_token(client: TestClient) -> None:
    sign_in(client, "cw", "tern lagoon 123 quartz")
    r = client.post("/register", data={"given_name": "A", "thematic_areas": ["gbv"]})
    assert r.status_code == 403
    r = client.post("/register", data={"csrf_token": "forged", "given_name": "A"})
    assert r.status_code == 403


def test_a_child_is_registered_with_a_guardians_consent_and_the_childs_assent(
    client: TestClient,
) -> None:
    token = sign_in(client, "cw", "tern lagoon 123 quartz")
    form = client.get("/register").text
    assert 'name="child_assent" value="yes"' in form and 'name="child_assent" value="no"' in form
    child = {
        "csrf_token": token,
        "given_name": "Sami",
        "age": "12",
        "consent": ["case_management"],
        "given_by": "guardian",
        "thematic_areas": ["child_protection"],
        "subject": "individual",
    }
    refused = client.post("/register", data=child)
    assert refused.status_code == 422
    assert "assent" in refused.text and 'value="Sami"' in refused.text
    assert 'name="child_assent" value="yes" checked' not in refused.text
    r = client.post("/register", data={**child, "child_assent": "yes"})
    assert r.status_code == 303, r.text[-800:]
    with session_scope() as s:
        consent = s.scalars(select(Consent).order_by(Consent.id.desc())).first()
        assert consent is not None
        assert (consent.purpose, consent.given_by, consent.child_assent) == (
            "case_management",
            "guardian",
            True,
        )
    # The person's own consent carries no assent, even if the radio was left set.
    adult = {**child, "given_name": "Rana", "age": "30", "given_by": "person"}
    r = client.post("/register", data={**adult, "child_assent": "no"})
    assert r.status_code == 303, r.text[-800:]
    with session_scope() as s:
        consent = s.scalars(select(Consent).order_by(Consent.id.desc())).first()
        assert consent is not None and consent.child_assent is None


@pytest.mark.parametrize("typed", ["xm0102", "Birchfield", "birchfield", "Birchfield (XM0102)"])
def test_the_place_is_found_by_pcode_in_any_case_or_by_name(client: TestClient, typed: str) -> None:
    load_demo()  # the demo's places
    token = sign_in(client, "cw", "tern lagoon 123 quartz")
    form = client.get("/register").text
    assert '<option value="Birchfield (XM0102)">' in form  # the picker lists the places
    data = {
        "csrf_token": token,
        "given_name": "Lina",
        "place_pcode": typed,
        "consent": ["case_management"],
        "thematic_areas": ["gbv"],
        "subject": "individual",
    }
    r = client.post("/register", data=data)
    assert r.status_code == 303, r.text[-800:]
    with session_scope() as s:
        assert s.scalars(select(Case.place_pcode).order_by(Case.id.desc())).first() == "XM0102"


def test_an_unknown_place_is_refused_naming_the_field(client: TestClient) -> None:
    load_demo()
    token = sign_in(client, "cw", "tern lagoon 123 quartz")
    data = {
        "csrf_token": token,
        "given_name": "Lina",
        "place_pcode": "Atlantis",
        "consent": ["case_management"],
        "thematic_areas": ["gbv"],
    }
    r = client.post("/register", data=data)
    assert r.status_code == 422
    assert "no place with the P-code or name" in r.text and 'value="Atlantis"' in r.text
    with session_scope() as s:
        assert s.scalars(select(Case)).first() is None


def test_registration_without_consent_is_refused_with_the_reason(client: TestClient) -> None:
    token = sign_in(client, "cw", "tern lagoon 123 quartz")
    r = client.post(
        "/register",
        data={"csrf_token": token, "given_name": "Lina", "thematic_areas": ["gbv"]},
    )
    assert r.status_code == 422
    assert "case_management" in r.text and 'value="Lina"' in r.text  # answers kept


def test_assessment_is_validated_on_the_server(client: TestClient) -> None:
    token = sign_in(client, "cw", "tern lagoon 123 quartz")
    url = register(client, token, "Nadia")
    form = client.get(f"{url}/assess").text
    version = re.search(r'name="version" value="(\d+)"', form)
    assert version
    r = client.post(
        f"{url}/assess?lang=fr",
        data={
            "csrf_token": token,
            "version": version.group(1),
            "consent": "yes",
            "adm1_pcode": "bad",
            "resp_age": "200",
        },
    )
    assert r.status_code == 422
    assert "Deux lettres et deux chiffres" in r.text  # the form's own French message
    assert "Cette réponse est obligatoire." in r.text
    assert 'aria-invalid="true"' in r.text
    # adding a household member is a plain submit too, and keeps what was typed
    r = client.post(
        f"{url}/assess",
        data={
            "csrf_token": token,
            "resp_age": "41",
            "action": "add:hh_members",
            "hh_members.count": "1",
        },
    )
    assert r.status_code == 200
    assert 'name="hh_members.1.member_age"' in r.text and 'value="41"' in r.text
    assert client.get(url, params={"lang": "en"}).text.count("Not assessed yet.") == 1


def test_partner_and_analyst_are_sent_to_their_own_pages(client: TestClient) -> None:
    sign_in(client, "an", "tern lagoon 123 quartz")
    assert client.get("/work").headers["location"] == "/analysis/outcomes"
    assert client.get("/register").status_code == 403
    assert client.get("/analysis/outcomes").status_code == 200


def test_my_work_orders_overdue_then_level_then_deadline(client: TestClient) -> None:
    token = sign_in(client, "cw", "tern lagoon 123 quartz")
    codes = {k: register(client, token, f"Person {k}").split("/")[-1] for k in "abcdef"}
    soon = datetime.now(UTC) + timedelta(days=1)
    facts = {  # key: (risk level, next action due)
        "a": ("high", soon + timedelta(days=2)),
        "b": ("low", soon - timedelta(days=3)),  # overdue
        "c": ("high", soon + timedelta(days=1)),
        "d": (None, None),
        "e": ("medium", soon),
        "f": ("high", soon - timedelta(days=2)),  # overdue
    }
    with session_scope() as s:
        for key, (level, due) in facts.items():
            s.execute(
                update(Case)
                .where(Case.code == codes[key])
                .values(risk_level=level, next_action_due=due)
            )
        cw = identity.actor_for(s.scalars(select(User).where(User.username == "cw")).one())
        work = worklist.my_work(s, cw)
    assert [v.code for v in work.items] == [codes[k] for k in "fbcaed"]
    assert (work.total, work.overdue) == (6, 2)
    assert work.by_level == {"high": 3, "medium": 1, "low": 1, "none": 0}
    html = client.get("/work").text
    assert [html.index(codes[k]) for k in "fbcaed"] == sorted(
        html.index(codes[k]) for k in "fbcaed"
    )


def test_language_choice_is_remembered_for_the_user(client: TestClient) -> None:
    sign_in(client, "cw", "tern lagoon 123 quartz")
    assert 'lang="es"' in client.get("/work", params={"lang": "es"}).text
    with session_scope() as s:  # a GET switches this browser only (a cookie), writes nothing
        assert identity.find_user(s, "cw").language == "en"
    assert 'lang="es"' in client.get("/work").text
    token = _token(client.get("/account").text)
    r = client.post("/account/language", data={"csrf_token": token, "language": "es"})
    assert r.status_code == 303
    assert client.post("/account/language", data={"language": "fr"}).status_code == 403
    assert (
        client.post("/account/language", data={"csrf_token": token, "language": "xx"}).status_code
        == 422
    )
    client.cookies.clear()  # another browser: the account remembers Spanish
    sign_in(client, "cw", "tern lagoon 123 quartz")
    r = client.get("/work", headers={"accept-language": "fr"})
    assert 'lang="es"' in r.text and "Mi trabajo" in r.text


def test_case_search_by_name_goes_through_the_person_registry(client: TestClient) -> None:
    token = sign_in(client, "cw", "tern lagoon 123 quartz")
    url = register(client, token, "Mariam Haddad")
    register(client, token, "Someone Else")
    r = client.get("/cases", params={"q": "mariam", "lang": "en"})
    assert r.status_code == 200
    assert url.split("/")[-1] in r.text
    assert "Cases found: 1" in r.text and "Someone" not in r.text
    none = client.get("/cases", params={"q": "Nobody"})
    assert "Cases found: 0" in none.text


def test_admin_creates_and_disables_a_user(db_url: str) -> None:
    with session_scope() as s:
        identity.add_user(s, "boss", "admin", "agency-a", "tern lagoon 123 quartz")
    with TestClient(shared_app(), follow_redirects=False) as client:
        sign_in_as = client.post(
            "/login",
            data={
                "username": "boss",
                "password": "tern lagoon 123 quartz",
                "csrf_token": _token(client.get("/login").text),
                "next": "/admin",
            },
        )
        assert sign_in_as.status_code == 303
        token = _token(client.get("/admin").text)
        r = client.post(
            "/admin/users",
            data={
                "csrf_token": token,
                "username": "newcw",
                "role": "caseworker",
                "agency": "agency-a",
                "teams": "north",
                "password": "tern lagoon 1 quartz",
            },
        )
        assert r.status_code == 303
        assert "newcw" in client.get("/admin").text
        again = client.post(
            "/admin/users",
            data={
                "csrf_token": token,
                "username": "newcw",
                "role": "caseworker",
                "agency": "agency-a",
                "password": "x",
            },
        )
        assert again.status_code == 409 and "already exists" in again.text
        r = client.post("/admin/users/newcw/disable", data={"csrf_token": token})
        assert r.status_code == 303
    with session_scope() as s:
        user = identity.find_user(s, "newcw")
        assert user.disabled and user.role == "caseworker"
        assert [t.code for t in user.teams] == ["north"]


def test_supervisor_reassigns_a_case(client: TestClient) -> None:
    with session_scope() as s:
        identity.add_user(s, "sup", "supervisor", "agency-a", "tern lagoon 123 quartz", ["north"])
        identity.add_user(s, "cw2", "caseworker", "agency-a", "tern lagoon 123 quartz", ["north"])
    token = sign_in(client, "cw", "tern lagoon 123 quartz")
    url = register(client, token, "Rania")
    assert 'action="' + url + '/assign"' not in client.get(url).text  # caseworkers cannot
    client.cookies.clear()
    sign_in(client, "sup", "tern lagoon 123 quartz")
    page = client.get(url, params={"lang": "en"}).text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    r = client.post(
        f"{url}/assign",
        data={"csrf_token": _token(page), "version": version.group(1), "caseworker": "cw2"},
    )
    assert r.status_code == 303
    facts = client.get(url).text.split('class="facts"')[1].split("</dl>")[0]
    assert "cw2" in facts
    stale = client.post(
        f"{url}/assign",
        data={"csrf_token": _token(page), "version": version.group(1), "caseworker": "cw"},
    )
    assert stale.status_code == 412 and "changed since you read it" in stale.text


def test_a_form_without_its_version_is_shown_again_and_changes_nothing(
    client: TestClient,
) -> None:
    token = sign_in(client, "cw", "tern lagoon 123 quartz")
    url = register(client, token, "Hala")
    code = url.rsplit("/", 1)[-1]
    with session_scope() as s:
        before = s.scalar(select(Case.version).where(Case.code == code))
    for version in ({}, {"version": ""}, {"version": "abc"}):
        r = client.post(f"{url}/follow-up", data={"csrf_token": token, "kind": "call", **version})
        assert r.status_code == 428, r.text[-500:]
        assert "send the version" in r.text and 'name="version"' in r.text  # the form again
    r = client.post(f"{url}/follow-up", data={"csrf_token": token, "kind": "call", "version": "99"})
    assert r.status_code == 412 and "changed since you read it" in r.text
    with session_scope() as s:
        assert s.scalar(select(Case.version).where(Case.code == code)) == before
