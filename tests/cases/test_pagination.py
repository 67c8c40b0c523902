"""Keyset pagination of the case list (API and web): walking every page by cursor, in every sort
order and both directions, gives each case once and in the order of one big page, ties and NULL
sort values included; the previous cursor goes back; totals only when asked; a cursor that is not
ours answers 422 naming the parameter."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, update
from tests.cases.conftest import Staff, TestClient, new_case, new_person

from safepath.cases import registry
from safepath.store.db import session_scope
from safepath.store.models.cases import Case

API = "/api/v1"
N = 11


@pytest.fixture
def cases(client: TestClient, staff: Staff) -> list[str]:
    """N cases of the caseworker with ties (three share updated_at, pairs share phase) and NULLs
    (phase and next_action_due left empty on some)."""
    person = new_person(client, staff)
    codes = [new_case(client, staff, person)["code"] for _ in range(N)]
    base = datetime(2030, 1, 1, tzinfo=UTC)
    with session_scope() as s:
        for i, code in enumerate(codes):
            tie = i in (3, 4, 5)
            s.execute(
                update(Case)
                .where(Case.code == code)
                .values(
                    updated_at=base if tie else base + timedelta(minutes=i),
                    phase=None if i % 3 == 0 else i % 4,
                    next_action_due=None if i % 2 else base + timedelta(days=i % 5),
                )
                .execution_options(synchronize_session=False)
            )
    return codes


def _walk(client: TestClient, staff: Staff, sort: str, limit: int) -> list[str]:
    url: str | None = f"{API}/cases?sort={sort}&limit={limit}"
    seen: list[str] = []
    pages = 0
    while url:
        r = client.get(url, headers=staff.auth("caseworker"))
        assert r.status_code == 200, r.text
        body = r.json()
        assert "total" not in body  # counted only when asked
        assert len(body["items"]) <= limit
        seen += [c["code"] for c in body["items"]]
        url = body["next"]
        assert (url is None) == (body["next_cursor"] is None)
        pages += 1
        assert pages <= N + 1
    return seen


def test_walking_the_pages_gives_the_one_page_order(
    client: TestClient, staff: Staff, cases: list[str]
) -> None:
    for sort in sorted(registry.SORTS):
        for direction in ("", "-"):
            whole = client.get(
                f"{API}/cases?sort={direction}{sort}&limit=500&include_total=true",
                headers=staff.auth("caseworker"),
            ).json()
            assert whole["total"] == N and whole["next"] is None
            expected = [c["code"] for c in whole["items"]]
            assert sorted(expected) == sorted(cases)
            # a page boundary at every row where there are ties and NULLs, else every third
            limit = 1 if sort in ("updated_at", "phase", "next_action_due") else 3
            got = _walk(client, staff, direction + sort, limit)
            assert got == expected, (direction + sort, limit)


def test_previous_goes_back_and_offset_still_works(
    client: TestClient, staff: Staff, cases: list[str]
) -> None:
    auth = staff.auth("caseworker")
    first = client.get(f"{API}/cases?sort=phase&limit=4", headers=auth).json()
    assert first["previous_cursor"] is None
    second = client.get(
        f"{API}/cases?sort=phase&limit=4&cursor={first['next_cursor']}", headers=auth
    )
    back = client.get(
        f"{API}/cases?sort=phase&limit=4&cursor={second.json()['previous_cursor']}", headers=auth
    ).json()
    assert [c["code"] for c in back["items"]] == [c["code"] for c in first["items"]]
    assert back["previous_cursor"] is None and back["next_cursor"] is not None
    # the old offset paging gives the same second page, with a cursor onwards
    by_offset = client.get(f"{API}/cases?sort=phase&limit=4&offset=4", headers=auth).json()
    assert by_offset["items"] == second.json()["items"]
    third = client.get(by_offset["next"], headers=auth).json()
    assert len(third["items"]) == N - 8 and third["next"] is None


def _refused(r: Any, param: str) -> str:
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert [p["column"] for p in error["problems"]] == [param], error
    return str(error["message"])


def test_a_cursor_that_is_not_ours_answers_422(
    client: TestClient, staff: Staff, cases: list[str]
) -> None:
    auth = staff.auth("caseworker")
    cursor = client.get(f"{API}/cases?limit=2", headers=auth).json()["next_cursor"]
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[20] ^= 1  # one bit changed
    tampered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    for bad in (tampered, cursor[:-6], "AAAA", "x" * 401, "not/a+cursor"):
        _refused(client.get(f"{API}/cases?limit=2&cursor={bad}", headers=auth), "cursor")
    message = _refused(
        client.get(f"{API}/cases?limit=2&sort=code&cursor={cursor}", headers=auth), "cursor"
    )
    assert "made for sort '-updated_at'" in message
    _refused(client.get(f"{API}/cases?limit=2&offset=2&cursor={cursor}", headers=auth), "offset")
    _refused(client.get(f"{API}/cases?offset=1000001", headers=auth), "offset")
    # the cursor is sealed: the internal id inside it cannot be read
    assert b"updated_at" not in raw


def test_the_web_list_pages_by_cursor(client: TestClient, staff: Staff, cases: list[str]) -> None:
    """The work list shows 25 a page: with 30 cases, "Next" leads to the last 5 and back."""
    person = new_person(client, staff)
    for _ in range(30 - N):
        new_case(client, staff, person)
    from safepath.web.pages.work import PAGE_ROWS

    _web_login(client)
    page1 = client.get("/cases?sort=code&lang=en")
    assert page1.status_code == 200
    assert "Cases found: 30" in page1.text
    links = re.findall(r'href="(/cases\?[^"]*cursor=[^"]+)" rel="(next|prev)"', page1.text)
    assert [rel for _, rel in links] == ["next"]
    page2 = client.get(links[0][0].replace("&amp;", "&"))
    assert page2.status_code == 200
    codes1 = re.findall(r'href="/cases/(CS-[^"]+)"', page1.text)
    codes2 = re.findall(r'href="/cases/(CS-[^"]+)"', page2.text)
    assert len(set(codes1)) == PAGE_ROWS and len(set(codes2)) == 30 - PAGE_ROWS
    assert max(codes1) < min(codes2)  # sorted by code, the second page after the first
    rels = [rel for _, rel in re.findall(r'href="(/cases\?[^"]*)" rel="(next|prev)"', page2.text)]
    assert rels == ["prev"]
    r = client.get("/cases?cursor=AAAA", headers={"accept": "text/html"})
    assert r.status_code == 422 and "cursor" in r.text


def _web_login(client: TestClient) -> None:
    from tests.cases.conftest import PASSWORD, USERS

    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    r = client.post(
        "/login",
        data={
            "username": USERS["caseworker"][0],
            "password": PASSWORD,
            "csrf_token": token.group(1),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def _plans(staff: Staff, engine: Engine, f: registry.CaseFilter, sort: str) -> list[str]:
    """The query plans of a first and a second page of the list (the supervisor's: the
    agency's cases), as the database explains the statements the service runs."""
    seen: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, params: Any, *args: Any) -> None:
        if "FROM cases" in statement and "count(" not in statement:
            seen.append((statement, params))

    actor = staff.actors["supervisor"]
    event.listen(engine, "before_cursor_execute", keep)
    try:
        with session_scope() as s:
            first = registry.list_cases(s, actor, f, sort=sort, limit=2)
            registry.list_cases(s, actor, f, sort=sort, limit=2, cursor=first.next)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert len(seen) == 2
    out = []
    with engine.connect() as conn:
        for statement, params in seen:
            if engine.dialect.name == "sqlite":
                rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()
                out.append("\n".join(str(r[-1]) for r in rows))
            else:
                # the test tables are tiny: ask whether an index *can* give the order
                conn.exec_driver_sql("SET enable_seqscan = off")
                conn.exec_driver_sql("SET enable_sort = off")
                rows = conn.exec_driver_sql(f"EXPLAIN {statement}", params).all()
                out.append("\n".join(str(r[0]) for r in rows))
                conn.rollback()
    return out


def test_an_index_serves_each_sort_order_and_the_area_filter(
    staff: Staff, engine: Engine, client: TestClient, cases: list[str]
) -> None:
    for key in sorted(registry.SORTS):
        for sort in (key, "-" + key):
            for plan in _plans(staff, engine, registry.CaseFilter(), sort):
                assert f"ix_cases_org_{key}" in plan, (sort, plan)
                assert "TEMP B-TREE" not in plan and " Sort " not in f" {plan}", (sort, plan)
    area = registry.CaseFilter(thematic_area="gbv", status="registered")
    for plan in _plans(staff, engine, area, "-updated_at"):
        assert "case_thematic_areas" in plan and "SCAN case_thematic_areas" not in plan, plan
        assert "Seq Scan" not in plan and "TEMP B-TREE" not in plan, plan


def test_only_active_cases_are_overdue(client: TestClient, staff: Staff, cases: list[str]) -> None:
    past = datetime(2020, 1, 1, tzinfo=UTC)
    with session_scope() as s:
        for code, status in ((cases[0], "closed"), (cases[1], "registered")):
            s.execute(
                update(Case)
                .where(Case.code == code)
                .values(status=status, next_action_due=past)
                .execution_options(synchronize_session=False)
            )
    auth = staff.auth("caseworker")
    for status, expected in (("closed", []), ("registered", [cases[1]])):
        r = client.get(f"{API}/cases?status={status}&overdue=true", headers=auth)
        assert [c["code"] for c in r.json()["items"]] == expected, status
    r = client.get(f"{API}/cases?overdue=true", headers=auth)
    assert [c["code"] for c in r.json()["items"]] == [cases[1]]
