"""Encryption at rest: after registering persons with distinctive names and phones, neither the
SQLite file (and its WAL) nor a PostgreSQL dump holds them in plain text, yet search finds them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import make_url
from tests.privacy.conftest import TestClient, World

PEOPLE = [
    ("Zebulonia", "Quixtorpe", "+44 7911 555 0193", "ZQ-PASSPORT-99871", "12 Rue Qwertzuiop"),
    ("Ghaythiyya", "Barzakhani", "00 963 944 777 312", "SY-ID-44310998", "Hayy Xanthoula 7"),
    ("زبرجدة", "القرنفلي", "+20 100 888 4411", "EG-NID-2981234", "شارع الياسمينة"),
]


def _register_all(client: TestClient, world: World) -> list[str]:
    codes = []
    for given, family, phone, doc, address in PEOPLE:
        r = client.post(
            "/api/v1/persons",
            json={
                "given_name": given,
                "family_name": family,
                "phone": phone,
                "sex": "female",
                "age": 29,
                "documents": [{"type": "id", "number": doc}],
                "address": address,
                "date_of_birth": "1996-02-29",
                "notes": f"note about {given}",
            },
            headers=world.auth("caseworker"),
        )
        assert r.status_code == 201, r.text
        codes.append(r.json()["code"])
    return codes


def _needles() -> list[bytes]:
    out: list[bytes] = []
    for given, family, phone, doc, address in PEOPLE:
        digits = "".join(c for c in phone if c.isdigit())
        for text in (given, family, phone, digits, digits[-8:], doc, address):
            out.append(text.encode("utf-8"))
            out.append(text.encode("utf-16-le"))
    out.append(b"1996-02-29")
    return out


def _search_finds_everyone(client: TestClient, world: World, codes: list[str]) -> None:
    h = world.auth("caseworker")
    for (given, family, phone, *_), code in zip(PEOPLE, codes, strict=True):
        for q in (given.upper(), family, phone):
            r = client.get("/api/v1/persons", params={"q": q}, headers=h)
            assert [p["code"] for p in r.json()["items"]] == [code], q


def test_database_holds_no_plaintext(
    client: TestClient, world: World, db_url: str, tmp_path: Path
) -> None:
    codes = _register_all(client, world)
    _search_finds_everyone(client, world, codes)
    if db_url.startswith("sqlite"):
        db = Path(make_url(db_url).database or "")
        files = [p for p in (db, db.with_name(db.name + "-wal")) if p.exists()]
        assert files and any(p.stat().st_size > 0 for p in files)
        blobs = {p.name: p.read_bytes() for p in files}
    else:
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            pytest.skip("pg_dump not installed")
        url = make_url(db_url)
        dump = subprocess.run(
            [
                pg_dump,
                "--data-only",
                "-h",
                url.host or "127.0.0.1",
                "-p",
                str(url.port or 5432),
                "-U",
                url.username or "postgres",
                url.database or "",
            ],
            check=True,
            capture_output=True,
            env={"PGPASSWORD": url.password or ""},
        ).stdout
        blobs = {"pg_dump": dump}
    # the bytes really hold the person rows (so the absence below means something)
    assert any(codes[0].encode() in blob for blob in blobs.values())
    for name, blob in blobs.items():
        for needle in _needles():
            assert needle not in blob, f"{needle!r} found in plain text in {name}"
