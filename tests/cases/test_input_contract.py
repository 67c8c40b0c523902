"""Inputs that used to answer 500 (found by schemathesis) answer 422 naming what is wrong, on
SQLite and PostgreSQL; request bodies over the limit answer 413; list lengths, string lengths and
page bounds are enforced by the schemas and query parameters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tests.cases.conftest import Staff, TestClient, answers, new_case, new_person

from safepath.http.limits import InputLimits
from safepath.settings import reset_settings

API = "/api/v1"
PERSON = {"given_name": "Amina", "sex": "female", "age": 34}


def _fields(r: Any) -> set[str]:
    return {str(p.get("column", "")) for p in r.json()["error"].get("problems", [])}


def _refused(r: Any, field: str) -> None:
    assert r.status_code == 422, r.text
    body = r.json()["error"]
    assert body["code"] == "validation_failed"
    assert field in _fields(r) or field in body["message"], r.text


def _case_url(client: TestClient, staff: Staff) -> str:
    return f"{API}/cases/{new_case(client, staff, new_person(client, staff))['code']}"


# --- dates of birth -------------------------------------------------------------------------
@pytest.mark.parametrize("born", ["0001-01-01", "1899-12-31", "2099-01-01"])
def test_implausible_dates_of_birth_are_refused_naming_the_field(
    client: TestClient, staff: Staff, born: str
) -> None:
    r = client.post(
        f"{API}/persons", json={**PERSON, "date_of_birth": born}, headers=staff.auth("caseworker")
    )
    _refused(r, "date_of_birth")
    code = new_person(client, staff)
    r = client.patch(
        f"{API}/persons/{code}",
        json={"date_of_birth": born},
        headers=staff.fresh(client, "caseworker", f"{API}/persons/{code}"),
    )
    _refused(r, "date_of_birth")
    r = client.post(
        f"{API}/persons",
        json={**PERSON, "date_of_birth": "1990-05-01"},
        headers=staff.auth("caseworker"),
    )
    assert r.status_code == 201, r.text


# --- P-codes ---------------------------------------------------------------------------------
@pytest.mark.parametrize("pcode", ["", "   ", "ZZ9999"])
def test_empty_or_unknown_place_codes_are_refused_naming_the_field(
    client: TestClient, staff: Staff, pcode: str
) -> None:
    r = client.post(
        f"{API}/persons", json={**PERSON, "place_pcode": pcode}, headers=staff.auth("caseworker")
    )
    _refused(r, "place_pcode")
    person = new_person(client, staff)
    body = {"person_code": person, "thematic_areas": ["gbv"], "place_pcode": pcode}
    _refused(
        client.post(f"{API}/cases", json=body, headers=staff.auth("caseworker")), "place_pcode"
    )
    url = _case_url(client, staff)
    r = client.patch(
        url, json={"place_pcode": pcode}, headers=staff.fresh(client, "caseworker", url)
    )
    _refused(r, "place_pcode")


# --- integers in the database's range -------------------------------------------------------
@pytest.mark.parametrize("team_id", ["1e20", str(10**20), "0", "-5", str(2**31)])
def test_team_id_query_out_of_range_is_refused(
    client: TestClient, staff: Staff, team_id: str
) -> None:
    r = client.get(f"{API}/cases?team_id={team_id}", headers=staff.auth("supervisor"))
    _refused(r, "team_id")


@pytest.mark.parametrize("team_id", [1e20, 10**20, 2**31, 0])
def test_team_id_in_bodies_out_of_range_is_refused(
    client: TestClient, staff: Staff, team_id: float
) -> None:
    person = new_person(client, staff)
    body = {"person_code": person, "thematic_areas": ["gbv"], "team_id": team_id}
    _refused(client.post(f"{API}/cases", json=body, headers=staff.auth("caseworker")), "team_id")
    url = _case_url(client, staff)
    r = client.post(
        f"{url}/assignment",
        json={"team_id": team_id},
        headers=staff.fresh(client, "supervisor", url),
    )
    _refused(r, "team_id")


# --- page bounds -----------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/cases", "/persons", "/referrals", "/audit/events", "/places"])
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("offset=1000001", "offset"),
        (f"offset={10**20}", "offset"),
        ("offset=-1", "offset"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
    ],
)
def test_page_bounds_on_every_list(
    client: TestClient, staff: Staff, path: str, query: str, field: str
) -> None:
    who = {"/referrals": "partner", "/audit/events": "dp"}.get(path, "supervisor")
    _refused(client.get(f"{API}{path}?{query}", headers=staff.auth(who)), field)
    r = client.get(f"{API}{path}?offset=1000000&limit=500", headers=staff.auth(who))
    assert r.status_code == 200, r.text


# --- NUL characters --------------------------------------------------------------------------
def test_nul_in_json_text_is_refused_naming_the_field(client: TestClient, staff: Staff) -> None:
    r = client.post(
        f"{API}/persons",
        json={**PERSON, "given_name": "Am\x00ina"},
        headers=staff.auth("caseworker"),
    )
    _refused(r, "given_name")
    r = client.post(
        f"{API}/persons",
        json={**PERSON, "documents": [{"type": "passport", "number": "X\x001"}]},
        headers=staff.auth("caseworker"),
    )
    _refused(r, "documents.0.number")
    url = _case_url(client, staff)
    headers = staff.fresh(client, "caseworker", url)
    _refused(client.patch(url, json={"narrative": "a\x00b"}, headers=headers), "narrative")
    _refused(client.post(f"{url}/follow-ups", json={"note": "\x00"}, headers=headers), "note")
    bad = {**answers(0.5), "notes": "x\x00y"}
    _refused(client.post(f"{url}/assessments", json={"answers": bad}, headers=headers), "answers")
    person = new_person(client, staff)
    body = {"person_code": person, "thematic_areas": ["gbv\x00"]}
    _refused(
        client.post(f"{API}/cases", json=body, headers=staff.auth("caseworker")), "thematic_areas.0"
    )
    # nothing of it was stored: the case is as it was
    assert client.get(url, headers=staff.auth("caseworker")).json()["narrative"] is None


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/persons?q=Am%00ina", "q"),
        ("/persons?household=H%00", "household"),
        ("/cases?caseworker=cw%00", "caseworker"),
        ("/cases?person_code=P%00", "person_code"),
        ("/audit/events?person=P%00", "person"),
        ("/places?q=%00", "q"),
        ("/cases/CS-%00", "/api/v1/cases/CS-"),
        ("/persons/P%00X", "/api/v1/persons/P"),
    ],
)
def test_nul_in_query_and_path_parameters_is_refused(
    client: TestClient, staff: Staff, path: str, field: str
) -> None:
    r = client.get(f"{API}{path}", headers=staff.auth("dp" if "audit" in path else "supervisor"))
    assert r.status_code == 422, r.text
    assert field in r.text


def test_nul_in_a_form_post_is_refused(client: TestClient, staff: Staff) -> None:
    r = client.post(f"{API}/auth/token", data={"username": "cw.demo\x00", "password": "x"})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "validation_failed"
    r = client.post("/login", data={"username": "a\x00", "password": "b", "csrf_token": "c"})
    assert r.status_code == 422


# --- list and string lengths -----------------------------------------------------------------
def test_list_and_string_lengths_are_bounded(client: TestClient, staff: Staff) -> None:
    auth = staff.auth("caseworker")
    many = {**PERSON, "languages": ["ar"] * 51}
    _refused(client.post(f"{API}/persons", json=many, headers=auth), "languages")
    docs = {**PERSON, "documents": [{"type": "id", "number": "1"}] * 21}
    _refused(client.post(f"{API}/persons", json=docs, headers=auth), "documents")
    _refused(
        client.post(f"{API}/persons", json={**PERSON, "given_name": "a" * 201}, headers=auth),
        "given_name",
    )
    _refused(
        client.post(f"{API}/persons", json={**PERSON, "notes": "a" * 10_001}, headers=auth),
        "notes",
    )
    person = new_person(client, staff)
    body = {"person_code": person, "thematic_areas": ["gbv"] * 51}
    _refused(client.post(f"{API}/cases", json=body, headers=auth), "thematic_areas")
    url = _case_url(client, staff)
    r = client.patch(
        url, json={"narrative": "n" * 10_001}, headers=staff.fresh(client, "caseworker", url)
    )
    _refused(r, "narrative")
    plan = {"interventions": [{"modality": "responsive", "thematic_area": "gbv"}] * 101}
    r = client.put(f"{url}/plan", json=plan, headers=staff.fresh(client, "caseworker", url))
    _refused(r, "interventions")


# --- body size -------------------------------------------------------------------------------
@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch, client: TestClient) -> Iterator[TestClient]:
    """An app whose JSON limit is 2 KiB and upload limit 8 KiB."""
    from tests.apps import shared_app

    monkeypatch.setenv("SAFEPATH_MAX_JSON_BYTES", "2048")
    monkeypatch.setenv("SAFEPATH_MAX_UPLOAD_BYTES", "8192")
    reset_settings()
    with TestClient(shared_app()) as c:
        yield c


def test_bodies_over_the_limit_answer_413_in_the_error_shape(
    small_limits: TestClient, staff: Staff
) -> None:
    big = {**PERSON, "notes": "x" * 3000}
    r = small_limits.post(f"{API}/persons", json=big, headers=staff.auth("caseworker"))
    assert r.status_code == 413, r.text
    assert r.json()["error"]["code"] == "payload_too_large"
    # streamed without a Content-Length: counted as it arrives
    import json

    payload = json.dumps(big).encode()

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(payload), 500):
            yield payload[i : i + 500]

    headers = staff.auth("caseworker") | {"Content-Type": "application/json"}
    r = small_limits.post(f"{API}/persons", content=chunks(), headers=headers)
    assert r.status_code == 413, r.text
    assert r.json()["error"]["code"] == "payload_too_large"
    # under the limit: accepted
    r = small_limits.post(f"{API}/persons", json=PERSON, headers=staff.auth("caseworker"))
    assert r.status_code == 201, r.text


def _echo_app(limit_json: int, limit_upload: int) -> Any:
    async def echo(request: Request) -> JSONResponse:
        return JSONResponse({"read": len(await request.body())})

    return InputLimits(
        Starlette(routes=[Route("/", echo, methods=["POST"])]),
        max_json_bytes=limit_json,
        max_upload_bytes=limit_upload,
    )


def test_uploads_get_their_own_limit() -> None:
    with TestClient(_echo_app(1024, 4096)) as c:
        multipart = {"Content-Type": "multipart/form-data; boundary=x"}
        assert c.post("/", content=b"a" * 3000, headers=multipart).json() == {"read": 3000}
        assert c.post("/", content=b"a" * 5000, headers=multipart).status_code == 413
        assert c.post("/", content=b"a" * 1000).json() == {"read": 1000}
        r = c.post("/", content=b"a" * 1025)
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "payload_too_large"
