"""Households: a record of the agency grouping persons (each person names theirs by
``household_code``). A code a person is registered with becomes its agency's household if it
was not one yet (so API clients keep naming households as before); the web form chooses an
existing household, or starts a new one with a fresh code that says nothing about its members."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safepath.errors import Problem, ValidationFailed
from safepath.privacy.actor import Actor
from safepath.store.models.households import Household
from safepath.store.models.persons import Person

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _new_code() -> str:
    return "HH-" + "".join(secrets.choice(_CROCKFORD) for _ in range(8))


def find(session: Session, actor: Actor, code: str) -> Household | None:
    """The actor's agency's household with this code (another agency's is never found)."""
    return session.scalar(
        select(Household).where(
            Household.organisation_id == actor.agency_id, Household.code == code
        )
    )


def ensure(session: Session, actor: Actor, code: str) -> Household:
    """The agency's household with this code, recorded now if it was only a code."""
    found = find(session, actor, code)
    if found is not None:
        return found
    household = Household(
        code=code, organisation_id=actor.agency_id, created_by_user_id=actor.user_id or None
    )
    try:
        with session.begin_nested():  # a concurrent registration may record the same code
            session.add(household)
    except IntegrityError:
        raced = find(session, actor, code)
        if raced is None:
            raise
        return raced
    return household


def start(session: Session, actor: Actor) -> Household:
    """A new household of the actor's agency, with a fresh random code."""
    code = _new_code()
    while find(session, actor, code) is not None:
        code = _new_code()
    return ensure(session, actor, code)


def existing(session: Session, actor: Actor, code: str) -> Household:
    """An existing household of the agency, or a refusal naming the field (codes are matched
    in any case)."""
    typed = code.strip().upper()
    found = find(session, actor, typed) if typed else None
    if found is None:
        message = f"household_code: no household {code.strip()!r} in your agency"
        raise ValidationFailed(
            message, problems=[Problem(message, scope="form", column="household_code", value=code)]
        )
    return found


def size(session: Session, actor: Actor, code: str) -> int:
    """How many persons of the agency belong to the household (a count only: no one is read)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Person)
            .where(Person.organisation_id == actor.agency_id, Person.household_code == code)
        )
        or 0
    )
