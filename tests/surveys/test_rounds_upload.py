"""The rounds page's upload: a form and an export posted (multipart, CSRF token), imported in
the background while a page shows its progress, ending in the round with its counts and
problems; refusals name table, row and column; only the analyst roles."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.apps import shared_app
from tests.surveys.exports import EXPORT_FILE, FORM_FILE, MSNA
from tests.surveys.sample import MAIN_HEADER, MAIN_ROWS, write_form
from tests.surveys.test_rounds_page import analyst  # noqa: F401 - the fixture
from tests.web.test_case_pages import _token

from safepath.privacy import identity
from safepath.privacy.actor import Actor, Role
from safepath.rounds import jobs
from safepath.store.db import session_scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _post(client: TestClient, files: dict[str, tuple[str, bytes, str]], **data: str) -> Any:
    token = _token(client.get("/analysis/rounds").text)
    return client.post("/analysis/rounds/imports", data={"csrf_token": token, **data}, files=files)


def _finish(client: TestClient, location: str, timeout: float = 60) -> Any:
    """Poll the progress page as the browser's refresh does, until it stops refreshing."""
    deadline = time.monotonic() + timeout
    while True:
        page = client.get(location)
        if page.status_code != 200 or 'http-equiv="refresh"' not in page.text:
            return page
        assert time.monotonic() < deadline, page.text[-2000:]
        time.sleep(0.2)


def test_upload_the_msna_form_and_export(
    analyst: TestClient,  # noqa: F811
    shared_dir: Path,
) -> None:
    src = shared_dir / MSNA
    files = {
        "export": (EXPORT_FILE, (src / EXPORT_FILE).read_bytes(), XLSX),
        "form_file": (FORM_FILE, (src / FORM_FILE).read_bytes(), XLSX),
    }
    started = _post(analyst, files, round="msna-web")
    assert started.status_code == 303, started.text[:500]
    location = started.headers["location"]
    assert location.startswith("/analysis/rounds/imports/")
    done = _finish(analyst, location)
    assert done.status_code == 303, done.text[-1500:]
    assert done.headers["location"] == "/analysis/rounds?round=msna-web"
    page = analyst.get(done.headers["location"]).text
    tables = page.split('id="round-tables"', 1)[1].split("</p>", 1)[0]
    assert "main</bdi> 241" in tables and "roster</bdi> 965" in tables
    for repeat in ("edu_ind", "health_ind", "nut_ind"):
        assert f"{repeat}</bdi> 965" in tables
    # the stored form is offered for the next export; the same export again adds nothing
    assert "REACH_2024_MSNA-kobo-tool_draft_v11" in page
    again = _post(
        analyst,
        {"export": (EXPORT_FILE, (src / EXPORT_FILE).read_bytes(), XLSX)},
        round="msna-web",
        form="REACH_2024_MSNA-kobo-tool_draft_v11",
    )
    assert _finish(analyst, again.headers["location"]).status_code == 303
    page = analyst.get("/analysis/rounds", params={"round": "msna-web"}).text
    assert "added</bdi>" not in page  # (the label is plain text)
    assert "added 0, updated 0, unchanged 241" in page


def _bad_csv() -> bytes:
    rows = [list(r) for r in MAIN_ROWS]
    rows[1][5] = "maybe"  # a choice outside its list
    lines = [",".join(MAIN_HEADER)] + [
        ",".join("" if v is None else str(v) for v in r) for r in rows
    ]
    return ("\n".join(lines) + "\n").encode()


def test_a_strict_upload_fails_naming_table_row_and_column(
    analyst: TestClient,  # noqa: F811
    tmp_path: Path,
) -> None:
    form = write_form(tmp_path / "f.xlsx").read_bytes()
    started = _post(
        analyst,
        {"export": ("may.csv", _bad_csv(), "text/csv"), "form_file": ("f.xlsx", form, XLSX)},
        strict="on",
        lang="fr",
    )
    failed = _finish(analyst, started.headers["location"])
    assert failed.status_code == 422
    assert "nothing was stored" in failed.text
    row = failed.text.split("<tbody>", 1)[1]
    assert "<td>main</td><td>3</td><td>hh/displaced</td><td>maybe</td>" in row
    problems = analyst.get(started.headers["location"] + "/problems.csv")
    assert problems.headers["content-type"].startswith("text/csv")
    got = list(csv.DictReader(io.StringIO(problems.text)))
    assert got[0]["table"] == "main" and got[0]["row"] == "3"
    assert got[0]["column"] == "hh/displaced" and got[0]["value"] == "maybe"
    assert "No survey round is stored yet." in analyst.get("/analysis/rounds").text
    # without --strict the valid rows are stored and the problems CSV is the round's
    started = _post(
        analyst,
        {"export": ("may.csv", _bad_csv(), "text/csv"), "form_file": ("f.xlsx", form, XLSX)},
    )
    assert _finish(analyst, started.headers["location"]).status_code == 303
    listed = analyst.get("/analysis/rounds/problems.csv", params={"round": "may"}).text
    assert "hh/displaced,maybe" in listed


def test_refusals(analyst: TestClient, tmp_path: Path) -> None:  # noqa: F811
    no_token = analyst.post(
        "/analysis/rounds/imports", files={"export": ("a.csv", b"a\n1\n", "text/csv")}
    )
    assert no_token.status_code == 403
    wrong = _post(analyst, {"export": ("a.pdf", b"%PDF", "application/pdf")})
    assert wrong.status_code == 422 and "Choose an export" in wrong.text
    no_form = _post(analyst, {"export": ("a.csv", b"a\n1\n", "text/csv")})
    assert no_form.status_code == 422 and "stored form" in no_form.text
    unknown = _post(analyst, {"export": ("a.csv", b"a\n1\n", "text/csv")}, form="nope")
    assert unknown.status_code == 404
    assert analyst.get("/analysis/rounds/imports/not-a-job-of-anyone").status_code == 404


def test_progress_page_refreshes_until_done(analyst: TestClient) -> None:  # noqa: F811
    job_id, folder = jobs.new_job()
    tracker = jobs._Tracker(
        folder,
        {
            "id": job_id,
            "owner": "an",
            "round": "r",
            "source": "e.xlsx",
            "state": "running",
            "read": {},
            "table": None,
            "total": 400,
        },
    )
    tracker.progress("main", 100, 400)
    tracker.write()
    page = analyst.get(f"/analysis/rounds/imports/{job_id}", params={"lang": "es"})
    assert page.status_code == 200 and 'http-equiv="refresh"' in page.text
    assert "100 / 400" in page.text and 'value="25"' in page.text
    # another user (even an analyst) does not see someone else's import
    other = Actor(user_id=999, username="an2", role=Role.analyst, agency_id=1)
    with pytest.raises(Exception, match="no such import"):
        jobs.get_job(job_id, other)


def test_other_roles_cannot_upload(db_url: str) -> None:
    with session_scope() as s:
        identity.add_user(s, "cw", "caseworker", "agency-a", "tern lagoon 123 quartz")
    with TestClient(shared_app(), follow_redirects=False) as c:
        c.post(
            "/login",
            data={
                "username": "cw",
                "password": "tern lagoon 123 quartz",
                "csrf_token": _token(c.get("/login").text),
                "next": "/work",
            },
        )
        token = _token(c.get("/account").text)
        r = c.post(
            "/analysis/rounds/imports",
            data={"csrf_token": token, "form": "x"},
            files={"export": ("a.csv", b"a\n1\n", "text/csv")},
        )
        assert r.status_code == 403
        assert c.get("/analysis/rounds/imports/whatever-job-id-123").status_code == 403
