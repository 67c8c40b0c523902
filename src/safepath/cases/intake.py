"""Registration: a new person, their consents and their first case, in one unit of work — both
are recorded or neither is; or, when the person is already registered (a likely duplicate found at
registration), a new case for them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from safepath.cases import access, registry
from safepath.cases.schemas import CaseDetailsIn, CaseIn
from safepath.cases.views import CaseView, case_rows
from safepath.errors import ValidationFailed
from safepath.privacy import persons
from safepath.privacy.actor import Actor
from safepath.privacy.person_schema import ConsentIn, PersonIn


def register_and_open(
    session: Session, actor: Actor, person_in: PersonIn, case_in: CaseDetailsIn
) -> CaseView:
    """Register the person (with the consents given) and open their case. Any refusal undoes
    both, whatever the caller does with the session afterwards (a savepoint holds the writes)."""
    access.require(actor, access.WORK)
    if not any(c.purpose == "case_management" for c in person_in.consents):
        raise ValidationFailed(
            "the person has not consented to case management: record the consent "
            "(purpose case_management) before opening a case"
        )
    with session.begin_nested():
        person = persons.create(session, actor, person_in)
        case = registry.create_case(
            session,
            actor,
            CaseIn(person_code=person["code"], **case_in.model_dump(exclude={"person_code"})),
        )
    return case_rows(session, [case])[0]


def open_for_person(
    session: Session,
    actor: Actor,
    person_code: str,
    consents: Sequence[ConsentIn],
    case_in: CaseDetailsIn,
) -> CaseView:
    """A new case for a person already registered (404 outside the actor's scope). The consents
    given on the form are recorded for that person (an active one is kept as it is); the case
    needs an active consent to case management, new or earlier. Both or neither are recorded.
    The person's record itself is not changed."""
    access.require(actor, access.WORK)
    with session.begin_nested():
        for given in consents:
            persons.give_consent(session, actor, person_code, given)
        case = registry.create_case(
            session,
            actor,
            CaseIn(person_code=person_code, **case_in.model_dump(exclude={"person_code"})),
        )
    return case_rows(session, [case])[0]
