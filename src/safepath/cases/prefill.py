"""What the assessment form can take from the registration instead of asking again: the place
(admin 2 and its admin 1), age, sex, nationality, population group and household size. The
person is read through the registry (scope, redaction, audit); the caseworker can still change
every answer before saving."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from safepath.framework import countries
from safepath.privacy import persons
from safepath.privacy.actor import Actor
from safepath.store.models import Place
from safepath.store.models.cases import Case

# the screening form's choices (surveys/forms/screening_v1.py): other codes are not pre-filled
SEXES = ("female", "male", "other", "prefer_not_to_say")
GROUPS = (
    "migrant",
    "idp",
    "refugee",
    "asylum_seeker",
    "returnee",
    "host_community",
    "migrant_worker",
    "stateless",
    "other",
)


def nationalities() -> frozenset[str]:
    """The form's nationality list: ISO 3166-1 alpha-3 and STATELESS (a user-assigned X code
    on the person is left for the caseworker to choose)."""
    return countries.codes() | {"STATELESS"}


def screening_answers(session: Session, actor: Actor, case: Case) -> dict[str, Any]:
    person = persons.get(session, actor, case.person_code)
    out: dict[str, Any] = {}
    pcode = case.place_pcode or person.get("place_pcode")
    place = session.get(Place, pcode) if pcode else None
    if place is not None and place.level == 2:
        out["adm2_pcode"] = place.pcode
        if place.parent_pcode:
            out["adm1_pcode"] = place.parent_pcode
    elif place is not None and place.level == 1:
        out["adm1_pcode"] = place.pcode
    if person.get("age") is not None:
        out["resp_age"] = person["age"]
    if person.get("sex") in SEXES:
        out["resp_sex"] = person["sex"]
    if person.get("nationality") in nationalities():
        out["nationality"] = person["nationality"]
    group = case.population_group or person.get("population_group")
    if group in GROUPS:
        out["pop_group"] = group
    if case.household_size:
        out["hh_size"] = case.household_size
    return out
