"""The demo loads its cases through the case services, as the acting demo users: its rows follow
the lifecycle, every step is in the audit chain, the histories are dated in the past, and the
work list shows a realistic share of overdue cases."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.seeded import seeded

from safepath.cases import clock, lifecycle
from safepath.cases.registry import aware
from safepath.demo import load_demo
from safepath.demo.cases import load_demo_cases
from safepath.privacy import audit
from safepath.privacy.demo import ensure_demo_users
from safepath.store.db import session_scope
from safepath.store.models import User
from safepath.store.models.audit import AuditEvent
from safepath.store.models.cases import Assessment, Case, FollowUp, Intervention, Referral
from safepath.store.models.persons import Person

N = 120


def _load() -> datetime:
    load_demo()
    with session_scope() as s:
        ensure_demo_users(s)
    started = datetime.now(UTC)
    with session_scope() as s:
        assert load_demo_cases(s, N) == N
    return started


@pytest.fixture
def demo(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, db_url: str) -> datetime:
    """The demo directory, the demo users and N demo cases (loaded once per test process and
    copied for each test); returns when the load started."""
    started: datetime = seeded(request, monkeypatch, db_url, "demo-cases", _load)
    return started


def _events(s: Session) -> Counter[tuple[str, str]]:
    rows = s.execute(select(AuditEvent.action, AuditEvent.record_type)).all()
    return Counter((a, t) for a, t in rows)


def _roles(s: Session) -> dict[int | None, str]:
    return dict(s.execute(select(User.id, User.role)).all())


def test_every_demo_step_is_audited(demo: datetime) -> None:
    with session_scope() as s:
        events = _events(s)

        def count(model: type[Any]) -> int:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)

        referrals = Counter(s.scalars(select(Referral.status)))
        statuses = Counter(s.scalars(select(Case.status)))
        assert events["create", "case"] == count(Case) == N
        assert events["create", "person"] == count(Person) == N
        assert events["create", "assessment"] == count(Assessment) > N
        assert events["create", "follow_up"] == count(FollowUp) > 0
        assert events["export", "referral"] == count(Referral) > 0
        # accept or decline, then complete: one event per answer
        answers = referrals["accepted"] + referrals["declined"] + 2 * referrals["completed"]
        assert events["update", "referral"] == answers > 0
        closure = Counter(
            tuple(json.loads(f))
            for f in s.scalars(
                select(AuditEvent.fields).where(
                    AuditEvent.action == "update", AuditEvent.record_type == "case"
                )
            )
        )
        closed = statuses["closed"]
        assert closed > 0
        assert closure["closure_reason", "status"] == closed + statuses["closure_requested"]
        assert closure["outcome", "status"] == closed
        # every plan set and approved: two events per plan at least
        planned = s.scalar(select(func.count(func.distinct(Intervention.case_id)))) or 0
        assert events["update", "case_plan"] >= 2 * planned > 0
        assert audit.verify(s).ok


def test_demo_cases_follow_the_lifecycle(demo: datetime) -> None:
    with session_scope() as s:
        roles = _roles(s)
        cases = s.scalars(select(Case)).all()
        seen = Counter(c.status for c in cases)
        assert {"closed", "in_progress"} <= set(seen), seen
        for c in cases:
            lifecycle.Status(c.status)  # a known status
            assert c.assessments, c.code
            assert roles[c.caseworker_id] == "caseworker"
            assert all(roles[a.assessed_by_user_id] == "caseworker" for a in c.assessments)
            if c.plan_status == "approved":
                assert c.plan_approved_at is not None
                assert roles[c.plan_approved_by_user_id] == "supervisor"
            if c.status in ("plan_approved", "in_progress", "closure_requested", "closed"):
                assert c.interventions, c.code
            if c.status == "in_progress":
                assert c.referrals or c.follow_ups, c.code
            if c.status in ("closure_requested", "closed"):
                # a case closes only with its plan done or called off
                assert {i.status for i in c.interventions} <= {"done", "cancelled"}, c.code
                if c.closure_reason is not None:  # closed early: called off, with the reason
                    assert {i.status for i in c.interventions} == {"cancelled"}, c.code
                assert c.closure_requested_at is not None
                assert roles[c.closure_requested_by_user_id] == "caseworker"
            if c.status == "closed":
                assert c.closed_at is not None and c.next_action_due is None
                assert aware(c.closure_requested_at) <= aware(c.closed_at)  # type: ignore[operator]
                assert roles[c.closed_by_user_id] == "supervisor"
                assert c.baseline_phase is not None
                if len(c.assessments) >= 2:  # a measured outcome
                    assert c.outcome_rule is not None and c.outcome_achieved is not None
                    assert c.delta_risk is not None and c.closure_reason is None
                else:  # nothing to measure: closed with a reason
                    assert c.outcome_achieved is None and c.closure_reason is not None
            else:
                assert c.closed_at is None and c.outcome_achieved is None
            for r in c.referrals:
                assert roles[r.sent_by_user_id] in ("caseworker", "supervisor")
                if r.status != "sent":
                    responder = s.get(User, r.responded_by_user_id)
                    assert responder is not None and responder.role == "partner_focal_point"
                    assert responder.organisation_id == r.to_organisation_id
                    assert aware(r.sent_at) <= aware(r.responded_at)  # type: ignore[operator]
                if r.status == "completed":
                    assert aware(r.responded_at) <= aware(r.completed_at)  # type: ignore[operator]
                if r.consent_override_reason is not None:
                    assert roles[r.sent_by_user_id] == "supervisor"


def test_demo_histories_are_dated_in_the_past(demo: datetime) -> None:
    with session_scope() as s:
        cases = s.scalars(select(Case)).all()
        for c in cases:
            opened = aware(c.created_at)
            assert opened is not None
            assert demo - timedelta(days=361) <= opened <= demo - timedelta(days=4), c.code
            # what the case's own steps stamped (a partner's answer leaves the case as it is)
            steps = [
                c.plan_approved_at,
                c.closure_requested_at,
                c.closed_at,
                *(a.assessed_at for a in c.assessments),
                *(f.at for f in c.follow_ups),
                *(r.sent_at for r in c.referrals),
            ]
            answers = [t for r in c.referrals for t in (r.responded_at, r.completed_at)]
            for at in filter(None, map(aware, [c.updated_at, *steps, *answers])):
                assert opened <= at <= demo, (c.code, at)
            assert aware(c.updated_at) == max(a for a in map(aware, steps) if a), c.code
        active = [c for c in cases if c.status in lifecycle.ACTIVE]
        overdue = [c for c in active if (due := aware(c.next_action_due)) and due < demo]
        assert active
        assert 0 < len(overdue) <= 0.35 * len(active), (len(overdue), len(active))
        # audit events keep the real time they were written
        first = s.scalar(select(func.min(AuditEvent.at)).where(AuditEvent.record_type == "case"))
        assert first is not None and aware(first) >= demo  # type: ignore[operator]


def test_a_second_load_creates_nothing(demo: datetime) -> None:
    models = (Case, Assessment, Intervention, Referral, FollowUp, Person, User, AuditEvent)

    def counts() -> list[int]:
        with session_scope() as s:
            return [s.scalar(select(func.count()).select_from(m)) or 0 for m in models]

    before = counts()
    with session_scope() as s:
        assert load_demo_cases(s, N) == 0
    assert counts() == before


def test_the_clock_replays_the_past_only() -> None:
    real = clock.now()
    past = real - timedelta(days=3)
    with clock.at(past):
        assert clock.now() == past
    assert clock.now() >= real
    with pytest.raises(ValueError):
        with clock.at(real + timedelta(hours=1)):
            pass
    with pytest.raises(ValueError):
        with clock.at(past.replace(tzinfo=None)):
            pass
