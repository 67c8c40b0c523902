"""Wire complaints into privacy: the declared free text, the data-subject export and erasure of a
complaint that became a person's case, and the retention rule for closed complaints.

A complaint is linked to a person only when it became their case (``case_code``). A sensitive
complaint never does (case staff cannot see it), and the export section skips any sensitive one
all the same: the data-protection focal point must not learn of it through a person's file.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safepath.feedback.access import record_type
from safepath.privacy import audit, inventory, persons, retention
from safepath.privacy.actor import Actor
from safepath.settings import get_settings
from safepath.store.models.cases import Case
from safepath.store.models.feedback import Complaint

# Every text column of the complaint model, declared once: personal (encrypted; erasure and
# retention blank exactly these, the data-subject export carries them) or safe (codes only).
PERSONAL_TEXT: dict[type[Any], tuple[str, ...]] = {
    Complaint: ("description", "contact", "response", "feedback_given"),
}
SAFE_TEXT: dict[type[Any], tuple[str, ...]] = {
    Complaint: (
        "code",
        "channel",
        "category",
        "place_pcode",
        "population_group",
        "status",
        "case_code",
    ),
}


def _of_person(session: Session, person_id: int) -> list[Complaint]:
    codes = select(Case.code).where(Case.person_id == person_id)
    return list(
        session.scalars(
            select(Complaint)
            .where(Complaint.case_code.in_(codes), Complaint.sensitive.is_(False))
            .order_by(Complaint.id)
        )
    )


def _export(session: Session, actor: Actor, person_id: int) -> list[dict[str, Any]]:
    return [
        {
            "code": c.code,
            "channel": c.channel,
            "category": c.category,
            "status": c.status,
            "received_at": str(c.received_at),
            "case_code": c.case_code,
            **{name: getattr(c, name) for name in PERSONAL_TEXT[Complaint]},
        }
        for c in _of_person(session, person_id)
    ]


def _blank(complaint: Complaint, at: datetime) -> None:
    for name in PERSONAL_TEXT[Complaint]:
        setattr(complaint, name, None)
    complaint.contact_consent = False
    complaint.anonymised_at = at


def _erase(session: Session, actor: Actor, person_id: int) -> None:
    from safepath.feedback.service import now

    for complaint in _of_person(session, person_id):
        _blank(complaint, now())


def _closed_complaints(session: Session, actor: Actor, now: datetime, apply: bool) -> int:
    """Closed complaints past their period lose their free text and contact (dry run: count)."""
    cutoff = now - timedelta(days=get_settings().retention_days_complaint)
    stmt = select(Complaint).where(
        Complaint.status == "closed",
        Complaint.closed_at < cutoff,
        Complaint.anonymised_at.is_(None),
    )
    found = list(session.scalars(stmt))
    if apply:
        for complaint in found:
            _blank(complaint, now)
            audit.record(
                session,
                actor,
                "anonymise",
                record_type(complaint),
                complaint.code,
                fields=PERSONAL_TEXT[Complaint],
            )
    return len(found)


def install() -> None:
    for model, names in SAFE_TEXT.items():
        inventory.declare(
            model,
            personal=PERSONAL_TEXT[model],
            safe=dict.fromkeys(names, "a code or a coded value"),
        )
    persons.register_export_section("complaints", _export)
    persons.register_erasure_step(_erase)
    retention.register_rule("complaints", _closed_complaints)
