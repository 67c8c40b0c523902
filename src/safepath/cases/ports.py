"""The few outside functions the case services call: identity/privacy and the risk engine.

Kept in one module so the domain code names one stable surface; if a neighbour renames a
function, only this file follows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib.resources import files
from typing import Any

from sqlalchemy.orm import Session

from safepath.errors import InputError, Problem
from safepath.privacy import audit as _audit
from safepath.privacy import consent as _consent
from safepath.privacy import persons as _persons
from safepath.privacy.actor import Actor
from safepath.risk import Assessment as RiskAssessment
from safepath.risk import evaluate, load_model
from safepath.surveys.forms import form_path
from safepath.surveys.xlsform import FormDefinition, load_form, validate_answers

MODEL_ID = "safepath-domv-v1"
FORM_ID = "safepath-screening-v1"


def audit(
    session: Session,
    actor: Actor,
    action: str,
    record_type: str,
    record_id: str | int | None,
    *,
    person_code: str | None = None,
    fields: Iterable[str] = (),
) -> None:
    _audit.record(
        session, actor, action, record_type, record_id, person_code=person_code, fields=fields
    )


def has_consent(session: Session, person_id: int, purpose: str) -> bool:
    return bool(_consent.has_consent(session, person_id, purpose))


def person_for_case(session: Session, actor: Actor, person_code: str) -> _persons.PersonRef:
    """The person a case is opened for (404 outside the actor's scope), without personal data."""
    return _persons.resolve(session, actor, person_code)


def person_record(session: Session, actor: Actor, person_code: str) -> dict[str, Any]:
    """The person as the actor may see it (redacted by the policy; a partner gets only the
    fields referrals shared), read through the person service, which audits the read."""
    return _persons.get(session, actor, person_code)


@lru_cache(maxsize=1)
def risk_model() -> Any:
    return load_model(MODEL_ID)


@lru_cache(maxsize=1)
def screening_form() -> FormDefinition:
    return load_form(form_path(FORM_ID))


def check_answers(answers: Mapping[str, Any]) -> None:
    problems: list[Problem] = validate_answers(screening_form(), answers)
    if problems:
        raise InputError(
            f"the screening answers do not fit form {FORM_ID!r}: {len(problems)} problem(s); "
            f"first: {problems[0]}",
            problems=problems,
        )


@lru_cache(maxsize=1)
def _area_profiles() -> dict[str, dict[str, Any]]:
    """The area profile shipped with the model (community and structural indicators by P-code).

    Adapter: the risk package has no per-P-code lookup yet, so the sample CSV is read here."""
    path = files("safepath.risk.models") / f"{MODEL_ID}.area-profile.csv"
    if not path.is_file():
        return {}
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    return {r["pcode"]: {k: _number(v) for k, v in r.items()} for r in rows}


def _number(value: str | None) -> Any:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value


def area_profile(pcode: str | None) -> Mapping[str, Any] | None:
    return _area_profiles().get(pcode) if pcode else None


def score(answers: Mapping[str, Any], pcode: str | None) -> RiskAssessment:
    return evaluate(risk_model(), answers, area_profile(pcode))


def deadline_hours(case_level: str) -> float | None:
    hours: Mapping[str, float] = risk_model().case_levels.deadlines_hours
    value = hours.get(case_level)
    return float(value) if value is not None else None
