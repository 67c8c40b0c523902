"""The demo's complaints: loaded through the services at past times, idempotent, a few of them
sensitive and visible to the demo PSEA focal point only."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from safepath.demo import load_demo
from safepath.demo.accountability import load, load_demo_complaints
from safepath.feedback import reports, service
from safepath.feedback.service import ComplaintFilter
from safepath.privacy import identity
from safepath.privacy.demo import demo_password, ensure_demo_users
from safepath.store.db import session_scope
from safepath.store.models import AuditEvent
from safepath.store.models.feedback import Complaint


def test_the_demo_loader_is_idempotent(engine: Engine) -> None:
    load_demo()
    with session_scope() as s:
        ensure_demo_users(s)
    first = load()
    again = load()
    assert first[0].startswith("complaints: 27 (3 sensitive") and "already" not in first[0]
    assert all("(already loaded)" in line for line in again)
    with session_scope() as s:
        assert load_demo_complaints(s) == 0
        assert s.scalar(select(func.count(Complaint.id))) == 27
        psea = identity.actor_for(identity.authenticate(s, "psea", demo_password("psea"), None))
        caseworker = identity.actor_for(identity.find_user(s, "caseworker"))
        assert service.list_complaints(s, psea, ComplaintFilter())[0] == 27
        assert service.list_complaints(s, caseworker, ComplaintFilter())[0] == 24
        statuses = set(s.scalars(select(Complaint.status)))
        assert {"closed", "acknowledged"} <= statuses
        # replayed in the past: received before acknowledged
        for c in s.scalars(select(Complaint).where(Complaint.acknowledged_at.is_not(None))):
            assert c.acknowledged_at is not None and c.received_at < c.acknowledged_at
        by_category = {r["category"]: r["complaints"] for r in reports.report(s, caseworker)}
        assert "sexual_exploitation_abuse" not in by_category
        sensitive_events = (
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.record_type == "sensitive_complaint")
        )
        assert s.scalar(sensitive_events)
    with session_scope() as s:
        supervisor = identity.actor_for(identity.find_user(s, "supervisor"))
        from safepath.advocacy import service as advocacy

        issues = {i.title: i for i in advocacy.list_issues(s, supervisor)}
        assert len(issues) == 4 and {i.status for i in issues.values()} == {
            "open",
            "in_progress",
            "achieved",
        }
        assert (
            len(issues["Checkpoints delay patients on the road to the district hospital"].actions)
            == 3
        )
