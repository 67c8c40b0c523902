"""The attachments section of the case page without JavaScript: the upload needs the session's
CSRF token, refusals are shown on the case page in the reader's language, each role sees what it
may."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from tests.cases.conftest import PASSWORD, USERS, Staff, TestClient, new_case, new_person

from safepath.store.db import session_scope
from safepath.store.models.attachments import CaseAttachment

PDF = b"%PDF-1.4\n% scanned\n%%EOF\n"


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:300]
    return found.group(1)


def _sign_in(client: TestClient, who: str) -> None:
    client.cookies.clear()
    r = client.post(
        "/login",
        data={
            "username": USERS[who][0],
            "password": PASSWORD,
            "csrf_token": _token(client.get("/login").text),
            "next": "/work",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def _rows() -> int:
    with session_scope() as s:
        return int(s.scalar(select(func.count()).select_from(CaseAttachment)) or 0)


def test_upload_on_the_case_page(client: TestClient, staff: Staff) -> None:
    code = new_case(client, staff, new_person(client, staff))["code"]
    _sign_in(client, "caseworker")
    page = client.get(f"/cases/{code}")
    assert "No file is attached to this case." in page.text
    token = _token(page.text)
    url = f"/cases/{code}/attachments"
    files = {"file": ("déclaration.pdf", PDF, "application/pdf")}

    refused = client.post(url, files=files, data={"csrf_token": "forged"}, follow_redirects=False)
    assert refused.status_code == 403 and _rows() == 0

    r = client.post(url, files=files, data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith(
        "?attachment=uploaded#attachments"
    )
    shown = client.get(r.headers["location"]).text
    assert "déclaration.pdf" in shown and "The file is attached." in shown
    link = re.search(rf'href="(/cases/{code}/attachments/AT-[0-9A-Z]+)"', shown)
    assert link
    got = client.get(link.group(1))
    assert got.content == PDF and got.headers["content-disposition"].startswith("attachment;")

    # refused in French, on the case page, nothing stored
    client.get(f"/cases/{code}?lang=fr")
    exe = {"file": ("scan.pdf", b"MZ\x90\x00\x03", "application/pdf")}
    r = client.post(url, files=exe, data={"csrf_token": token})
    assert r.status_code == 415
    assert "Ce type de fichier n'est pas accepté" in r.text.replace("&#39;", "'")
    assert _rows() == 1


def test_who_sees_the_section(client: TestClient, staff: Staff) -> None:
    code = new_case(client, staff, new_person(client, staff))["code"]
    _sign_in(client, "dp")
    page = client.get(f"/cases/{code}").text
    assert 'id="attachments"' in page and "Attach a file" not in page  # reads, does not add
    _sign_in(client, "caseworker")
    assert "Attach a file" in client.get(f"/cases/{code}").text
    _sign_in(client, "other_agency")
    assert client.get(f"/cases/{code}/attachments/AT-0000000000").status_code == 404
