"""Complaints inside privacy: every text column declared personal or safe, encrypted columns
exactly the personal ones; the data-subject export and erasure of a complaint that became the
person's case; retention blanks closed complaints past their period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import String, Text, select, update
from tests.feedback.conftest import People

from safepath.feedback.hooks import PERSONAL_TEXT, SAFE_TEXT
from safepath.feedback.service import now
from safepath.privacy import retention
from safepath.store.db import session_scope
from safepath.store.encrypted import EncryptedText
from safepath.store.models.feedback import Complaint

API = "/api/v1/complaints"
BODY = {"channel": "hotline", "category": "safety_protection_concern", "description": "Threats"}


def test_every_text_column_is_declared() -> None:
    columns = Complaint.__table__.columns
    encrypted = {c.key for c in columns if isinstance(c.type, EncryptedText)}
    texts = {c.key for c in columns if isinstance(c.type, String | Text | EncryptedText)}
    assert set(PERSONAL_TEXT[Complaint]) == encrypted
    assert set(PERSONAL_TEXT[Complaint]) | set(SAFE_TEXT[Complaint]) == texts
    assert not set(PERSONAL_TEXT[Complaint]) & set(SAFE_TEXT[Complaint])


def _case_complaint(client: TestClient, people: People) -> tuple[str, str, str]:
    body = {**BODY, "contact": "+000 99", "contact_consent": True}
    code = client.post(API, json=body, headers=people.auth("caseworker")).json()["code"]
    referral = {"consent_case_management": True, "thematic_areas": ["gbv"], "age": 30}
    r = client.post(f"{API}/{code}/case", json=referral, headers=people.auth("caseworker", 1))
    case = r.json()["case_code"]
    person = client.get(f"/api/v1/cases/{case}", headers=people.auth("caseworker")).json()
    return code, case, str(person["person_code"])


def test_export_and_erasure_of_a_complaint_that_became_a_case(
    client: TestClient, people: People
) -> None:
    code, case, person = _case_complaint(client, people)
    dpo = people.auth("dp_focal_point")
    exported: dict[str, Any] = client.get(f"/api/v1/persons/{person}/export", headers=dpo).json()
    [section] = exported["complaints"]
    assert section["code"] == code and section["description"] == "Threats"
    assert section["contact"] == "+000 99" and section["case_code"] == case
    assert client.post(f"/api/v1/persons/{person}/erase", headers=dpo).status_code == 200
    with session_scope() as s:
        c = s.scalars(select(Complaint).where(Complaint.code == code)).one()
        assert (c.description, c.contact, c.contact_consent) == (None, None, False)
        assert c.anonymised_at is not None and c.category == "safety_protection_concern"


def test_retention_blanks_closed_complaints_past_their_period(
    client: TestClient, people: People
) -> None:
    codes = [client.post(API, json=BODY).json()["code"] for _ in range(2)]
    for code in codes:
        one = f"{API}/{code}"
        client.post(f"{one}/acknowledgement", headers=people.auth("caseworker", 1))
        client.post(
            f"{one}/closure", json={"feedback_given": "Done"}, headers=people.auth("caseworker", 2)
        )
    with session_scope() as s:
        s.execute(
            update(Complaint)
            .where(Complaint.code == codes[0])
            .values(closed_at=now() - timedelta(days=3 * 365))
        )
    with session_scope() as s:
        assert retention.run(s)["complaints"] == 1  # a dry run
    with session_scope() as s:
        assert retention.run(s, apply=True)["complaints"] == 1
    with session_scope() as s:
        old, recent = (s.scalars(select(Complaint).where(Complaint.code == c)).one() for c in codes)
        assert old.description is None and old.feedback_given is None
        assert recent.description == "Threats" and recent.feedback_given == "Done"
        assert retention.run(s)["complaints"] == 0
