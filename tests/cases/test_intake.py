"""``register_and_open``: the person, their consents and their case are recorded together, or
not at all — even when the caller goes on to commit its session after a refusal."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from tests.cases.conftest import Staff

from safepath.cases import intake
from safepath.cases.schemas import CaseDetailsIn
from safepath.cases.views import CaseView
from safepath.errors import Forbidden, ValidationFailed
from safepath.privacy.person_schema import ConsentIn, PersonIn
from safepath.store.models.cases import Case
from safepath.store.models.persons import Consent, Person


def _counts(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as s:
        return (
            s.scalar(select(func.count(Person.id))) or 0,
            s.scalar(select(func.count(Case.id))) or 0,
            s.scalar(select(func.count(Consent.id))) or 0,
        )


def _person(*purposes: str, place: str | None = "XM0101") -> PersonIn:
    return PersonIn(
        given_name="Amina",
        place_pcode=place,
        consents=[ConsentIn(purpose=p) for p in purposes],
    )


def test_registers_the_person_and_opens_the_case(engine: Engine, staff: Staff) -> None:
    with Session(engine) as s:
        view = intake.register_and_open(
            s,
            staff.actors["caseworker"],
            _person("case_management", "referral_sharing"),
            CaseDetailsIn(thematic_areas=["gbv"], narrative="met at the centre"),
        )
        s.commit()
    assert isinstance(view, CaseView)
    assert view.status == "registered" and view.caseworker == "cw.demo"
    assert view.place_pcode == "XM0101" and view.created_at is not None
    assert _counts(engine) == (1, 1, 2)


@pytest.mark.parametrize(
    ("actor", "person", "case", "error"),
    [
        # refused before anything is written: no consent to case management
        ("caseworker", _person("referral_sharing"), {}, ValidationFailed),
        # refused by the case service after the person was written: an unknown caseworker
        ("caseworker", _person("case_management"), {"caseworker": "nobody"}, ValidationFailed),
        # an unknown team, also found only when opening the case
        ("caseworker", _person("case_management"), {"team_id": 999}, ValidationFailed),
        ("analyst", _person("case_management"), {}, Forbidden),
    ],
)
def test_a_refusal_leaves_neither_person_nor_case(
    engine: Engine,
    staff: Staff,
    actor: str,
    person: PersonIn,
    case: dict[str, object],
    error: type[Exception],
) -> None:
    before = _counts(engine)
    with Session(engine) as s:
        with pytest.raises(error):
            intake.register_and_open(
                s,
                staff.actors[actor],
                person,
                CaseDetailsIn(thematic_areas=["gbv"], **case),
            )
        s.commit()  # a careless caller commits anyway: the savepoint already undid both
    assert _counts(engine) == before
