"""The persons registry: the only way to read or write persons. Every call takes the ``Actor``
and applies, in order: role permission, record scope (404 outside it), field permissions,
encryption (by the column type), blind indexes and the audit trail.

Other layers (cases) use ``resolve`` to get a non-identifying reference to a person they may see,
and can add sections to the data-subject export and steps to erasure.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from safepath.errors import Conflict, NotFound, PreconditionFailed, Problem, ValidationFailed
from safepath.privacy import audit, blind_index, households, inventory, policy
from safepath.privacy import consent as consents
from safepath.privacy.actor import Actor
from safepath.privacy.hooks import require_wired
from safepath.privacy.person_schema import ConsentIn, PersonIn, PersonPatch
from safepath.store.models import Place
from safepath.store.models.identity import Team
from safepath.store.models.persons import BlindIndex, Person

KIND = "person"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10

ExportSection = Callable[[Session, Actor, int], Any]
ErasureStep = Callable[[Session, Actor, int], None]
EXPORT_SECTIONS: dict[str, ExportSection] = {}
ERASURE_STEPS: list[ErasureStep] = []


def register_export_section(name: str, section: ExportSection) -> None:
    """Add what another layer holds about a person (e.g. cases) to the data-subject export."""
    EXPORT_SECTIONS[name] = section


def register_erasure_step(step: ErasureStep) -> None:
    """Add a step to anonymisation (e.g. blank case narratives)."""
    ERASURE_STEPS.append(step)


@dataclass(frozen=True)
class PersonRef:
    """A person the actor may see, without any personal data."""

    id: int
    code: str
    organisation_id: int
    team_id: int | None


def new_code() -> str:
    # 50 random bits: not sequential, not derived from anything about the person.
    return "P-" + "".join(secrets.choice(_CROCKFORD) for _ in range(CODE_LENGTH))


def _json_or_none(value: Any) -> str | None:
    return None if value in (None, [], {}) else json.dumps(value, ensure_ascii=False)


def _as_dict(session: Session, person: Person) -> dict[str, Any]:
    team = session.get(Team, person.team_id) if person.team_id else None
    return {
        "code": person.code,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "other_names": person.other_names,
        "date_of_birth": person.date_of_birth,
        "phone": person.phone,
        "documents": json.loads(person.documents) if person.documents else [],
        "address": person.address,
        "notes": person.notes,
        "sex": person.sex,
        "age": person.age,
        "birth_year": person.birth_year,
        "nationality": person.nationality,
        "languages": json.loads(person.languages) if person.languages else [],
        "place_pcode": person.place_pcode,
        "population_group": person.population_group,
        "washington_group": json.loads(person.washington_group) if person.washington_group else {},
        "household_code": person.household_code,
        "team": team.code if team else None,
        "version": person.version,
        "created_at": person.created_at.isoformat(),
        "updated_at": person.updated_at.isoformat(),
        "anonymised_at": person.anonymised_at.isoformat() if person.anonymised_at else None,
    }


def _out(session: Session, actor: Actor, person: Person, action: str = "read") -> dict[str, Any]:
    granted = policy.shared_fields(session, actor, KIND, person.id)
    data = policy.redact(actor, KIND, _as_dict(session, person), granted=granted)
    audit.record(
        session, actor, action, KIND, person.code, person_code=person.code, fields=data.keys()
    )
    return data


def _apply(person: Person, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name == "documents":
            docs = [d if isinstance(d, dict) else d.model_dump() for d in value or []]
            value = _json_or_none(docs)
        elif name in ("languages", "washington_group"):
            value = _json_or_none(value)
        elif name == "date_of_birth":
            value = value.isoformat() if value else None
        setattr(person, name, value)
    dob: date | None = values.get("date_of_birth")
    if dob is not None:
        # Derived, not identifying on their own: kept in clear for analysis.
        person.birth_year = dob.year
        if values.get("age") is None:
            today = datetime.now(UTC).date()
            person.age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def _check_place(session: Session, values: dict[str, Any]) -> None:
    """An empty or unknown P-code is refused naming the field (it used to fail the foreign key)."""
    if "place_pcode" not in values or values["place_pcode"] is None:
        return
    pcode = values["place_pcode"]
    if not pcode.strip() or session.get(Place, pcode) is None:
        message = "place_pcode: " + (
            "must not be empty"
            if not pcode.strip()
            else f"place {pcode!r} is not in the places table"
        )
        raise ValidationFailed(
            message, problems=[Problem(message, scope="body", column="place_pcode", value=pcode)]
        )


def _reindex(session: Session, person: Person) -> None:
    session.execute(delete(BlindIndex).where(BlindIndex.person_id == person.id))
    entries = blind_index.name_entries(person.given_name, person.family_name, person.other_names)
    entries |= blind_index.phone_entries(person.phone)
    session.add_all(BlindIndex(person_id=person.id, kind=k, digest=d) for k, d in sorted(entries))


def rebuild_index(session: Session, person: Person) -> None:
    """Replace the person's blind-index rows with those of the current rules (``reindex``)."""
    _reindex(session, person)


def _team_id(session: Session, actor: Actor, code: str | None) -> int | None:
    if code is None:
        return min(actor.team_ids) if actor.team_ids else None
    team = session.scalar(
        select(Team).where(Team.organisation_id == actor.agency_id, Team.code == code)
    )
    if team is None or team.id not in actor.team_ids:
        # a value in the body, not the record the path names: 422 (404 would say the URL is wrong)
        message = f"team {code!r} is not one of your teams"
        raise ValidationFailed(
            f"invalid request: {message}",
            problems=[Problem(message, scope="body", column="team", value=code)],
        )
    return team.id


def _load(session: Session, actor: Actor, code: str) -> Person:
    person: Person = policy.ensure_visible(
        session, actor, KIND, select(Person).where(Person.code == code), f"person {code!r}"
    )
    return person


def resolve(
    session: Session, actor: Actor, code: str, permission: str = "person.read"
) -> PersonRef:
    """A visible person's reference (404 outside the actor's scope); nothing is decrypted."""
    policy.require(actor, permission)
    row = session.execute(
        policy.visible(
            actor,
            select(Person.id, Person.code, Person.organisation_id, Person.team_id).where(
                Person.code == code
            ),
            KIND,
        )
    ).first()
    if row is None:
        raise NotFound(f"person {code!r} not found")
    return PersonRef(row.id, row.code, row.organisation_id, row.team_id)


def create(session: Session, actor: Actor, data: PersonIn) -> dict[str, Any]:
    policy.require(actor, "person.create")
    person = Person(
        code=new_code(),
        organisation_id=actor.agency_id,
        created_by_user_id=actor.user_id or None,
        team_id=_team_id(session, actor, data.team),
    )
    while session.scalar(select(Person.id).where(Person.code == person.code)) is not None:
        person.code = new_code()
    values = data.model_dump(exclude={"team", "consents"})
    _check_place(session, values)
    if values.get("household_code"):
        households.ensure(session, actor, values["household_code"])
    _apply(person, values)
    session.add(person)
    session.flush()
    _reindex(session, person)
    audit.record(
        session,
        actor,
        "create",
        KIND,
        person.code,
        person_code=person.code,
        fields=data.model_dump(exclude_none=True, exclude={"consents"}).keys(),
    )
    for c in data.consents:
        consents.give(
            session, actor, person.id, c.purpose, given_by=c.given_by, child_assent=c.child_assent
        )
    return _out(session, actor, person)


def get(session: Session, actor: Actor, code: str) -> dict[str, Any]:
    policy.require(actor, "person.read")
    return _out(session, actor, _load(session, actor, code))


def search(
    session: Session,
    actor: Actor,
    q: str | None = None,
    *,
    household: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """Visible persons, optionally matching a name or a phone number (through blind indexes)
    and/or members of one household."""
    policy.require(actor, "person.read")
    stmt = select(Person)
    if household:
        stmt = stmt.where(Person.household_code == household)
    order: list[Any] = []
    if q and q.strip():
        # Searching by name or phone re-identifies: only for roles that may see identifiers.
        if "given_name" not in policy.allowed_fields(actor, KIND):
            policy.require(actor, "person.create")
        if blind_index.looks_like_phone(q):
            key = blind_index.phone_key(q) or ""
            stmt = stmt.where(
                Person.id.in_(
                    select(BlindIndex.person_id).where(
                        BlindIndex.kind == "phone",
                        BlindIndex.digest == blind_index.digest("phone", key),
                    )
                )
            )
        else:
            tokens = blind_index.name_tokens(q)
            if not tokens:
                return {"total": 0, "items": []}
            exact = [blind_index.digest("name", t) for t in tokens]
            for token, ex in zip(tokens, exact, strict=True):
                sk = blind_index.skeleton(token)
                match = (BlindIndex.kind == "name") & (BlindIndex.digest == ex)
                if len(sk) >= blind_index.MIN_SKELETON:
                    variant = blind_index.digest("namevar", sk)
                    match = match | (
                        (BlindIndex.kind == "namevar") & (BlindIndex.digest == variant)
                    )
                stmt = stmt.where(Person.id.in_(select(BlindIndex.person_id).where(match)))
            exact_hits = (
                select(func.count(BlindIndex.id))
                .where(
                    BlindIndex.person_id == Person.id,
                    BlindIndex.kind == "name",
                    BlindIndex.digest.in_(exact),
                )
                .scalar_subquery()
            )
            order.append(exact_hits.desc())
    stmt = policy.visible(actor, stmt, KIND)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(*order, Person.created_at.desc(), Person.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return {"total": total, "items": [_out(session, actor, p) for p in rows]}


def _current_version(session: Session, person: Person) -> int | None:
    """The version a concurrent write left (``person`` was expired by the rollback)."""
    try:
        return int(person.version)
    except Exception:  # noqa: BLE001 - the row may be gone
        return None


def update(
    session: Session, actor: Actor, code: str, patch: PersonPatch, expected_version: int
) -> dict[str, Any]:
    """Change the fields set in ``patch``, only if the record is still at ``expected_version``
    (a stale write is refused with 412 and nothing is overwritten)."""
    policy.require(actor, "person.update")
    person = _load(session, actor, code)
    if person.anonymised_at is not None:
        raise Conflict(f"person {code!r} was anonymised and cannot be changed")
    if person.version != expected_version:
        raise PreconditionFailed(
            f"person {code!r} changed since you read it (version {person.version}, "
            f"you had {expected_version}); reload and try again",
            current_version=person.version,
        )
    values = {k: getattr(patch, k) for k in patch.model_fields_set}
    if "team" in values:
        person.team_id = _team_id(session, actor, values.pop("team"))
    _check_place(session, values)
    if values.get("household_code"):
        households.ensure(session, actor, values["household_code"])
    _apply(person, values)
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise PreconditionFailed(
            f"person {code!r} was changed concurrently; reload",
            current_version=_current_version(session, person),
        ) from None
    if values.keys() & {"given_name", "family_name", "other_names", "phone"}:
        _reindex(session, person)
    audit.record(
        session, actor, "update", KIND, person.code, person_code=person.code, fields=values.keys()
    )
    return _out(session, actor, person)


def export(session: Session, actor: Actor, code: str) -> dict[str, Any]:
    """Everything held about a person, readable (data-subject access request)."""
    require_wired("data-subject export")
    policy.require(actor, "person.export")
    person = _load(session, actor, code)
    held = _as_dict(session, person)
    for name in inventory.personal_columns(Person):  # every declared column, whatever the view
        held.setdefault(name, getattr(person, name))
    data: dict[str, Any] = {
        "exported_at": datetime.now(UTC).isoformat(),
        "person": held,
        "consents": [consents.as_dict(c) for c in person.consents],
        "history": [audit.as_dict(e) for e in audit.events(session, person_code=person.code)],
    }
    for name, section in EXPORT_SECTIONS.items():
        data[name] = section(session, actor, person.id)
    audit.record(
        session, actor, "export", KIND, person.code, person_code=person.code, fields=data.keys()
    )
    return data


def anonymise(session: Session, actor: Actor, person: Person, action: str = "erase") -> None:
    """Remove every identifier (names, contacts, documents, narratives, blind indexes); keep the
    pseudonymous code and the coarse, non-identifying fields that statistics need."""
    require_wired("erasure")
    personal = inventory.personal_columns(Person)
    for name in personal:
        setattr(person, name, None)
    person.anonymised_at = datetime.now(UTC)
    session.execute(delete(BlindIndex).where(BlindIndex.person_id == person.id))
    for step in ERASURE_STEPS:
        step(session, actor, person.id)
    session.flush()
    audit.record(
        session,
        actor,
        action,
        KIND,
        person.code,
        person_code=person.code,
        fields=personal,
    )


def erase(session: Session, actor: Actor, code: str) -> dict[str, Any]:
    """Anonymise on the person's request (data-protection focal point)."""
    policy.require(actor, "person.erase")
    person = _load(session, actor, code)
    if person.anonymised_at is None:
        anonymise(session, actor, person)
    return {"code": person.code, "anonymised_at": person.anonymised_at.isoformat()}  # type: ignore[union-attr]


# --- consents, through the same scope checks -------------------------------------------------
def list_consents(session: Session, actor: Actor, code: str) -> list[dict[str, object]]:
    policy.require(actor, "consent.read")
    person = _load(session, actor, code)
    audit.record(session, actor, "read", "consent", None, person_code=person.code)
    return [consents.as_dict(c) for c in person.consents]


def give_consent(session: Session, actor: Actor, code: str, data: ConsentIn) -> dict[str, object]:
    policy.require(actor, "consent.write")
    person = _load(session, actor, code)
    c = consents.give(
        session,
        actor,
        person.id,
        data.purpose,
        given_by=data.given_by,
        child_assent=data.child_assent,
    )
    return consents.as_dict(c)


def withdraw_consent(session: Session, actor: Actor, code: str, purpose: str) -> dict[str, object]:
    policy.require(actor, "consent.write")
    person = _load(session, actor, code)
    n = consents.withdraw(session, actor, person.id, purpose)
    return {"purpose": purpose, "withdrawn": n}


def is_anonymised(session: Session, person_id: int) -> bool:
    """Whether the person was erased or anonymised (other layers refuse to add personal data to
    them: a file attached to an erased person's case would undo the erasure)."""
    at = session.scalar(select(Person.anonymised_at).where(Person.id == person_id))
    return at is not None
