"""The thematic-area filter reads ``case_thematic_areas`` (indexed by area, then case), which every
writer keeps equal to the cases' JSON lists in the same transaction; migration 0007 builds it from
the lists already stored. Checked against the old semantic (an exact code in the JSON list, as
the LIKE on the list's text found it) on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, String, cast, select, text
from sqlalchemy.orm import Session
from tests.cases.conftest import Staff, TestClient, new_case, new_person

from safepath.cases import access, registry
from safepath.privacy.actor import Actor
from safepath.store import migrate
from safepath.store.db import session_scope
from safepath.store.models.cases import Case, CaseThematicArea

API = "/api/v1"
LISTS = [
    ["gbv"],
    ["child_protection", "gbv"],
    ["hlp"],
    ["counter_trafficking", "child_protection"],
    ["gbv", "hlp", "child_protection"],
    ["health_mhpss"],
]
AREAS = sorted({a for areas in LISTS for a in areas} | {"psea"})


def _old_filter(s: Session, actor: Actor, area: str) -> set[str]:
    """What the list returned before 0007: a LIKE over the JSON list's text."""
    stmt = access.scope_cases(actor, select(Case.code)).where(
        cast(Case.thematic_areas, String).like(f'%"{area}"%')
    )
    return set(s.scalars(stmt))


def _new_filter(s: Session, actor: Actor, area: str) -> set[str]:
    page = registry.list_cases(s, actor, registry.CaseFilter(thematic_area=area), limit=500)
    return {c.code for c in page.items}


def _index_rows(s: Session) -> set[tuple[int, str]]:
    return {(r.case_id, r.thematic_area) for r in s.scalars(select(CaseThematicArea))}


def _json_rows(s: Session) -> set[tuple[int, str]]:
    return {(i, a) for i, areas in s.execute(select(Case.id, Case.thematic_areas)) for a in areas}


def _open(client: TestClient, staff: Staff) -> list[str]:
    person = new_person(client, staff)
    return [new_case(client, staff, person, thematic_areas=areas)["code"] for areas in LISTS]


def test_the_filter_equals_the_old_semantic_and_follows_edits(
    client: TestClient, staff: Staff
) -> None:
    codes = _open(client, staff)
    for who in ("caseworker", "supervisor", "caseworker2"):
        actor = staff.actors[who]
        with session_scope() as s:
            for area in AREAS:
                assert _new_filter(s, actor, area) == _old_filter(s, actor, area), (who, area)
    with session_scope() as s:
        assert _new_filter(s, staff.actors["caseworker"], "gbv") == {codes[0], codes[1], codes[4]}
        assert _index_rows(s) == _json_rows(s)
    # an edit of the list rewrites the index in the same transaction
    r = client.patch(
        f"{API}/cases/{codes[0]}",
        json={"thematic_areas": ["psea", "child_protection"]},
        headers=staff.fresh(client, "caseworker", f"{API}/cases/{codes[0]}"),
    )
    assert r.status_code == 200, r.text
    got = client.get(f"{API}/cases?thematic_area=gbv", headers=staff.auth("caseworker")).json()
    assert {c["code"] for c in got["items"]} == {codes[1], codes[4]}
    got = client.get(f"{API}/cases?thematic_area=psea", headers=staff.auth("caseworker"))
    assert [c["code"] for c in got.json()["items"]] == [codes[0]]
    with session_scope() as s:
        assert _index_rows(s) == _json_rows(s)
        for area in AREAS:
            actor = staff.actors["supervisor"]
            assert _new_filter(s, actor, area) == _old_filter(s, actor, area), area


def _alembic(engine: Engine, step: Callable[[Config, str], Any], revision: str) -> None:
    cfg = migrate._config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        step(cfg, revision)


def test_migration_0007_backfills_the_cases_already_stored(
    client: TestClient, staff: Staff, engine: Engine
) -> None:
    codes = _open(client, staff)
    _alembic(engine, command.downgrade, "0006")
    try:
        with engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM cases")).scalar() == len(LISTS)
            # lists as older writers may have left them: a code twice, an empty list
            for code, raw in ((codes[0], ["gbv", "gbv"]), (codes[2], [])):
                conn.execute(
                    text("UPDATE cases SET thematic_areas = :v WHERE code = :c"),
                    {"v": json.dumps(raw), "c": code},
                )
    finally:
        _alembic(engine, command.upgrade, "head")
    with session_scope() as s:
        rows = _index_rows(s)
        assert rows == _json_rows(s) and len(rows) == sum(map(len, LISTS)) - 1  # hlp emptied
        ids: dict[str, int] = dict(s.execute(select(Case.code, Case.id)).all())
        assert (ids[codes[0]], "gbv") in rows
        assert not any(case_id == ids[codes[2]] for case_id, _ in rows)
        for area in AREAS:
            actor = staff.actors["supervisor"]
            assert _new_filter(s, actor, area) == _old_filter(s, actor, area), area
