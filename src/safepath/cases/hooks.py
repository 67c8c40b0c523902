"""Wire cases into the access policy: the ``case`` record kind and the referred-to hooks.

A partner focal point reaches a case (and its person) only through a live referral to its
organisation, and only while the person's consent to share stands or a supervisor overrode it;
withdrawing consent therefore stops further sharing at once, and the withdrawal hook revokes the
person's open referrals in the same transaction.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, select
from sqlalchemy.orm import Session

from safepath.cases import lifecycle
from safepath.privacy import consent, inventory, persons, policy, retention
from safepath.privacy.actor import Actor, Role, Scope
from safepath.store.models.cases import (
    Assessment,
    Case,
    CaseThematicArea,
    FollowUp,
    Intervention,
    Referral,
)

PARTNER_VISIBLE = ("sent", "accepted", "completed")
CASE_FIELDS = frozenset(
    {
        "code",
        "person_code",
        "subject",
        "household_size",
        "status",
        "thematic_areas",
        "gpc_risks",
        "population_group",
        "place_pcode",
        "agency",
        "team_id",
        "caseworker",
        "risk_level",
        "phase",
        "next_action_due",
        "overdue",
        "plan_status",
        "narrative",
        "closure_reason",
        "closed_at",
        "outcome",
        "created_at",
        "updated_at",
        "version",
        "latest_assessment",
    }
)
# Person fields a referral may share (the rest of the person record never goes to partners).
# Names and phone go only when the sender ticks them and the person consented to sharing.
PERSON_SHAREABLE = frozenset(
    {"sex", "age", "population_group", "place_pcode", "given_name", "family_name", "phone"}
)


def _live_referral(actor: Actor, case_id: Any) -> ColumnElement[bool]:
    return exists(
        select(Referral.id).where(
            Referral.case_id == case_id,
            Referral.to_organisation_id == actor.agency_id,
            Referral.status.in_(PARTNER_VISIBLE),
        )
    )


def cases_referred_to(actor: Actor) -> ColumnElement[bool]:
    return _live_referral(actor, Case.id)


def persons_referred_to(actor: Actor) -> ColumnElement[bool]:
    person = policy.KINDS["person"].model
    return exists(
        select(Case.id).where(
            Case.person_id == person.id,
            _live_referral(actor, Case.id),
        )
    )


def live_shared_fields(session: Session, actor: Actor, case_ids: list[int]) -> frozenset[str]:
    """Union of the fields shared by live referrals of these cases to the actor's organisation;
    a referral shares nothing once consent to share is withdrawn (unless it was overridden)."""
    rows = session.execute(
        select(Referral.shared_fields, Referral.consent_override_reason, Case.person_id)
        .join(Case, Referral.case_id == Case.id)
        .where(
            Referral.case_id.in_(case_ids),
            Referral.to_organisation_id == actor.agency_id,
            Referral.status.in_(PARTNER_VISIBLE),
        )
    ).all()
    fields: set[str] = set()
    consented: dict[int, bool] = {}
    for shared, override, person_id in rows:
        if person_id not in consented:
            consented[person_id] = consent.has_consent(session, person_id, "referral_sharing")
        if consented[person_id] or override is not None:
            fields.update(shared)
    return frozenset(fields)


def _person_shared(session: Session, actor: Actor, person_id: int) -> frozenset[str]:
    ids = list(session.scalars(select(Case.id).where(Case.person_id == person_id)))
    return live_shared_fields(session, actor, ids) & PERSON_SHAREABLE


def _case_shared(session: Session, actor: Actor, case_id: int) -> frozenset[str]:
    return live_shared_fields(session, actor, [case_id])


# The text columns of the case models, declared once (``safepath.privacy.inventory``): erasure
# blanks exactly the personal ones, the data-subject export carries them, and a test fails on a
# text column declared neither personal nor safe.
PERSONAL_TEXT: dict[type[Any], tuple[str, ...]] = {
    Case: ("narrative", "closure_note"),
    Assessment: ("answers",),
    Intervention: ("description", "progress_note"),
    Referral: (
        "reason",
        "consent_override_reason",
        "response_note",
        "completion_note",
        "revoke_note",
    ),
    FollowUp: ("note",),
}
_CODE = "a pseudonymous code"
_CODED = "a coded value from the catalogue or the lifecycle"
SAFE_TEXT: dict[type[Any], dict[str, str]] = {
    Case: {
        "code": _CODE,
        "person_code": _CODE,
        "place_pcode": _CODE,
        **dict.fromkeys(
            (
                "subject",
                "status",
                "thematic_areas",
                "gpc_risks",
                "population_group",
                "risk_level",
                "plan_status",
                "closure_reason",
                "outcome_rule",
            ),
            _CODED,
        ),
    },
    Assessment: {
        "place_pcode": _CODE,
        "case_level": _CODED,
        "explanation": "scores per indicator; erasure trims the answers it quotes (unmapped)",
        **dict.fromkeys(("model_id", "model_version", "instrument_id", "form_id"), _CODE),
    },
    Intervention: dict.fromkeys(
        ("modality", "thematic_area", "gpc_risks", "rights", "status"), _CODED
    ),
    Referral: {"code": _CODE, **dict.fromkeys(("shared_fields", "status", "urgency"), _CODED)},
    FollowUp: {"kind": _CODED},
    CaseThematicArea: {"thematic_area": _CODED},  # a copy of Case.thematic_areas, indexed
}


def _text(row: Any) -> dict[str, Any]:
    """The row's declared personal text, readable (assessment answers are JSON)."""
    out: dict[str, Any] = {}
    for name in PERSONAL_TEXT[type(row)]:
        value = getattr(row, name)
        out[name] = json.loads(value) if name == "answers" else value
    return out


def _export(session: Session, actor: Actor, person_id: int) -> list[dict[str, Any]]:
    """Data-subject access request: the cases held about the person, with their history and every
    free text written about them."""
    out = []
    for case in session.scalars(select(Case).where(Case.person_id == person_id).order_by(Case.id)):
        out.append(
            {
                "code": case.code,
                "status": case.status,
                "thematic_areas": case.thematic_areas,
                "closure_reason": case.closure_reason,
                "outcome_achieved": case.outcome_achieved,
                **_text(case),
                "assessments": [
                    {
                        "seq": a.seq,
                        "assessed_at": str(a.assessed_at),
                        "risk": a.risk,
                        "phase": a.phase,
                        **_text(a),
                    }
                    for a in case.assessments
                ],
                "plan": [
                    {
                        "modality": i.modality,
                        "thematic_area": i.thematic_area,
                        "status": i.status,
                        **_text(i),
                    }
                    for i in case.interventions
                ],
                "follow_ups": [
                    {"at": str(f.at), "kind": f.kind, **_text(f)} for f in case.follow_ups
                ],
                "referrals": [
                    {
                        "code": r.code,
                        "status": r.status,
                        "urgency": r.urgency,
                        "shared_fields": r.shared_fields,
                        **_text(r),
                    }
                    for r in case.referrals
                ],
            }
        )
    return out


def _blank(row: Any) -> None:
    for name in PERSONAL_TEXT[type(row)]:
        setattr(row, name, "{}" if name == "answers" else None)


def _erase(session: Session, actor: Actor, person_id: int) -> None:
    """Erasure / anonymisation: every declared free text and the answers go; codes, code lists
    and risk figures (T, V, C, R, phase, outcome) stay: they identify nobody and keep the outcome
    statistics whole. Open referrals are revoked: nothing is shared about an erased person."""
    for case in session.scalars(select(Case).where(Case.person_id == person_id)):
        _blank(case)
        for a in case.assessments:
            _blank(a)
            if a.explanation and a.explanation.get("unmapped"):
                # unmapped answers carry the values given; keep only which fields they were
                kept = [{"indicator": u.get("indicator")} for u in a.explanation["unmapped"]]
                a.explanation = {**a.explanation, "unmapped": kept}
        for i in case.interventions:
            _blank(i)
        for f in case.follow_ups:
            _blank(f)
        for r in case.referrals:
            _blank(r)
            if r.status in ("sent", "accepted"):
                r.status = "revoked"


def _revoke_on_withdrawal(session: Session, actor: Actor, person_id: int, purpose: str) -> None:
    """Consent to share withdrawn: the person's open referrals are revoked in the same
    transaction (those a supervisor sent with a documented override stay)."""
    if purpose == "referral_sharing":
        from safepath.cases import referrals  # referrals imports access, which imports this

        referrals.revoke_for_withdrawn_consent(session, actor, person_id)


def _open_case_persons(now: datetime) -> Select[Any]:
    """Retention hold: a person with a case still open is still being helped."""
    return select(Case.person_id).where(Case.status != lifecycle.Status.closed)


def install() -> None:
    policy.register_kind(
        "case",
        policy.RecordKind(
            model=Case,
            organisation=Case.organisation_id,
            team=Case.team_id,
            owner=Case.caseworker_id,
            scopes={
                Role.caseworker: Scope.team,  # their team's cases and their own
                Role.supervisor: Scope.agency,  # approve and transfer across the agency's teams
                Role.dp_focal_point: Scope.agency,
                Role.partner_focal_point: Scope.referred_to,
                Role.admin: Scope.none,  # administers users and keys, not personal data
                Role.analyst: Scope.none,  # aggregates only (outcomes report)
                Role.auditor: Scope.none,
            },
            all_fields=CASE_FIELDS,
            pseudonymous_fields=frozenset(),
        ),
    )
    policy.register_referred_to("case", cases_referred_to, _case_shared)
    policy.register_referred_to("person", persons_referred_to, _person_shared)
    for model, safe in SAFE_TEXT.items():  # CaseThematicArea holds no personal text
        inventory.declare(model, personal=PERSONAL_TEXT.get(model, ()), safe=safe)
    persons.register_export_section("cases", _export)
    persons.register_erasure_step(_erase)
    retention.register_hold("open_case", _open_case_persons)
    consent.register_on_withdrawal(_revoke_on_withdrawal)
