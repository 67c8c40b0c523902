"""Records for the access matrix (tests/privacy/test_access_matrix.py) on the case routes: a case
in the state each route needs, a referral to a partner that is *not* the matrix's partner (so it
gets 404, as the rules say), and a valid body, so "allow" means the request really succeeds."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from safepath.cases import attachments, closure, plans, referrals, registry
from safepath.cases.assessments import record_assessment
from safepath.cases.schemas import CaseIn, ClosureIn, PlanIn, ReferralIn
from safepath.demo.cases import synthetic_answers
from safepath.privacy import persons
from safepath.privacy.actor import Actor
from safepath.privacy.person_schema import PersonIn
from safepath.privacy.routes_policy import ANONYMOUS, ROUTES, Outcome
from safepath.store.db import session_scope
from safepath.store.models import Organisation, Service
from safepath.store.models.cases import Case, Referral

STAFF = ("caseworker", "supervisor", "other_agency")
PLAN = {
    "interventions": [
        {"modality": "responsive", "thematic_area": "gbv", "gpc_risks": ["gbv"], "rights": []}
    ]
}
ANSWERS = synthetic_answers(random.Random(1), "XM0101", 0.5, age=30, sex="female", group="idp")
SERVICE = "other-partner/svc"
PDF = b"%PDF-1.4\n% a scanned document\n%%EOF\n"


_UNCHANGED: dict[tuple[int, str], tuple[str, str | None]] = {}


def _still_there(cached: tuple[str, str | None] | None) -> bool:
    """The cache outlives a test's database (and ``id`` values are reused): check the row."""
    if cached is None:
        return False
    with session_scope() as s:
        return s.scalar(select(Case.id).where(Case.code == cached[0])) is not None


def _changes(method: str, path: str, who: str) -> bool:
    """Whether this request may change its record (an allowed write)."""
    if method == "GET" or who in (ANONYMOUS, "other_agency"):
        return False
    return ROUTES[(method, path)].expected(who) is Outcome.allow


@dataclass
class CaseRequest:
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes, str]] | None = None  # a multipart upload


def _person(s: Any, actor: Actor) -> str:
    data = PersonIn.model_validate(
        {
            "sex": "female",
            "age": 30,
            "consents": [{"purpose": "case_management"}, {"purpose": "referral_sharing"}],
        }
    )
    return str(persons.create(s, actor, data)["code"])


def _service(s: Any) -> None:
    if s.scalar(select(Organisation.id).where(Organisation.code == "other-partner")) is None:
        org = Organisation(code="other-partner", name="Other partner", kind="partner")
        s.add(org)
        s.flush()
        s.add(Service(organisation_id=org.id, code="svc", name="Service", thematic_area="gbv"))
        s.flush()


def _case(actors: Mapping[str, Actor], path: str) -> tuple[str, str | None]:
    cw, sup = actors["caseworker"], actors["supervisor"]
    with session_scope() as s:
        _service(s)
        case = registry.create_case(
            s, cw, CaseIn(person_code=_person(s, cw), thematic_areas=["gbv"])
        )
        code, ref = case.code, None
        if path.endswith("/plan/approval"):
            record_assessment(s, cw, code, ANSWERS, case.version)
            plans.set_plan(s, cw, code, PlanIn.model_validate(PLAN), case.version)
        if "/interventions/" in path:
            plans.set_plan(s, cw, code, PlanIn.model_validate(PLAN), case.version)
        if "/closure/" in path or path.endswith("/reopening"):
            closure.request_closure(s, cw, code, ClosureIn(reason="other"), case.version)
        if path.endswith("/reopening"):
            closure.approve_closure(s, sup, code, case.version)
        if path.startswith("/api/v1/referrals/"):
            body = ReferralIn.model_validate({"service": SERVICE, "shared_fields": ["age"]})
            ref = referrals.refer(s, cw, code, body, case.version).code
    return code, ref


def case_request(
    actors: Mapping[str, Actor], method: str, path: str, who: str
) -> CaseRequest | None:
    """What to send on a case route; ``None`` for the other routes."""
    if not path.startswith(("/api/v1/cases", "/api/v1/referrals/")):
        return None
    out = CaseRequest()
    if path == "/api/v1/cases" and method == "POST":
        creator = actors[who] if who in STAFF else actors["caseworker"]
        with session_scope() as s:
            out.json = {"person_code": _person(s, creator), "thematic_areas": ["gbv"]}
        return out
    if "{code}" not in path:
        return out
    key = (id(actors), path)
    if not _changes(method, path, who) and _still_there(_UNCHANGED.get(key)):
        code, ref = _UNCHANGED[key]  # reads and refused requests change nothing: share one
    else:
        code, ref = _case(actors, path)
        if not _changes(method, path, who):
            _UNCHANGED[key] = (code, ref)
    out.params["{code}"] = ref or code
    out.params["{number}"] = "1"  # the plan's first intervention
    if "{attachment}" in path:  # a file on the case, for the download and the delete
        with session_scope() as s:
            out.params["{attachment}"] = attachments.add(
                s, actors["caseworker"], code, "scan.pdf", PDF
            ).code
    if path.endswith("/attachments") and method == "POST":
        out.files = {"file": ("scan.pdf", PDF, "application/pdf")}
        return out
    bodies: dict[str, Any] = {
        "/assessments": {"answers": ANSWERS},
        "/plan": PLAN,
        "/assignment": {"caseworker": actors["caseworker"].username},
        "/closure": {"reason": "other"},
        "/referrals": {"service": SERVICE, "shared_fields": ["age"]},
        "/decline": {"reason": "not eligible"},
        "/progress": {"status": "done", "note": "delivered"},
    }
    if method in ("POST", "PUT", "PATCH"):
        out.json = next((b for end, b in bodies.items() if path.endswith(end)), {})
        if method == "PATCH":
            out.json = {"narrative": "updated"}
        # every write names the version it is based on (the record's current one here)
        out.headers["If-Match"] = f'"{_version(path, code, ref)}"'
    return out


def _version(path: str, code: str, ref: str | None) -> int:
    with session_scope() as s:
        if path.startswith("/api/v1/referrals/") and ref:
            return int(s.scalar(select(Referral.version).where(Referral.code == ref)) or 1)
        return int(s.scalar(select(Case.version).where(Case.code == code)) or 1)
