"""Registering, finding, listing, editing and reassigning cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import and_, bindparam, delete, exists, false, func, insert, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from safepath.cases import access, clock, lifecycle
from safepath.cases.codes import new_code
from safepath.cases.schemas import AssignIn, CaseIn, CaseUpdate
from safepath.errors import (
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Problem,
    ValidationFailed,
)
from safepath.privacy import audit, consent, persons
from safepath.privacy.actor import Actor, Role
from safepath.store import keyset
from safepath.store.models import Organisation, Place, Team, User
from safepath.store.models.cases import SORT_KEYS, Case, CaseThematicArea


def now() -> datetime:
    """The time the services record (the real time, or a replayed past: ``cases.clock``)."""
    return clock.now()


def aware(at: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for timezone-aware columns: they are UTC."""
    if at is None or at.tzinfo is not None:
        return at
    return at.replace(tzinfo=UTC)


def check_version(record: Case | Any, expected: int | None) -> None:
    """If-Match: every write names the version it is based on (none: 428); a write based on an
    older version is refused with 412 naming the current one; nothing is overwritten."""
    kind = type(record).__name__.lower()
    if expected is None:
        raise PreconditionRequired(
            f"send the version of {kind} {record.code} you read (If-Match, or the form's "
            "version): a write without it could overwrite someone else's change"
        )
    if record.version != expected:
        raise PreconditionFailed(
            f"{kind} {record.code} changed since you read it "
            f"(your version {expected}, current {record.version}); reload and try again",
            current_version=record.version,
        )


def flush(session: Session) -> None:
    """Flush now so a concurrent write (version check in the UPDATE) surfaces here: 412, as for a
    stale If-Match, naming the version the other write left (read after rolling back)."""
    seen = [
        (obj, obj.version)
        for obj in session.dirty
        if isinstance(getattr(obj, "version", None), int) and hasattr(obj, "code")
    ]
    try:
        session.flush()
    except StaleDataError as exc:
        session.rollback()
        current: int | None = None
        for obj, had in seen:
            try:
                now_at = int(obj.version)  # expired by the rollback: read again
            except Exception:  # noqa: BLE001 - the row may be gone; then no version to name
                continue
            if now_at != had:
                current = now_at
                break
        raise PreconditionFailed(
            "the record was changed by someone else meanwhile; reload it and try again",
            current_version=current,
        ) from exc


def get_case(session: Session, actor: Actor, code: str, *, for_update: bool = False) -> Case:
    """The case with this code if the actor reaches it; 404 otherwise (no hint it exists)."""
    access.require(actor, access.READ)
    stmt = access.scope_cases(actor, select(Case).where(Case.code == code))
    if for_update:
        stmt = stmt.with_for_update()
    case: Case | None = session.scalars(stmt).first()
    if case is None:
        raise NotFound(f"case {code!r} not found")
    return case


# What a case's view names besides the case: its caseworker's username and its agency's code,
# read in the case's own statement (scalar subqueries on primary keys: the FROM clause, and so
# the plan of the case list, stays as it is) instead of two lookups after.
Names = tuple[str | None, str | None]
_CASEWORKER_NAME = (
    select(User.username).where(User.id == Case.caseworker_id).correlate(Case).scalar_subquery()
)
_AGENCY_CODE = (
    select(Organisation.code)
    .where(Organisation.id == Case.organisation_id)
    .correlate(Case)
    .scalar_subquery()
)


def _with_names(stmt: Any) -> Any:
    return stmt.add_columns(_CASEWORKER_NAME, _AGENCY_CODE)


def read_case(session: Session, actor: Actor, code: str) -> tuple[Case, Names]:
    """``get_case`` with the names its view shows, in one statement."""
    access.require(actor, access.READ)
    if actor.role in access.PARTNER:  # its scope is a hook's: not assumed pure, not cached
        stmt = _with_names(access.scope_cases(actor, select(Case).where(Case.code == code)))
        row = session.execute(stmt).first()
    else:
        key = (actor.role, actor.agency_id, actor.user_id, actor.team_ids)
        row = session.execute(_read_statement(*key), {"code": code}).first()
    if row is None:
        raise NotFound(f"case {code!r} not found")
    return row[0], (row[1], row[2])


@lru_cache(maxsize=512)
def _read_statement(role: Role, agency_id: int, user_id: int, team_ids: frozenset[int]) -> Any:
    """The statement of ``read_case``, built once per scope: the scope condition depends on these
    fields of the actor only (``policy.visible``), and the code is a bound parameter. A cached
    statement also keeps SQLAlchemy's cache key, so it is not rebuilt or re-keyed per request."""
    actor = Actor(user_id=user_id, username="", role=role, agency_id=agency_id, team_ids=team_ids)
    by_code = select(Case).where(Case.code == bindparam("code"))
    return _with_names(access.scope_cases(actor, by_code))


def work_on(
    session: Session, actor: Actor, code: str, action: str, expected_version: int | None
) -> tuple[Case, lifecycle.Status | None]:
    """Load a case for a write by a role that does case work; check version and lifecycle."""
    access.require(actor, roles_for(action))
    case = get_case(session, actor, code)
    return case, check_work(actor, case, action, expected_version)


def check_work(
    actor: Actor, case: Case, action: str, expected_version: int | None
) -> lifecycle.Status | None:
    """The checks of ``work_on`` on a case already loaded (through ``get_case``) by the caller."""
    access.require(actor, roles_for(action))
    check_version(case, expected_version)
    return lifecycle.check(action, case.status)


# lifecycle actions only supervisors take; every other one is open to all case staff
SUPERVISED = frozenset({"approve_plan", "approve_closure", "reject_closure", "reopen", "assign"})


def roles_for(action: str) -> frozenset[Role]:
    """The roles that may take a lifecycle action (``lifecycle.RULES`` key)."""
    return access.SUPERVISE if action in SUPERVISED else access.WORK


CASE_STAFF_ROLES = ("caseworker", "supervisor")  # who a case may be assigned to


def _user(session: Session, actor: Actor, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.organisation_id != actor.agency_id or user.disabled:
        raise ValidationFailed(f"no active caseworker {username!r} in your agency")
    if user.role not in CASE_STAFF_ROLES:
        raise ValidationFailed(f"user {username!r} is a {user.role}, not a caseworker")
    return user


def assignable_caseworkers(session: Session, actor: Actor) -> list[str]:
    """Who a case of the actor's agency may be assigned to (what ``_user`` accepts), by name."""
    return list(
        session.scalars(
            select(User.username)
            .where(
                User.organisation_id == actor.agency_id,
                User.role.in_(CASE_STAFF_ROLES),
                User.disabled.is_(False),
            )
            .order_by(User.username)
        )
    )


def _team(session: Session, actor: Actor, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None or team.organisation_id != actor.agency_id:
        raise ValidationFailed(f"no team {team_id} in your agency")
    return team


def _place(session: Session, pcode: str | None) -> str | None:
    """A P-code of the places table (``None``: none given); empty or unknown: 422 naming it."""
    if pcode is not None and (not pcode.strip() or session.get(Place, pcode) is None):
        message = "place_pcode: " + (
            "must not be empty" if not pcode.strip() else f"unknown place P-code {pcode!r}"
        )
        raise ValidationFailed(
            message, problems=[Problem(message, scope="body", column="place_pcode", value=pcode)]
        )
    return pcode


def create_case(session: Session, actor: Actor, data: CaseIn) -> Case:
    access.require(actor, access.WORK)
    person = persons.resolve(session, actor, data.person_code)
    # The person's facts fill in what the case does not say (a read, audited as such).
    needed = data.population_group is None or data.place_pcode is None
    facts = persons.get(session, actor, data.person_code) if needed else {}
    if not consent.has_consent(session, person.id, "case_management"):
        raise ValidationFailed(
            f"person {person.code} has not consented to case management: record the consent "
            "(purpose case_management) before opening a case"
        )
    caseworker = _user(session, actor, data.caseworker) if data.caseworker else None
    team_id = data.team_id if data.team_id is not None else person.team_id
    if team_id is None and actor.team_ids:
        team_id = min(actor.team_ids)
    if team_id is not None:
        _team(session, actor, team_id)
    stamp = now()
    case = Case(
        code=new_code("CS"),
        person_id=person.id,
        person_code=person.code,
        subject=data.subject,
        household_size=data.household_size,
        organisation_id=actor.agency_id,
        team_id=team_id,
        caseworker_id=caseworker.id if caseworker else actor.user_id,
        created_by_user_id=actor.user_id,
        status=lifecycle.Status.registered,
        thematic_areas=data.thematic_areas,
        gpc_risks=data.gpc_risks,
        population_group=data.population_group or facts.get("population_group"),
        place_pcode=_place(
            session,
            data.place_pcode if data.place_pcode is not None else facts.get("place_pcode"),
        ),
        narrative=data.narrative,
        created_at=stamp,
        updated_at=stamp,
    )
    session.add(case)
    flush(session)
    index_areas(session, case, replace=False)
    audit.record(session, actor, "create", "case", case.code, person_code=person.code)
    return case


def update_case(
    session: Session, actor: Actor, code: str, data: CaseUpdate, expected_version: int | None
) -> Case:
    case, _ = work_on(session, actor, code, "update", expected_version)
    changed = data.model_dump(exclude_unset=True)
    if "place_pcode" in changed:
        _place(session, changed["place_pcode"])
    for name, value in changed.items():
        setattr(case, name, value)
    case.updated_at = now()
    flush(session)
    if "thematic_areas" in changed:
        index_areas(session, case)
    audit.record(
        session, actor, "update", "case", case.code, person_code=case.person_code, fields=changed
    )
    return case


def assign(
    session: Session, actor: Actor, code: str, data: AssignIn, expected_version: int | None
) -> Case:
    """Transfer to another caseworker and/or team of the agency (supervisors)."""
    case, _ = work_on(session, actor, code, "assign", expected_version)
    if data.caseworker is None and data.team_id is None:
        raise ValidationFailed("name a caseworker or a team to assign the case to")
    if data.caseworker is not None:
        case.caseworker_id = _user(session, actor, data.caseworker).id
    if data.team_id is not None:
        case.team_id = _team(session, actor, data.team_id).id
    case.updated_at = now()
    flush(session)
    audit.record(
        session,
        actor,
        "update",
        "case",
        case.code,
        person_code=case.person_code,
        fields=[
            f for f in ("caseworker", "team") if getattr(data, f if f != "team" else "team_id")
        ],
    )
    return case


SORTS = {
    "created_at": Case.created_at,
    "updated_at": Case.updated_at,
    "next_action_due": Case.next_action_due,
    "phase": Case.phase,
    "status": Case.status,
    "code": Case.code,
}
assert set(SORTS) == set(SORT_KEYS)  # each sort order has its index (models.cases)


@dataclass(frozen=True)
class CaseFilter:
    status: str | None = None
    risk_level: str | None = None
    thematic_area: str | None = None
    place: str | None = None  # P-code prefix: XM01 matches XM01 and XM0101..
    caseworker: str | None = None  # username, or "me"
    team_id: int | None = None
    overdue: bool | None = None
    person_code: str | None = None
    person_codes: tuple[str, ...] | None = None  # any of these persons (search results)


def index_areas(session: Session, case: Case, *, replace: bool = True) -> None:
    """Write the case's thematic areas to ``case_thematic_areas`` (the list filter's index), in
    the caller's transaction; ``replace=False`` for a case just created (nothing to delete)."""
    if replace:
        session.execute(delete(CaseThematicArea).where(CaseThematicArea.case_id == case.id))
    areas = list(dict.fromkeys(case.thematic_areas or []))
    if areas:
        session.execute(
            insert(CaseThematicArea), [{"case_id": case.id, "thematic_area": a} for a in areas]
        )


def _filtered(session: Session, actor: Actor, f: CaseFilter) -> Any:
    stmt = access.scope_cases(actor, select(Case))
    if f.status:
        stmt = stmt.where(Case.status == f.status)
    if f.risk_level:
        stmt = stmt.where(Case.risk_level == f.risk_level)
    if f.thematic_area:
        # through the (thematic_area, case_id) index, not a scan of the JSON lists
        stmt = stmt.where(
            exists().where(
                CaseThematicArea.case_id == Case.id,
                CaseThematicArea.thematic_area == f.thematic_area,
            )
        )
    if f.place:
        stmt = stmt.where(Case.place_pcode.like(f"{f.place}%"))
    if f.caseworker:
        if f.caseworker == "me":
            stmt = stmt.where(Case.caseworker_id == actor.user_id)
        else:
            uid = select(User.id).where(User.username == f.caseworker).scalar_subquery()
            stmt = stmt.where(Case.caseworker_id == uid)
    if f.team_id is not None:
        stmt = stmt.where(Case.team_id == f.team_id)
    if f.person_code:
        stmt = stmt.where(Case.person_code == f.person_code)
    if f.person_codes is not None:
        stmt = stmt.where(Case.person_code.in_(f.person_codes))
    if f.overdue and f.status and f.status not in lifecycle.ACTIVE:
        # only active cases are overdue: the answer is empty without reading the status's range
        return stmt.where(false())
    if f.overdue is not None:
        due = Case.next_action_due
        active = Case.status.in_(lifecycle.ACTIVE)
        late = and_(due.is_not(None), due < now(), active)  # NULL-safe: no deadline, not late
        stmt = stmt.where(late if f.overdue else or_(due.is_(None), due >= now(), ~active))
    return stmt


@dataclass(frozen=True)
class CasePage:
    """One page of the case list. ``next``/``previous``: sealed cursors (``store.keyset``) of the
    pages after and before, ``None`` at either end. ``total``: the number of matching cases, only
    when asked for; with a cap, at most ``cap + 1`` (``total_capped``: there are more)."""

    items: list[Case]
    next: str | None
    previous: str | None
    total: int | None = None
    total_capped: bool = False
    names: dict[int, Names] = field(default_factory=dict)  # by case id (``read_case``)


def sort_key(sort: str) -> str:
    """The column of ``sort`` (``-`` first: descending); 422 naming the parameter otherwise."""
    key = sort.lstrip("-")
    if key not in SORTS:
        message = f"sort: cannot sort by {key!r}; use one of {', '.join(sorted(SORTS))}"
        raise ValidationFailed(
            message, problems=[Problem(message, scope="query", column="sort", value=sort)]
        )
    return key


def list_cases(
    session: Session,
    actor: Actor,
    f: CaseFilter,
    *,
    sort: str = "-updated_at",
    limit: int = 50,
    offset: int = 0,
    cursor: str | None = None,
    with_total: bool = False,
    total_cap: int | None = None,
) -> CasePage:
    """A page of the cases matching ``f`` in the order ``sort`` (ties by id, the same way, so
    one index serves the ORDER BY): from ``cursor`` (keyset: after the last row of the page it
    came from) or from ``offset`` (kept for old clients; bounded by the API), never both."""
    access.require(actor, access.READ)
    key = sort_key(sort)
    if cursor is not None and offset:
        message = "offset: give either a cursor or an offset, not both"
        raise ValidationFailed(
            message, problems=[Problem(message, scope="query", column="offset", value=offset)]
        )
    col = SORTS[key]
    desc = sort.startswith("-")
    stmt = _filtered(session, actor, f)
    total: int | None = None
    capped = False
    if with_total:
        counted = stmt if total_cap is None else stmt.limit(total_cap + 1)
        total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
        capped = total_cap is not None and total > total_cap
    pos = keyset.unseal(cursor, sort) if cursor is not None else None
    page = stmt
    if pos is not None:
        nulls_low = keyset.nulls_sort_low(session.get_bind().dialect.name)
        page = page.where(keyset.beyond(col, Case.id, pos, descending=desc, nulls_low=nulls_low))
    backward = pos is not None and pos.backward
    walk_desc = desc != backward  # a backward page is read in reverse, then turned round
    order = (col.desc(), Case.id.desc()) if walk_desc else (col.asc(), Case.id.asc())
    page = page.order_by(*order).limit(limit + 1)
    if offset:
        page = page.offset(offset)
    found = session.execute(_with_names(page)).all()
    names: dict[int, Names] = {r[0].id: (r[1], r[2]) for r in found}
    rows = [r[0] for r in found]
    more = len(rows) > limit
    rows = rows[:limit]
    if backward:
        rows.reverse()

    def at(row: Case, back: bool) -> str:
        return keyset.seal(keyset.Position(sort, getattr(row, key), row.id, back))

    # pages further on: rows beyond this one (read ahead), or, walking back, the page we came from
    has_next = (more if not backward else True) and bool(rows)
    has_prev = bool(rows) and (more if backward else (pos is not None or offset > 0))
    return CasePage(
        items=rows,
        next=at(rows[-1], False) if has_next else None,
        previous=at(rows[0], True) if has_prev else None,
        total=total,
        total_capped=capped,
        names=names,
    )


OverdueBy = Literal["caseworker", "team", "agency"]


def overdue_summary(session: Session, actor: Actor, by: OverdueBy) -> list[dict[str, Any]]:
    """How many active cases are past their next-action deadline, per caseworker/team/agency."""
    access.require(actor, access.WORK | {access.R.dp_focal_point})
    col = {
        "caseworker": Case.caseworker_id,
        "team": Case.team_id,
        "agency": Case.organisation_id,
    }[by]
    base = access.scope_cases(actor, select(col, func.count(Case.id)))
    stmt = base.where(Case.next_action_due < now(), Case.status.in_(lifecycle.ACTIVE)).group_by(col)
    counts = dict(session.execute(stmt).all())
    names: dict[Any, str | None] = {}
    if by == "caseworker" and counts:
        names = dict(
            session.execute(select(User.id, User.username).where(User.id.in_(counts))).all()
        )
    elif by == "team" and counts:
        names = dict(session.execute(select(Team.id, Team.code).where(Team.id.in_(counts))).all())
    else:
        from safepath.store.models import Organisation

        names = dict(
            session.execute(
                select(Organisation.id, Organisation.code).where(Organisation.id.in_(counts))
            ).all()
        )
    rows = [{by: names.get(k, k), "overdue": n} for k, n in counts.items()]
    return sorted(rows, key=lambda r: (-r["overdue"], str(r[by])))
