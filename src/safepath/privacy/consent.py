"""Consent per purpose (case management, referral sharing, use in analysis), given by the person
or by a guardian with the child's assent; withdrawal takes effect at once (every check reads the
current row, nothing is cached)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from safepath.errors import NotFound, Problem, ValidationFailed
from safepath.privacy import audit
from safepath.privacy.actor import Actor
from safepath.store.models.persons import Consent, Person

PURPOSES = ("case_management", "referral_sharing", "analysis")
Purpose = Literal["case_management", "referral_sharing", "analysis"]
GivenBy = Literal["person", "guardian"]
ADULT_AGE = 18


# Called after a withdrawal, in the same transaction: (session, actor, person_id, purpose).
# Other layers register here (cases: revoke the person's open referrals when consent to share
# goes); privacy itself imports none of them.
WithdrawalHook = Callable[[Session, Actor, int, str], object]
_ON_WITHDRAWAL: list[WithdrawalHook] = []


def register_on_withdrawal(hook: WithdrawalHook) -> None:
    """Idempotent: registering the same hook twice runs it once."""
    if hook not in _ON_WITHDRAWAL:
        _ON_WITHDRAWAL.append(hook)


def _check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise ValidationFailed(f"unknown consent purpose {purpose!r}; one of {', '.join(PURPOSES)}")


def has_consent(session: Session, person_id: int, purpose: str) -> bool:
    _check_purpose(purpose)
    found = session.scalar(
        select(Consent.id)
        .where(
            Consent.person_id == person_id,
            Consent.purpose == purpose,
            Consent.withdrawn_at.is_(None),
        )
        .limit(1)
    )
    return found is not None


def consenting(session: Session, person_ids: Collection[int], purpose: str) -> set[int]:
    """Those of ``person_ids`` whose consent to ``purpose`` stands (one query for a list)."""
    _check_purpose(purpose)
    if not person_ids:
        return set()
    return set(
        session.scalars(
            select(Consent.person_id).where(
                Consent.person_id.in_(sorted(set(person_ids))),
                Consent.purpose == purpose,
                Consent.withdrawn_at.is_(None),
            )
        )
    )


def active(session: Session, person_id: int) -> list[Consent]:
    return list(
        session.scalars(
            select(Consent)
            .where(Consent.person_id == person_id, Consent.withdrawn_at.is_(None))
            .order_by(Consent.id)
        )
    )


def give(
    session: Session,
    actor: Actor,
    person_id: int,
    purpose: str,
    *,
    given_by: str = "person",
    child_assent: bool | None = None,
) -> Consent:
    """Record consent (idempotent: an active consent for the purpose is returned as it is)."""
    _check_purpose(purpose)
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("person not found")
    if given_by not in ("person", "guardian"):
        raise ValidationFailed("given_by must be 'person' or 'guardian'")
    is_child = person.age is not None and person.age < ADULT_AGE
    if is_child and given_by == "guardian" and child_assent is None:
        why = "a guardian's consent for a child needs the child's assent recorded"
        raise ValidationFailed(why, problems=[Problem(why, column="child_assent")])
    if given_by == "person" and child_assent is not None:
        why = "child_assent applies only when a guardian consents"
        raise ValidationFailed(why, problems=[Problem(why, column="child_assent")])
    existing = session.scalar(
        select(Consent).where(
            Consent.person_id == person_id,
            Consent.purpose == purpose,
            Consent.withdrawn_at.is_(None),
        )
    )
    if existing is not None:
        return existing
    consent = Consent(
        person_id=person_id,
        purpose=purpose,
        given_by=given_by,
        child_assent=child_assent,
        recorded_by_user_id=actor.user_id or None,
        given_at=datetime.now(UTC),
    )
    session.add(consent)
    session.flush()
    audit.record(
        session,
        actor,
        "consent",
        "consent",
        consent.id,
        person_code=person.code,
        fields=("purpose", "given_by", "child_assent"),
    )
    return consent


def withdraw(session: Session, actor: Actor, person_id: int, purpose: str) -> int:
    """Withdraw every active consent for the purpose; returns how many were withdrawn. The
    registered withdrawal hooks run in the same transaction (so a withdrawal and the revocation
    of what it stops sharing commit, or roll back, together)."""
    _check_purpose(purpose)
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("person not found")
    result = session.execute(
        update(Consent)
        .where(
            Consent.person_id == person_id,
            Consent.purpose == purpose,
            Consent.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=datetime.now(UTC), withdrawn_by_user_id=actor.user_id or None)
        .execution_options(synchronize_session="fetch")
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        audit.record(
            session,
            actor,
            "consent",
            "consent",
            None,
            person_code=person.code,
            fields=("purpose", "withdrawn_at"),
        )
        for hook in _ON_WITHDRAWAL:
            hook(session, actor, person_id, purpose)
    return count


def as_dict(consent: Consent) -> dict[str, object]:
    return {
        "id": consent.id,
        "purpose": consent.purpose,
        "given_by": consent.given_by,
        "child_assent": consent.child_assent,
        "given_at": consent.given_at.isoformat(),
        "withdrawn_at": consent.withdrawn_at.isoformat() if consent.withdrawn_at else None,
        "active": consent.withdrawn_at is None,
    }
