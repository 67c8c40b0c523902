"""Names with the Arabic article meet across scripts and spellings in search and duplicate
matching, exact tokens first; digests stored under the old rules are rebuilt on upgrade (once,
idempotently), and migration 0018 records which databases hold them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, select, text
from tests.privacy.conftest import TestClient, World

from safepath.privacy import blind_index, reindex
from safepath.store import migrate
from safepath.store.db import get_engine, session_scope
from safepath.store.models.persons import BlindIndex, IndexScheme, Person


def _register(client: TestClient, world: World, given: str, family: str) -> str:
    body = {
        "given_name": given,
        "family_name": family,
        "sex": "male",
        "age": 40,
        "consents": [{"purpose": "case_management"}],
    }
    r = client.post("/api/v1/persons", json=body, headers=world.auth("caseworker"))
    assert r.status_code == 201, r.text
    return str(r.json()["code"])


def _search(client: TestClient, world: World, q: str) -> list[str]:
    r = client.get("/api/v1/persons", params={"q": q}, headers=world.auth("caseworker"))
    assert r.status_code == 200, r.text
    return [p["code"] for p in r.json()["items"]]


def _matches(client: TestClient, world: World, given: str, family: str) -> list[Any]:
    body = {"given_name": given, "family_name": family, "sex": "male", "age": 40}
    r = client.post("/api/v1/persons/matches", json=body, headers=world.auth("caseworker"))
    assert r.status_code == 200, r.text
    return list(r.json()["matches"])


def test_the_article_family_meets_in_search_and_matching(client: TestClient, world: World) -> None:
    arabic = _register(client, world, "محمد", "الحسن")
    latin = _register(client, world, "Mohamed", "Al-Hassan")
    fused = _register(client, world, "Mohammed", "Elhassan")
    plain = _register(client, world, "Omar", "Hassan")
    # "Hassan" finds every spelling; the exact token ("hassan") ranks first
    found = _search(client, world, "Hassan")
    assert set(found) == {arabic, latin, fused, plain}
    assert set(found[:2]) == {latin, plain}
    assert set(_search(client, world, "الحسن")) == {arabic, latin, fused, plain}
    # the registration of "Mohammed Elhassan" again: the same spelling first, then the others
    got = _matches(client, world, "Mohammed", "Elhassan")
    codes = [m["code"] for m in got]
    assert codes[0] == fused and got[0]["reasons"][0] == "same name"
    assert {arabic, latin} <= set(codes)
    assert all(m["score"] < got[0]["score"] for m in got[1:])


def _old_digests(person_id: int, given: str, family: str) -> None:
    """Make the person's name-variant rows those the scheme-1 rules stored (the article kept)."""
    with session_scope() as s:
        s.execute(
            delete(BlindIndex).where(
                BlindIndex.person_id == person_id, BlindIndex.kind == "namevar"
            )
        )
        for name in (given, family):
            for token in blind_index.name_tokens(name):
                old = blind_index._consonants(token)  # no article handling
                if len(old) >= blind_index.MIN_SKELETON:
                    s.add(
                        BlindIndex(
                            person_id=person_id,
                            kind="namevar",
                            digest=blind_index.digest("namevar", old),
                        )
                    )
        s.merge(IndexScheme(name=reindex.NAME, version=1))


def _rows() -> list[tuple[int, str, str]]:
    with session_scope() as s:
        rows = s.execute(select(BlindIndex.person_id, BlindIndex.kind, BlindIndex.digest))
        return sorted((r[0], r[1], r[2]) for r in rows)


def test_digests_of_the_old_rules_are_rebuilt_once(client: TestClient, world: World) -> None:
    code = _register(client, world, "محمد", "الحسن")
    current = _rows()
    with session_scope() as s:
        person_id = s.scalar(select(Person.id).where(Person.code == code))
        assert reindex.pending(s) == 0  # no older scheme recorded: nothing to do
    assert person_id is not None
    _old_digests(person_id, "محمد", "الحسن")
    assert _search(client, world, "Hassan") == []  # the old digest ("lhsn") is not found
    with session_scope() as s:
        assert reindex.stored_scheme(s) == 1 and reindex.pending(s) == 1
    advanced: list[int] = []
    assert reindex.rebuild(get_engine(), advance=advanced.append) == 1
    assert advanced == [1]
    assert _rows() == current  # exactly what a registration under the new rules writes
    assert _search(client, world, "Hassan") == [code]
    with session_scope() as s:
        assert reindex.stored_scheme(s) == blind_index.SCHEME and reindex.pending(s) == 0
    assert reindex.rebuild(get_engine()) == 1 and _rows() == current  # again: the same


def test_migration_0018_records_the_old_scheme_only_where_digests_exist(tmp_path: Path) -> None:
    for name, with_rows in (("old.db", True), ("new.db", False)):
        engine = create_engine(f"sqlite:///{tmp_path / name}")
        migrate.upgrade(engine, "0016")
        if with_rows:
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO person_blind_index (person_id, kind, digest) "
                        "VALUES (1, 'namevar', 'x')"
                    )
                )
        migrate.upgrade(engine, "head")
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT name, version FROM index_schemes")).all()
        assert rows == ([("person_names", 1)] if with_rows else []), name
        engine.dispose()
