"""The access policy, in one place: role permissions × record scope × field permissions.

- ``require(actor, permission)``: what a role may do at all (403 when not).
- ``scope_for(actor, kind)`` / ``visible(actor, stmt, kind)``: which records of a kind the actor
  reaches; ``ensure_visible`` turns "outside scope" into 404, never 403, so ids cannot be probed
  across agencies.
- ``allowed_fields(actor, kind)`` / ``redact(actor, kind, data)``: which fields leave the system.

Other layers add record kinds (``register_kind``) and fill the referred-to hook
(``register_referred_to``, e.g. cases: a partner sees persons referred to its organisation, and only
the fields each referral shared).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true
from sqlalchemy.orm import Session

from safepath.errors import Forbidden, NotFound
from safepath.privacy.actor import Actor, Role, Scope
from safepath.store.models.persons import Consent, Person

R = Role
T = TypeVar("T")
S = TypeVar("S", bound=Select[*tuple[Any, ...]])

# --- role permissions -----------------------------------------------------------------------
_CASE_STAFF = frozenset({R.caseworker, R.supervisor})
PERMISSIONS: dict[str, frozenset[Role]] = {
    "person.read": _CASE_STAFF | {R.dp_focal_point, R.analyst, R.partner_focal_point},
    "person.create": _CASE_STAFF,
    "person.update": _CASE_STAFF,
    "person.export": frozenset({R.dp_focal_point}),  # data-subject access request
    "person.erase": frozenset({R.dp_focal_point}),
    "consent.read": _CASE_STAFF | {R.dp_focal_point},
    "consent.write": _CASE_STAFF,
    "audit.read": frozenset({R.dp_focal_point, R.auditor}),
    "audit.verify": frozenset({R.dp_focal_point, R.auditor, R.admin}),
    "users.manage": frozenset({R.admin}),
    "keys.manage": frozenset({R.admin}),
    "keys.read": frozenset({R.admin, R.auditor, R.dp_focal_point}),  # ids and dates only
    "retention.run": frozenset({R.admin, R.dp_focal_point}),
    "retention.read": frozenset({R.admin, R.auditor, R.dp_focal_point}),  # the dry run
    "directory.read": frozenset(Role),
}


def register_permission(permission: str, roles: frozenset[Role] | set[Role]) -> None:
    """Other layers add their permissions here (e.g. "case.approve" for supervisors)."""
    PERMISSIONS[permission] = frozenset(roles)


def can(actor: Actor, permission: str) -> bool:
    return actor.role in PERMISSIONS.get(permission, frozenset())


def require(actor: Actor, permission: str) -> None:
    """403 unless the actor's role has ``permission``. Unknown permissions deny (and say so)."""
    if permission not in PERMISSIONS:
        raise Forbidden(f"permission {permission!r} is not defined in safepath.privacy.policy")
    if not can(actor, permission):
        raise Forbidden(f"your role ({actor.role}) may not do this ({permission})")


# --- record scopes ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RecordKind:
    """How to find a record's agency, team and owner, and which scope each role has on it."""

    model: Any
    organisation: Any
    team: Any | None
    owner: Any | None
    scopes: Mapping[Role, Scope]
    all_fields: frozenset[str]
    # Fields that identify nobody on their own (what analysts may receive).
    pseudonymous_fields: frozenset[str] = frozenset()


# Scopes of record kinds that have not registered their own (case records follow persons).
DEFAULT_SCOPES: Mapping[Role, Scope] = {
    R.caseworker: Scope.team,
    R.supervisor: Scope.team,
    R.dp_focal_point: Scope.agency,
    R.analyst: Scope.agency,
    R.partner_focal_point: Scope.referred_to,
    R.admin: Scope.none,
    R.auditor: Scope.none,
    R.psea_focal_point: Scope.none,  # complaints only (safepath.feedback), no case records
}


PERSON_FIELDS = frozenset(
    {
        "code",
        "given_name",
        "family_name",
        "other_names",
        "date_of_birth",
        "phone",
        "documents",
        "address",
        "notes",
        "sex",
        "age",
        "birth_year",
        "nationality",
        "languages",
        "place_pcode",
        "population_group",
        "washington_group",
        "household_code",
        "team",
        "version",
        "created_at",
        "updated_at",
        "anonymised_at",
    }
)
PERSON_IDENTIFIERS = frozenset(
    {
        "given_name",
        "family_name",
        "other_names",
        "date_of_birth",
        "phone",
        "documents",
        "address",
        "notes",
    }
)

KINDS: dict[str, RecordKind] = {
    "person": RecordKind(
        model=Person,
        organisation=Person.organisation_id,
        team=Person.team_id,
        owner=Person.created_by_user_id,
        scopes=DEFAULT_SCOPES,
        all_fields=PERSON_FIELDS,
        pseudonymous_fields=PERSON_FIELDS - PERSON_IDENTIFIERS,
    ),
}

ReferredTo = Callable[[Actor], ColumnElement[bool]]
SharedFields = Callable[[Session, Actor, int], frozenset[str]]
_REFERRED_TO: dict[str, ReferredTo] = {}
_SHARED_FIELDS: dict[str, SharedFields] = {}


def register_kind(name: str, kind: RecordKind) -> None:
    KINDS[name] = kind


def register_referred_to(
    kind: str, where: ReferredTo, shared_fields: SharedFields | None = None
) -> None:
    """``where(actor)`` selects the records of ``kind`` referred to the actor's organisation;
    ``shared_fields(session, actor, record_id)`` names the fields a referral shared."""
    _REFERRED_TO[kind] = where
    if shared_fields is not None:
        _SHARED_FIELDS[kind] = shared_fields


def scope_for(actor: Actor, record_kind: str) -> Scope:
    kind = KINDS.get(record_kind)
    scopes = kind.scopes if kind is not None else DEFAULT_SCOPES
    return scopes.get(actor.role, Scope.none)


def _condition(actor: Actor, kind: str) -> ColumnElement[bool]:
    k = KINDS[kind]
    scope = scope_for(actor, kind)
    if scope is Scope.all:
        return true()
    if scope is Scope.none:
        return false()
    if scope is Scope.referred_to:
        hook = _REFERRED_TO.get(kind)
        return hook(actor) if hook else false()
    same_agency = k.organisation == actor.agency_id
    if scope is Scope.agency:
        return same_agency  # type: ignore[no-any-return]
    own = k.owner == actor.user_id if k.owner is not None else false()
    if scope is Scope.own:
        return and_(same_agency, own)
    team = k.team.in_(sorted(actor.team_ids)) if k.team is not None and actor.team_ids else false()
    return and_(same_agency, or_(team, own))


def _analysis_consent() -> ColumnElement[bool]:
    # Analysts see only persons who consented to use in analysis (withdrawal applies at once).
    return exists(
        select(Consent.id).where(
            Consent.person_id == Person.id,
            Consent.purpose == "analysis",
            Consent.withdrawn_at.is_(None),
        )
    )


def visible(actor: Actor, stmt: S, kind: str) -> S:
    """Restrict a select over ``kind``'s model to the records the actor may see."""
    stmt = stmt.where(_condition(actor, kind))
    if kind == "person" and actor.role is R.analyst:
        stmt = stmt.where(_analysis_consent())
    return stmt


def ensure_visible(
    session: Session, actor: Actor, kind: str, stmt: Any, what: str = "record"
) -> Any:
    """The one record ``stmt`` selects (or the loaded record ``stmt`` itself), if the actor may
    see it; otherwise 404 (the same answer as "does not exist", so nothing can be learnt about
    other agencies' records)."""
    if not isinstance(stmt, Select):
        model = KINDS[kind].model
        pk = list(model.__table__.primary_key.columns)
        stmt = select(model).where(*(c == getattr(stmt, c.key) for c in pk))
    found = session.scalars(visible(actor, stmt, kind).limit(1)).first()
    if found is None:
        raise NotFound(f"{what} not found")
    return found


# --- field permissions ----------------------------------------------------------------------
def allowed_fields(actor: Actor, kind: str) -> frozenset[str]:
    k = KINDS[kind]
    scope = scope_for(actor, kind)
    if scope is Scope.none:
        return frozenset()
    if actor.role is R.analyst:
        return k.pseudonymous_fields
    if scope is Scope.referred_to:
        return frozenset({"code"})  # the rest only as each referral shared it
    return k.all_fields


def shared_fields(session: Session, actor: Actor, kind: str, record_id: int) -> frozenset[str]:
    """Fields granted to a partner by referrals of this record (empty for everyone else)."""
    if scope_for(actor, kind) is not Scope.referred_to or kind not in _SHARED_FIELDS:
        return frozenset()
    return _SHARED_FIELDS[kind](session, actor, record_id)


def redact(
    actor: Actor, kind: str, data: Mapping[str, T], *, granted: frozenset[str] = frozenset()
) -> dict[str, T]:
    """Keep only the fields the actor may receive. ``granted`` (referral-shared fields) counts
    for partner focal points only: analysts never receive identifiers, whatever is granted."""
    allowed = allowed_fields(actor, kind)
    if scope_for(actor, kind) is Scope.referred_to:
        allowed = allowed | (granted & KINDS[kind].all_fields)
    return {key: value for key, value in data.items() if key in allowed}
