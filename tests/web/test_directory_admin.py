"""Admins manage their own agency's services directory and the places on the web: a service
saved on /admin/services is found by ``find_services`` for its place; a bad thematic area or an
unknown place is shown next to its field and saves nothing; another agency's admin is refused; a
place-code CSV goes through the CLI's importer (row and column named, dry run, idempotent)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.apps import shared_app

from safepath.directory import find_services, services_of
from safepath.places import import_places
from safepath.places.importer import PlaceRow
from safepath.privacy import identity
from safepath.settings import reset_settings
from safepath.store.db import session_scope
from safepath.store.models import Place, Service
from safepath.store.models.audit import AuditEvent

PASSWORD = "tern lagoon 123 quartz"
HEADER = "Location,Admin Level,P-Code,Name,Parent P-Code,Valid from date\n"
TAGS = "#country+code,#geo+admin_level,#adm+code,#adm+name,#adm+code+parent,#date+start\n"
GOOD = (
    HEADER + TAGS + "XQR,1,XQ01,Quarry North,XQR,2024-01-01\n"
    "XQR,2,XQ0101,Quarry North One,XQ01,2024-01-01\n"
)
BAD = HEADER + TAGS + "XQR,1,XQ01,Quarry North,XQR,2024-01-01\nXQR,two,XQ0102,Bad,XQ01,\n"
TWO_BAD = BAD + "XQR,2,XQ0103,Worse,XQ01,not-a-date\n"


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def _sign_in(client: TestClient, username: str) -> None:
    r = client.post(
        "/login",
        data={
            "username": username,
            "password": PASSWORD,
            "csrf_token": _token(client.get("/login").text),
            "next": "/admin/services",
        },
    )
    assert r.status_code == 303


@pytest.fixture
def world(db_url: str) -> None:
    with session_scope() as s:
        identity.add_user(s, "boss", "admin", "agency-a", PASSWORD)
        identity.add_user(s, "bboss", "admin", "agency-b", PASSWORD)
        identity.add_user(s, "cw", "caseworker", "agency-a", PASSWORD)
        import_places(
            s,
            [
                PlaceRow("XM01", 1, "XMR", "XMR", "North", None, 3),
                PlaceRow("XM0102", 2, "XMR", "XM01", "Birchfield", None, 4),
            ],
        )


@pytest.fixture
def admin(world: None) -> Iterator[TestClient]:
    with TestClient(shared_app(), follow_redirects=False) as client:
        _sign_in(client, "boss")
        yield client


def _service(client: TestClient, **fields: str | list[str]) -> tuple[int, str]:
    token = _token(client.get("/admin/services").text)
    data: dict[str, str | list[str]] = {
        "csrf_token": token,
        "organisation": "agency-a",
        "code": "legal-aid",
        "name": "Legal aid desk",
        "thematic_area": "legal_identity",
        "places": ["Birchfield (XM0102)", ""],
        "contact": "+961 1 000 000",
        "eligibility": "Adults",
    }
    data.update(fields)
    r = client.post("/admin/services", data=data)
    return r.status_code, r.text


def test_admin_adds_and_edits_a_service_found_for_its_place(admin: TestClient) -> None:
    status, _ = _service(admin)
    assert status == 303
    with session_scope() as s:
        found = find_services(s, pcode="XM0102")
        assert [(x.code, x.organisation.code, x.name) for x in found] == [
            ("legal-aid", "agency-a", "Legal aid desk")
        ]
    page = admin.get("/admin/services?saved=legal-aid").text
    assert "legal-aid" in page and "Legal identity" in page and "XM0102" in page
    assert 'role="status"' in page
    # the edit form is filled with the service; a save with the same code updates it
    edit = admin.get("/admin/services?edit=legal-aid").text
    assert 'value="Legal aid desk"' in edit and 'value="XM0102"' in edit
    status, _ = _service(admin, name="Legal aid office", places=["xm01"])
    assert status == 303
    with session_scope() as s:
        (svc,) = services_of(s, "agency-a")
        assert (svc.name, [c.pcode for c in svc.coverage]) == ("Legal aid office", ["XM01"])
        assert [x.code for x in find_services(s, pcode="XM0102")] == ["legal-aid"]  # ancestor
        actions = s.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.record_type == "service", AuditEvent.record_id == str(svc.id))
            .order_by(AuditEvent.id)
        ).all()
        assert list(actions) == ["create", "update"]


def test_bad_thematic_area_and_unknown_place_are_shown_next_to_the_fields(
    admin: TestClient,
) -> None:
    status, html = _service(admin, thematic_area="astrology", places=["Nowhere"])
    assert status == 422
    area = re.search(r'<p class="err" id="svc-thematic_area-err">([^<]+)</p>', html)
    place = re.search(r'<p class="err" id="svc-places-err">([^<]+)</p>', html)
    assert area and "astrology" in area.group(1)
    assert place and "Nowhere" in place.group(1)
    status, html = _service(admin, code="Bad Code!", name="")
    assert status == 422
    assert re.search(r'id="svc-code-err">is not in the expected form<', html)
    assert re.search(r'id="svc-name-err">is required<', html)
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Service)) == 0


def test_errors_are_in_the_page_language(admin: TestClient) -> None:
    token = _token(admin.get("/admin/services").text)
    r = admin.post(
        "/admin/services?lang=fr",
        data={"csrf_token": token, "code": "x", "name": "", "thematic_area": "legal_identity"},
    )
    assert r.status_code == 422
    found = re.search(r'id="svc-name-err">([^<]+)<', r.text)
    assert found and found.group(1) != "is required"


def test_another_agencys_admin_cannot_edit_the_services(world: None) -> None:
    with TestClient(shared_app(), follow_redirects=False) as a:
        _sign_in(a, "boss")
        assert _service(a)[0] == 303
    with TestClient(shared_app(), follow_redirects=False) as b:
        _sign_in(b, "bboss")
        assert _service(b, name="Taken over")[0] == 403
        # agency A's services are not listed nor opened for editing on B's page
        assert "Legal aid desk" not in b.get("/admin/services?edit=legal-aid").text
    with session_scope() as s:
        assert [x.name for x in services_of(s, "agency-a")] == ["Legal aid desk"]
        assert services_of(s, "agency-b") == []


def test_other_roles_are_refused(world: None) -> None:
    with TestClient(shared_app(), follow_redirects=False) as c:
        _sign_in(c, "cw")
        assert c.get("/admin/services").status_code == 403
        assert c.get("/admin/places").status_code == 403
        assert "/admin/services" not in c.get("/account").text


def _upload(client: TestClient, text: str, mode: str) -> tuple[int, str]:
    token = _token(client.get("/admin/places").text)
    r = client.post(
        "/admin/places/import",
        data={"csrf_token": token, "mode": mode},
        files={"file": ("quarry.csv", text.encode(), "text/csv")},
    )
    return r.status_code, r.text


def _places() -> set[str]:
    with session_scope() as s:
        return set(s.scalars(select(Place.pcode)))


def test_places_upload_bad_row_dry_run_apply_and_again(admin: TestClient) -> None:
    before = _places()
    status, html = _upload(admin, BAD, "apply")
    assert status == 422
    refused = re.search(r'id="import-refused">([^<]+)<', html)
    assert refused, html[-3000:]
    assert "quarry.csv" in refused.group(1) and "row 4" in refused.group(1)
    assert "#geo+admin_level" in refused.group(1)
    assert _places() == before
    status, html = _upload(admin, TWO_BAD, "preview")  # every problem listed, with its row
    assert status == 422
    listed = re.findall(r"<li>([^<]*quarry.csv[^<]*)</li>", html)
    assert len(listed) == 2 and "row 4" in listed[0] and "row 5" in listed[1], listed
    assert _places() == before
    status, html = _upload(admin, GOOD, "preview")  # the dry run: counts, nothing written
    assert status == 200 and "New places: 2;" in html and "new countries: 1" in html
    assert _places() == before
    status, html = _upload(admin, GOOD, "apply")
    assert status == 200 and "New places: 2;" in html
    assert _places() == before | {"XQR", "XQ01", "XQ0101"}
    status, html = _upload(admin, GOOD, "apply")  # again: nothing added
    assert status == 200 and "No change" in html
    assert _places() == before | {"XQR", "XQ01", "XQ0101"}
    with session_scope() as s:
        fields = s.scalars(select(AuditEvent.fields).where(AuditEvent.record_type == "places"))
        assert [json.loads(f) for f in fields] == [["places"]]  # the one import that changed


def test_places_are_searchable(admin: TestClient) -> None:
    html = admin.get("/admin/places?q=birch").text
    assert "Birchfield</td>" in html and "<td>North</td>" not in html
    html = admin.get("/admin/places?q=xm01").text
    assert "Birchfield</td>" in html and "<td>North</td>" in html


def test_places_upload_needs_the_form_token_and_keeps_to_the_upload_limit(
    admin: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _places()
    r = admin.post(
        "/admin/places/import",
        data={"csrf_token": "forged", "mode": "apply"},
        files={"file": ("quarry.csv", GOOD.encode(), "text/csv")},
    )
    assert r.status_code == 403
    monkeypatch.setenv("SAFEPATH_MAX_UPLOAD_BYTES", "1024")
    reset_settings()
    big = GOOD + "".join(f"XQR,2,XQ01{n:02d},Quarry {n},XQ01,\n" for n in range(40))
    assert len(big) > 1024
    status, html = _upload(admin, big, "apply")
    assert status == 413 and "upload limit" in html
    assert _places() == before
