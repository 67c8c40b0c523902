"""Encrypted attachments on a case: the roundtrip, what the database holds, the size and type
limits, scope (another agency, partners), audit, erasure, the export and key rotation."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select, text, update
from tests.cases.conftest import Staff, TestClient, new_case, new_person
from typer.testing import CliRunner

from safepath.cases import attachments
from safepath.cli.keys import app as keys_cli
from safepath.privacy import retention, rotation
from safepath.privacy.keys import get_keyring, reset_keyring
from safepath.settings import get_settings
from safepath.store.db import get_engine, session_scope
from safepath.store.models import AuditEvent
from safepath.store.models.attachments import CaseAttachment
from safepath.store.models.cases import Case
from safepath.store.models.persons import Person

API = "/api/v1"
SECRET = b"Statement of Amina Testperson, passport QX-558822"
PDF = b"%PDF-1.7\n" + SECRET + b"\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
NAME = "passport-amina-testperson.pdf"


def _case(client: TestClient, staff: Staff) -> dict[str, Any]:
    return new_case(client, staff, new_person(client, staff))


def _upload(
    client: TestClient,
    staff: Staff,
    code: str,
    content: bytes = PDF,
    name: str = NAME,
    who: str = "caseworker",
    declared: str = "application/pdf",
) -> Any:
    return client.post(
        f"{API}/cases/{code}/attachments",
        files={"file": (name, content, declared)},
        headers=staff.auth(who),
    )


def _rows() -> int:
    with session_scope() as s:
        return int(s.scalar(select(func.count()).select_from(CaseAttachment)) or 0)


def _events(action: str) -> list[AuditEvent]:
    with session_scope() as s:
        found = s.scalars(
            select(AuditEvent).where(
                AuditEvent.record_type == "attachment", AuditEvent.action == action
            )
        ).all()
        s.expunge_all()
        return list(found)


def test_upload_list_download_roundtrip_is_audited(client: TestClient, staff: Staff) -> None:
    case = _case(client, staff)
    r = _upload(client, staff, case["code"])
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["name"] == NAME and made["size"] == len(PDF)
    assert made["media_type"] == "application/pdf" and made["uploaded_by"] == "cw.demo"
    assert r.headers["location"] == f"{API}/cases/{case['code']}/attachments/{made['code']}"

    listed = client.get(f"{API}/cases/{case['code']}/attachments", headers=staff.auth("dp"))
    assert listed.status_code == 200
    assert [(a["code"], a["name"], a["size"]) for a in listed.json()["attachments"]] == [
        (made["code"], NAME, len(PDF))
    ]
    got = client.get(
        f"{API}/cases/{case['code']}/attachments/{made['code']}", headers=staff.auth("supervisor")
    )
    assert got.status_code == 200
    assert got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment; filename*=UTF-8''passport")
    assert got.headers["cache-control"] == "no-store"

    person = case["person_code"]
    for action, who in (("upload", "cw.demo"), ("read", "dp.demo"), ("download", "sup.demo")):
        events = _events(action)
        assert [(e.username, e.person_code) for e in events] == [(who, person)], action
    assert _events("download")[0].record_id == made["code"]


def test_the_database_holds_neither_the_content_nor_the_name(
    client: TestClient, staff: Staff
) -> None:
    case = _case(client, staff)
    assert _upload(client, staff, case["code"]).status_code == 201
    with get_engine().connect() as conn:
        name, content, key = conn.execute(
            text("SELECT name, content, content_key FROM case_attachments")
        ).one()
    content = bytes(content)
    assert SECRET not in content and b"%PDF" not in content
    assert len(content) == len(PDF) + 12 + 16  # nonce + ciphertext + tag: nothing else
    assert "amina" not in name.lower() and name.startswith(f"v1.{get_keyring().current}.")
    assert key == get_keyring().current


def test_a_file_over_the_limit_is_refused_with_413_and_nothing_is_stored(
    client: TestClient, staff: Staff
) -> None:
    case = _case(client, staff)
    assert get_settings().attachment_max_bytes == 10 * 1024 * 1024
    big = b"%PDF-1.7\n" + b"0" * (11 * 1024 * 1024)
    r = _upload(client, staff, case["code"], big)
    assert r.status_code == 413, r.text
    error = r.json()["error"]
    assert error["code"] == "payload_too_large"
    assert error["problems"][0]["column"] == "file"
    assert "10485760 bytes" in error["message"]
    assert _rows() == 0 and _events("upload") == []


def test_the_limit_is_a_setting(
    client: TestClient, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _case(client, staff)
    monkeypatch.setenv("SAFEPATH_ATTACHMENT_MAX_BYTES", str(len(PDF) - 1))
    from safepath.settings import reset_settings

    reset_settings()
    assert _upload(client, staff, case["code"]).status_code == 413
    monkeypatch.setenv("SAFEPATH_ATTACHMENT_MAX_BYTES", str(len(PDF)))
    reset_settings()
    assert _upload(client, staff, case["code"]).status_code == 201


def test_a_program_renamed_pdf_is_refused_with_415(client: TestClient, staff: Staff) -> None:
    case = _case(client, staff)
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS"
    r = _upload(client, staff, case["code"], exe, name="scan.pdf")
    assert r.status_code == 415, r.text
    error = r.json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert error["problems"][0]["column"] == "file"
    assert "PDF, JPEG, PNG, WebP or HEIC" in error["message"]
    assert _rows() == 0


@pytest.mark.parametrize(
    ("content", "media_type"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"1" * 50, "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n" + b"2" * 50, "image/png"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"3" * 50, "image/webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00" + b"4" * 50, "image/heic"),
    ],
)
def test_images_are_told_by_their_content(
    client: TestClient, staff: Staff, content: bytes, media_type: str
) -> None:
    case = _case(client, staff)
    # the declared type and the name say PDF: the content decides
    r = _upload(client, staff, case["code"], content, name="photo.pdf")
    assert r.status_code == 201, r.text
    assert r.json()["media_type"] == media_type


def test_a_request_that_is_not_multipart_is_refused(client: TestClient, staff: Staff) -> None:
    case = _case(client, staff)
    url = f"{API}/cases/{case['code']}/attachments"
    r = client.post(url, json={"file": "x"}, headers=staff.auth("caseworker"))
    assert r.status_code == 415 and r.json()["error"]["code"] == "unsupported_media_type"
    r = client.post(url, files={"other": ("a.pdf", PDF)}, headers=staff.auth("caseworker"))
    assert r.status_code == 422 and "'file'" in r.json()["error"]["message"]
    r = client.post(url, files={"file": ("a.pdf", b"")}, headers=staff.auth("caseworker"))
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["column"] == "file"
    assert _rows() == 0


def test_another_agency_and_partners_reach_no_attachment(client: TestClient, staff: Staff) -> None:
    case = _case(client, staff)
    made = _upload(client, staff, case["code"]).json()
    one = f"{API}/cases/{case['code']}/attachments/{made['code']}"
    for who, status in (("other_agency", 404), ("partner", 403), ("analyst", 403)):
        assert client.get(one, headers=staff.auth(who)).status_code == status, who
        assert client.delete(one, headers=staff.auth(who)).status_code == status, who
        listed = client.get(f"{API}/cases/{case['code']}/attachments", headers=staff.auth(who))
        assert listed.status_code == status, who
        assert _upload(client, staff, case["code"], who=who).status_code == status, who
    # an attachment code is reachable only through its own case
    other = _case(client, staff)
    moved = f"{API}/cases/{other['code']}/attachments/{made['code']}"
    assert client.get(moved, headers=staff.auth("caseworker")).status_code == 404
    assert _rows() == 1 and len(_events("download")) == 0


def test_delete_removes_the_row_and_is_audited(client: TestClient, staff: Staff) -> None:
    case = _case(client, staff)
    made = _upload(client, staff, case["code"]).json()
    one = f"{API}/cases/{case['code']}/attachments/{made['code']}"
    assert client.delete(one, headers=staff.auth("caseworker")).status_code == 204
    assert client.get(one, headers=staff.auth("caseworker")).status_code == 404
    assert client.delete(one, headers=staff.auth("caseworker")).status_code == 404
    assert _rows() == 0
    assert [e.record_id for e in _events("delete")] == [made["code"]]


def test_export_lists_them_and_erasure_deletes_every_ciphertext(
    client: TestClient, staff: Staff, db_url: str
) -> None:
    if db_url.startswith("sqlite"):
        # the connections' own default off (many SQLite builds turn it on): erasure turns it on
        engine = get_engine()
        event.listen(engine, "connect", lambda c, _: c.execute("PRAGMA secure_delete=OFF"))
        engine.dispose()
    case = _case(client, staff)
    made = _upload(client, staff, case["code"]).json()
    second = new_case(client, staff, case["person_code"])
    scan = PDF + bytes(range(256)) * 800  # 200 kB: many pages, more than later writes reuse
    assert _upload(client, staff, second["code"], scan, name="second.pdf").status_code == 201
    kept = _case(client, staff)  # another person's file stays
    assert _upload(client, staff, kept["code"], name="kept.pdf").status_code == 201
    with get_engine().connect() as conn:
        found = conn.execute(text("SELECT content FROM case_attachments ORDER BY id"))
        stored = [bytes(c) for (c,) in found]

    person = case["person_code"]
    export = client.get(f"{API}/persons/{person}/export", headers=staff.auth("dp")).json()
    held = export["attachments"]
    listed = [(a["case_code"], a["name"], a["size"], a["media_type"]) for a in held]
    assert listed == [
        (case["code"], NAME, len(PDF), "application/pdf"),
        (second["code"], "second.pdf", len(scan), "application/pdf"),
    ]
    assert export["attachments"][0]["code"] == made["code"]

    assert client.post(f"{API}/persons/{person}/erase", headers=staff.auth("dp")).status_code == 200
    if db_url.startswith("sqlite"):
        # secure_delete: the freed pages are zeroed, so the file keeps no ciphertext either
        with get_engine().connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        raw = (get_settings().data_dir / "safepath.db").read_bytes()
        assert stored[2][40:200] in raw  # the kept one is there (the check can find one)
        erased = [c[at : at + 64] for c in stored[:2] for at in range(40, len(c) - 64, 2000)]
        assert [piece for piece in erased if piece in raw] == []
    with session_scope() as s:
        left = s.execute(select(CaseAttachment.code, CaseAttachment.case_id)).all()
    assert len(left) == 1  # only the other person's
    after = client.get(f"{API}/cases/{case['code']}/attachments", headers=staff.auth("dp"))
    assert after.json() == {"attachments": []}
    # nothing can be attached to the erased person's case any more
    assert _upload(client, staff, case["code"]).status_code == 409


def test_rotation_re_encrypts_contents_and_counts_them(client: TestClient, staff: Staff) -> None:
    case = _case(client, staff)
    made = _upload(client, staff, case["code"]).json()
    old = get_keyring().current
    ring, resumed = rotation.start_rotation()
    assert not resumed and ring.current != old
    engine = get_engine()
    # the name (EncryptedText) and the content: two steps, each counted
    assert rotation.pending(engine, ring) >= 2
    status = CliRunner().invoke(keys_cli, ["status"])
    assert "attached files' contents: 1" in status.output, status.output
    rows, values = rotation.reencrypt(engine, ring)
    rotation.finish_rotation(ring)
    reset_keyring()
    assert rotation.pending(engine, get_keyring()) == 0
    status = CliRunner().invoke(keys_cli, ["status"])
    assert "attached files' contents: 0" in status.output, status.output
    with engine.connect() as conn:
        key, name = conn.execute(text("SELECT content_key, name FROM case_attachments")).one()
    assert key == ring.current and name.startswith(f"v1.{ring.current}.")
    got = client.get(
        f"{API}/cases/{case['code']}/attachments/{made['code']}", headers=staff.auth("caseworker")
    )
    assert got.content == PDF and rows >= 2 and values >= 2


def test_no_temporary_file_is_written(
    client: TestClient, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Starlette spools uploads over 1 MiB to a temporary file: the upload must not go there."""
    case = _case(client, staff)
    made: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        made.append("temporary file")
        raise AssertionError("an upload was written to a temporary file")

    import starlette.formparsers

    monkeypatch.setattr(starlette.formparsers, "SpooledTemporaryFile", refuse)
    monkeypatch.setattr(tempfile, "SpooledTemporaryFile", refuse)
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", refuse)
    big = PDF + b"5" * (3 * 1024 * 1024)
    r = _upload(client, staff, case["code"], big)
    assert r.status_code == 201, r.text
    assert made == []
    got = client.get(
        f"{API}/cases/{case['code']}/attachments/{r.json()['code']}",
        headers=staff.auth("caseworker"),
    )
    assert got.content == big


def test_clean_name_keeps_no_directory_or_control_character() -> None:
    assert attachments.clean_name("C:\\fakepath\\scan.pdf", "application/pdf") == "scan.pdf"
    assert attachments.clean_name("../../etc/pa\x00ss\n.pdf", "application/pdf") == "pass.pdf"
    assert attachments.clean_name("", "image/png") == "attachment.png"
    assert json.dumps(attachments.clean_name("وثيقة.pdf", "application/pdf"), ensure_ascii=False)


def test_a_streamed_upload_is_refused_once_it_passes_the_limit(
    client: TestClient, staff: Staff
) -> None:
    """No Content-Length to refuse early: the parser stops holding bytes at the limit."""
    case = _case(client, staff)
    boundary = "safepath-test-boundary"

    def body() -> Any:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
        ).encode()
        for _ in range(12):  # 12 MiB in 1 MiB chunks
            yield b"0" * (1024 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    r = client.post(
        f"{API}/cases/{case['code']}/attachments",
        content=body(),
        headers={
            **staff.auth("caseworker"),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    assert r.status_code == 413, r.text
    assert r.json()["error"]["problems"][0]["column"] == "file"
    assert _rows() == 0


def test_two_files_in_the_field_are_refused(client: TestClient, staff: Staff) -> None:
    case = _case(client, staff)
    r = client.post(
        f"{API}/cases/{case['code']}/attachments",
        files=[("file", ("a.pdf", PDF, "application/pdf")), ("file", ("b.pdf", PDF, "x/y"))],
        headers=staff.auth("caseworker"),
    )
    assert r.status_code == 422 and "one file only" in r.json()["error"]["message"]
    assert _rows() == 0


def test_retention_deletes_the_attachments_of_the_persons_it_anonymises(
    client: TestClient, staff: Staff
) -> None:
    case = _case(client, staff)
    assert _upload(client, staff, case["code"]).status_code == 201
    held = _case(client, staff)  # still open: held, its file stays
    assert _upload(client, staff, held["code"]).status_code == 201
    old = datetime.now(UTC) - timedelta(days=get_settings().retention_days_person + 1)
    with session_scope() as s:
        s.execute(update(Case).where(Case.code == case["code"]).values(status="closed"))
        s.execute(update(Person).values(updated_at=old))
    with session_scope() as s:
        counts = retention.run(s, apply=True)
    assert counts["persons"] == 1
    with session_scope() as s:
        left = s.scalars(select(Case.code).join(CaseAttachment)).all()
    assert left == [held["code"]]
