"""Wire case attachments into privacy: the inventory of their text columns, the data-subject
export (each file listed with its name, type and size; the content is downloaded separately) and
erasure, which deletes the files of the person's cases: rows and ciphertext, not a blanked row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from safepath.cases.attachments import secure_delete
from safepath.privacy import inventory, persons
from safepath.privacy.actor import Actor
from safepath.store.models.attachments import CaseAttachment
from safepath.store.models.cases import Case


def _export(session: Session, actor: Actor, person_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(
            Case.code,
            CaseAttachment.code,
            CaseAttachment.name,
            CaseAttachment.media_type,
            CaseAttachment.size,
            CaseAttachment.created_at,
        )
        .join(Case, CaseAttachment.case_id == Case.id)
        .where(Case.person_id == person_id)
        .order_by(CaseAttachment.id)
    ).all()
    return [
        {
            "case_code": case_code,
            "code": code,
            "name": name,
            "media_type": media_type,
            "size": size,
            "uploaded_at": created_at.isoformat(),
        }
        for case_code, code, name, media_type, size, created_at in rows
    ]


def _erase(session: Session, actor: Actor, person_id: int) -> None:
    cases = select(Case.id).where(Case.person_id == person_id)
    with secure_delete(session):
        session.execute(delete(CaseAttachment).where(CaseAttachment.case_id.in_(cases)))


def install() -> None:
    inventory.declare(
        CaseAttachment,
        personal=("name",),
        safe={
            "code": "a pseudonymous code",
            "media_type": "the file's type, told by its content",
            "content_key": "the id of the key the content is encrypted with",
        },
    )
    persons.register_export_section("attachments", _export)
    persons.register_erasure_step(_erase)
