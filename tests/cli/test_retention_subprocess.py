"""Retention from the real CLI in its own process: persons with open cases are held, and the
anonymised persons' case free text is gone while the figures stay.

The CLI process imports only what its commands need; it must still wire the cases layer's hold,
erasure steps and export sections, exactly as the server does (this failed before the wiring).
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select, update
from tests.cli_process import run_cli

from safepath.demo import cases as demo_cases
from safepath.demo import load_demo
from safepath.store.db import dispose_engines, session_scope
from safepath.store.models.cases import Assessment, Case, FollowUp, Intervention, Referral
from safepath.store.models.persons import Person

N_CASES = 40


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(list(args))  # the test's own settings (the db_url fixture's)


def _count(line: str, out: str) -> int:
    found = re.search(rf"^{line}: (\d+) ", out, re.MULTILINE)
    assert found, f"no {line!r} line in:\n{out}"
    return int(found.group(1))


def _outcome(c: Case) -> tuple[object, ...]:
    return (c.outcome_achieved, c.baseline_phase, c.latest_phase, c.delta_risk, c.phase)


def test_retention_cli_holds_open_cases_and_erases_case_text(engine: Engine) -> None:
    load_demo()
    demo_cases.load(N_CASES)
    with session_scope() as s:
        # Every free text kind on one closed case, so the erasure of each is observed.
        closed = next(
            (
                c
                for c in s.scalars(select(Case).where(Case.status == "closed").order_by(Case.id))
                if c.interventions and c.referrals and c.follow_ups
            ),
            None,
        )
        if closed is None:
            raise AssertionError("no closed demo case has a plan, a referral and a follow-up")
        closed.narrative = "Narrative about Amina"
        closed.closure_note = "Closed after Amina moved"
        closed.interventions[0].description = "Plan written for Amina"
        closed.referrals[0].reason = "Referred because Amina"
        closed.referrals[0].consent_override_reason = "Override for Amina"
        closed.referrals[0].response_note = "Partner answered about Amina"
        closed.follow_ups[0].note = "Visited Amina"
        s.execute(update(Person).values(updated_at=datetime(2001, 1, 1, tzinfo=UTC)))
        total = s.scalar(select(func.count(Person.id))) or 0
        open_persons = set(s.scalars(select(Case.person_id).where(Case.status != "closed")))
        figures_before = {
            a.id: (a.threat, a.vulnerability, a.capacity, a.risk, a.phase)
            for a in s.scalars(select(Assessment))
        }
        outcomes_before = {c.id: _outcome(c) for c in s.scalars(select(Case))}
    assert 0 < len(open_persons) < total
    dispose_engines()  # the CLI process gets the database to itself

    dry = _cli("retention", "run")
    assert dry.returncode == 0, dry.stderr
    assert _count("persons", dry.stdout) == total - len(open_persons)
    assert _count("persons_held_open_case", dry.stdout) == len(open_persons)

    applied = _cli("retention", "run", "--apply")
    assert applied.returncode == 0, applied.stderr
    assert _count("persons", applied.stdout) == total - len(open_persons)

    with session_scope() as s:
        people = {p.id: p for p in s.scalars(select(Person))}
        for pid, person in people.items():
            assert (person.anonymised_at is None) == (pid in open_persons), pid
        erased_cases = list(s.scalars(select(Case).where(Case.person_id.not_in(open_persons))))
        assert erased_cases
        for case in erased_cases:
            assert case.narrative is None and case.closure_note is None
            assert all(a.answers == "{}" for a in case.assessments)
            assert all(i.description is None for i in case.interventions)
            assert all(f.note is None for f in case.follow_ups)
            for r in case.referrals:
                assert (r.reason, r.consent_override_reason, r.response_note) == (None, None, None)
                assert r.status not in ("sent", "accepted")
            assert _outcome(case) == outcomes_before[case.id]  # the outcome figures stay
        kept = {
            a.id: (a.threat, a.vulnerability, a.capacity, a.risk, a.phase)
            for a in s.scalars(select(Assessment))
        }
        assert kept == figures_before
        # the held persons keep everything
        held_answers = s.scalars(
            select(Assessment.answers)
            .join(Case, Assessment.case_id == Case.id)
            .where(Case.person_id.in_(open_persons))
        ).all()
        assert held_answers and all(a != "{}" for a in held_answers)
        texts = [
            *s.scalars(select(FollowUp.note).where(FollowUp.note.is_not(None))),
            *s.scalars(
                select(Intervention.description).where(Intervention.description.is_not(None))
            ),
            *s.scalars(select(Referral.reason).where(Referral.reason.is_not(None))),
        ]
        assert not [t for t in texts if "Amina" in t]
