"""Files attached to a case (a scanned document, a photo): added, listed, downloaded and deleted
by the agency's case staff under the same scope as the case itself.

- Who: reading is open to the roles that read full case records (caseworker, supervisor, data
  protection focal point), adding and deleting to those who work on cases; partner focal points
  never see attachments (a referral shares named fields, never files), and a case outside the
  caller's scope answers 404, so an attachment code of another agency reaches nothing.
- What: at most ``attachment_max_bytes`` (413, naming the field), of a type told by the content
  (415, ``file_types``); the content is encrypted with the key ring (``privacy.blobs``) and the
  file name as an ``EncryptedText`` column.
- Trail: every upload, list, download and delete is an audit event naming the case's person.
- Erasure deletes the rows of the person's cases (``attachment_hooks``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safepath.cases import access, registry
from safepath.cases.codes import new_code
from safepath.cases.file_types import ACCEPTED, EXTENSIONS, sniff
from safepath.errors import (
    Conflict,
    NotFound,
    PayloadTooLarge,
    Problem,
    UnsupportedMediaType,
    ValidationFailed,
)
from safepath.privacy import audit, blobs, persons
from safepath.privacy.actor import Actor
from safepath.settings import get_settings
from safepath.store.models import User
from safepath.store.models.attachments import CaseAttachment
from safepath.store.models.cases import Case

KIND = "attachment"
FIELD = "file"  # the form field the file comes in (named by every refusal)
READ = access.INTERNAL
WRITE = access.WORK
NAME_LENGTH = 200


@dataclass(frozen=True)
class AttachmentView:
    code: str
    case_code: str
    name: str
    media_type: str
    size: int
    uploaded_by: str | None
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "case_code": self.case_code,
            "name": self.name,
            "media_type": self.media_type,
            "size": self.size,
            "uploaded_by": self.uploaded_by,
            "created_at": self.created_at.isoformat(),
        }


def _problem(message: str, value: Any = None) -> list[Problem]:
    return [Problem(message, scope="body", column=FIELD, value=value)]


def too_large(size: int | None = None) -> PayloadTooLarge:
    limit = get_settings().attachment_max_bytes
    got = f" ({size} bytes)" if size is not None else ""
    message = f"{FIELD}: the file{got} is larger than the {limit} bytes accepted for an attachment"
    return PayloadTooLarge(message, problems=_problem(message, size))


def clean_name(name: str | None, media_type: str) -> str:
    """The file name as shown and downloaded: no directories, no control characters, bounded."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if not base:
        base = f"attachment.{EXTENSIONS[media_type]}"
    return base[-NAME_LENGTH:]


def case_for(session: Session, actor: Actor, case_code: str, roles: frozenset[Any]) -> Case:
    """The case, when the actor's role may do this (403) and the case is in scope (404)."""
    access.require(actor, roles)  # partners: 403 whichever case they name
    return registry.get_case(session, actor, case_code)  # 404 outside scope


def _users(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(ids))).all()
    return {int(row.id): str(row.username) for row in rows}


def _view(row: CaseAttachment, case: Case, users: dict[int, str]) -> AttachmentView:
    uploader = row.uploaded_by_user_id
    return AttachmentView(
        row.code,
        case.code,
        row.name,
        row.media_type,
        row.size,
        users.get(uploader) if uploader is not None else None,
        row.created_at,
    )


def add(
    session: Session, actor: Actor, case_code: str, name: str | None, content: bytes
) -> AttachmentView:
    """Attach ``content`` to the case, encrypted. Nothing is stored when it is refused."""
    case = case_for(session, actor, case_code, WRITE)
    if len(content) > get_settings().attachment_max_bytes:
        raise too_large(len(content))
    if not content:
        raise ValidationFailed(f"{FIELD}: the file is empty", problems=_problem("is empty"))
    media_type = sniff(content)
    if media_type is None:
        message = (
            f"{FIELD}: this type of file is not accepted (by its content, whatever its name): "
            f"attach a {ACCEPTED} file"
        )
        raise UnsupportedMediaType(message, problems=_problem(message))
    if persons.is_anonymised(session, case.person_id):
        raise Conflict(f"case {case.code!r}: the person was anonymised; nothing can be attached")
    code = new_code("AT")
    key_id, sealed = blobs.seal(content, blobs.context_of(code))
    row = CaseAttachment(
        code=code,
        case_id=case.id,
        name=clean_name(name, media_type),
        media_type=media_type,
        size=len(content),
        content_key=key_id,
        content=sealed,
        uploaded_by_user_id=actor.user_id or None,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "upload",
        KIND,
        code,
        person_code=case.person_code,
        fields=("name", "content"),
    )
    return _view(row, case, {actor.user_id: actor.username})


def list_for_case(session: Session, actor: Actor, case_code: str) -> list[AttachmentView]:
    """The case's attachments, newest first, without their content (the names are decrypted:
    the read is audited)."""
    case = case_for(session, actor, case_code, READ)
    rows = list(
        session.scalars(
            select(CaseAttachment)
            .where(CaseAttachment.case_id == case.id)
            .order_by(CaseAttachment.created_at.desc(), CaseAttachment.id.desc())
        )
    )
    users = _users(session, {r.uploaded_by_user_id for r in rows if r.uploaded_by_user_id})
    if rows:
        audit.record(
            session, actor, "read", KIND, case.code, person_code=case.person_code, fields=("name",)
        )
    return [_view(r, case, users) for r in rows]


@contextmanager
def secure_delete(session: Session) -> Iterator[None]:
    """On SQLite, deleted pages keep their old bytes until reused; ``secure_delete`` overwrites
    them with zeros as the rows go, so a deleted attachment leaves no ciphertext in the file.
    (PostgreSQL frees the space at the next VACUUM.)"""
    conn = session.connection()
    before = None
    if conn.dialect.name == "sqlite":  # many builds default to on; whatever it was, restore it
        before = int(conn.exec_driver_sql("PRAGMA secure_delete").scalar() or 0)
        conn.exec_driver_sql("PRAGMA secure_delete=ON")
    try:
        yield
    finally:
        if before is not None:
            conn.exec_driver_sql(f"PRAGMA secure_delete={before}")


def _one(session: Session, case: Case, code: str) -> CaseAttachment:
    row = session.scalars(
        select(CaseAttachment).where(CaseAttachment.case_id == case.id, CaseAttachment.code == code)
    ).first()
    if row is None:
        raise NotFound(f"attachment {code!r} not found on case {case.code!r}")
    return row


def download(
    session: Session, actor: Actor, case_code: str, code: str
) -> tuple[AttachmentView, bytes]:
    """The attachment and its decrypted content (audited)."""
    case = case_for(session, actor, case_code, READ)
    row = _one(session, case, code)
    content = blobs.unseal(row.content_key, row.content, blobs.context_of(row.code))
    users = _users(session, {row.uploaded_by_user_id} if row.uploaded_by_user_id else set())
    audit.record(
        session,
        actor,
        "download",
        KIND,
        code,
        person_code=case.person_code,
        fields=("name", "content"),
    )
    return _view(row, case, users), content


def delete(session: Session, actor: Actor, case_code: str, code: str) -> None:
    """Delete the attachment (the row and its ciphertext; audited)."""
    case = case_for(session, actor, case_code, WRITE)
    row = _one(session, case, code)
    with secure_delete(session):
        session.delete(row)
        session.flush()
    audit.record(
        session, actor, "delete", KIND, code, person_code=case.person_code, fields=("content",)
    )
