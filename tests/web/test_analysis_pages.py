"""The analyst's area page: a survey round uploaded, scored and classified, small cells hidden."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.apps import shared_app
from tests.web.test_case_pages import _token

from safepath.demo.cases import synthetic_answers
from safepath.privacy import identity
from safepath.store.db import session_scope


@pytest.fixture
def analyst(db_url: str) -> Iterator[TestClient]:
    with session_scope() as s:
        identity.add_user(s, "an", "analyst", "agency-a", "tern lagoon 123 quartz")
    with TestClient(shared_app(), follow_redirects=False) as c:
        r = c.post(
            "/login",
            data={
                "username": "an",
                "password": "tern lagoon 123 quartz",
                "csrf_token": _token(c.get("/login").text),
                "next": "/analysis/areas",
            },
        )
        assert r.status_code == 303
        yield c


def _survey(rows_per_area: dict[str, int]) -> bytes:
    rng = random.Random(7)
    records = []
    for pcode, n in rows_per_area.items():
        for i in range(n):
            answers = synthetic_answers(
                rng,
                pcode,
                0.9 if pcode == "XA0101" else 0.1,
                age=30 + i,
                sex="female",
                group="idp",
            )
            answers.pop("hh_members", None)
            records.append(answers)
    columns = sorted({k for r in records for k in r})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue().encode()


def test_a_survey_round_is_scored_and_classified_by_area(analyst: TestClient) -> None:
    page = analyst.get("/analysis/areas", params={"lang": "en"})
    assert page.status_code == 200
    token = _token(page.text)
    data = _survey({"XA0101": 12, "XA0102": 12, "XA0201": 2})
    r = analyst.post(
        "/analysis/areas",
        data={"csrf_token": token, "level": "adm2"},
        files={"survey": ("round-1.csv", data, "text/csv")},
    )
    assert r.status_code == 200, r.text[-1500:]
    table = r.text.split('id="classified"')[1].split("</table>")[0]
    assert table.count("<tr>") == 4  # header + three areas
    assert "XA0101" in table and "XA0102" in table
    assert "Too few respondents to show." in table  # XA0201 has 2 < 5 respondents
    assert "round-1.csv" in r.text


def test_the_upload_needs_a_file_and_the_token(analyst: TestClient) -> None:
    token = _token(analyst.get("/analysis/areas").text)
    assert analyst.post("/analysis/areas", data={"csrf_token": "x"}).status_code == 403
    r = analyst.post("/analysis/areas", data={"csrf_token": token})
    assert r.status_code == 422
