"""The surveys API: upload a form and an export (multipart), list and show rounds; analysts only;
uploads over max_upload_bytes answer 413."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.surveys.conftest import bearer
from tests.surveys.sample import NAME, write_form, write_kobo_xlsx

from safepath.privacy.actor import Role
from safepath.settings import reset_settings


def test_upload_list_and_show(client: TestClient, tmp_path: Path) -> None:
    auth = bearer(Role.analyst)
    form = write_form(tmp_path / "sample.xlsx")
    r = client.post(
        "/api/v1/surveys/forms", headers=auth, files={"form": ("sample.xlsx", form.read_bytes())}
    )
    assert r.status_code == 201, r.text
    assert r.json()["form"] == "sample_hh" and r.json()["repeats"] == ["members"]
    export = write_kobo_xlsx(tmp_path / "export.xlsx")
    r = client.post(
        "/api/v1/surveys/rounds/may-2024/imports",
        headers=auth,
        data={"form": "sample_hh"},
        files={"export": ("export.xlsx", export.read_bytes())},
    )
    assert r.status_code == 201, r.text
    assert r.json()["tables"] == {"main": 3, "members": 4} and r.json()["added"] == 3
    listed = client.get("/api/v1/surveys/rounds", headers=auth).json()
    assert [x["round"] for x in listed] == ["may-2024"]
    shown = client.get("/api/v1/surveys/rounds/may-2024", headers=auth)
    assert shown.json()["imports"][0]["added"] == 3 and NAME not in shown.text
    assert client.get("/api/v1/surveys/rounds/nope", headers=auth).status_code == 404
    caseworker = bearer(Role.caseworker)
    assert client.get("/api/v1/surveys/rounds", headers=caseworker).status_code == 403


def test_upload_limit(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFEPATH_MAX_UPLOAD_BYTES", "2048")
    reset_settings()
    from tests.apps import shared_app

    auth = bearer(Role.analyst)
    with TestClient(shared_app()) as small:
        r = small.post(
            "/api/v1/surveys/rounds/r/imports",
            headers=auth,
            data={"form": "x"},
            files={"export": ("e.csv", b"a,b\n" * 2000)},
        )
    assert r.status_code == 413
