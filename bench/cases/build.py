"""Build a benchmark database of N synthetic cases with bulk inserts (Core executemany).

Persons get only their pseudonymous code and non-identifying facts (no encrypted fields, so no
per-row encryption cost); cases carry the denormalised risk level, phase and deadline the list
filters use. The demo directory, one supervisor and a token come from the normal services.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select, text

from safepath.demo import load_demo
from safepath.demo.cases import GROUPS, THEMES
from safepath.privacy import identity
from safepath.privacy import persons as person_service
from safepath.privacy.person_schema import ConsentIn, PersonIn
from safepath.store import migrate
from safepath.store.db import session_scope
from safepath.store.models import Base, Organisation, Place, Team, User
from safepath.store.models.cases import Case

STATUSES = ["registered", "assessed", "plan_approved", "in_progress", "closure_requested", "closed"]
STATUS_WEIGHTS = [5, 10, 5, 45, 3, 32]
LEVELS = [("none", 1), ("low", 2), ("medium", 3), ("high", 4)]
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHUNK = 20_000
SUPERVISOR = "bench.supervisor"


LOGIN_USERS = 100  # caseworkers who log in at the same moment (the login burst)


@dataclass(frozen=True)
class BenchDb:
    url: str
    token: str
    cases: int
    build_seconds: float
    person: str  # a person registered through the service (name, phone: encrypted), for bursts
    logins: list[tuple[str, str]]  # usernames and passwords of caseworkers (the login burst)


def _code(prefix: str, rng: random.Random) -> str:
    return prefix + "-" + "".join(rng.choice(ALPHABET) for _ in range(10))


Rows = list[dict[str, Any]]


def _rows(
    n: int, org: int, team: int, user: int, places: list[str]
) -> Iterator[tuple[Rows, Rows, Rows]]:
    rng = random.Random(42)
    now = datetime.now(UTC)
    themes = list(THEMES)
    for start in range(0, n, CHUNK):
        persons, cases, areas = [], [], []
        for i in range(start + 1, min(n, start + CHUNK) + 1):
            pcode = rng.choice(places)
            group = rng.choice(GROUPS)
            pc = _code("P", rng)
            created = now - timedelta(days=rng.randint(0, 720), seconds=rng.randint(0, 86400))
            persons.append(
                {
                    "id": i,
                    "code": pc,
                    "organisation_id": org,
                    "team_id": team,
                    "sex": rng.choice(["female", "male"]),
                    "age": rng.randint(1, 80),
                    "population_group": group,
                    "place_pcode": pcode,
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                }
            )
            status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
            level, phase = rng.choice(LEVELS)
            theme = rng.choice(themes)
            due = None if status == "closed" else now + timedelta(hours=rng.randint(-400, 400))
            cases.append(
                {
                    "id": i,
                    "code": _code("CS", rng),
                    "person_id": i,
                    "person_code": pc,
                    "subject": "individual",
                    "organisation_id": org,
                    "team_id": team,
                    "caseworker_id": user,
                    "created_by_user_id": user,
                    "status": status,
                    "thematic_areas": [theme],
                    "gpc_risks": THEMES[theme][0],
                    "population_group": group,
                    "place_pcode": pcode,
                    "risk_level": level,
                    "phase": phase,
                    "next_action_due": due,
                    "plan_status": "approved",
                    "reopened_count": 0,
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                }
            )
            # the area filter's index, written with the case as registry.index_areas does
            areas.append({"case_id": i, "thematic_area": theme})
        yield persons, cases, areas


def build(engine: Engine, n: int, *, log: Any = print) -> BenchDb:
    """Migrate, load the demo directory and ``n`` cases (reused when already there)."""
    t0 = time.perf_counter()
    migrate.upgrade(engine)
    load_demo()
    with session_scope() as s:
        user = s.scalar(select(User).where(User.username == SUPERVISOR))
        if user is None:
            user = identity.add_user(
                s, SUPERVISOR, "supervisor", "demo-agency", secrets.token_urlsafe(16), ["bench"]
            )
        token = identity.issue_token(s, user).token
        org = s.scalar(select(Organisation.id).where(Organisation.code == "demo-agency"))
        team = s.scalar(select(Team.id).where(Team.code == "bench"))
        places = list(s.scalars(select(Place.pcode).where(Place.level == 2)))
        have = s.scalar(select(func.count(Case.id))) or 0
        uid = user.id
    if org is None or team is None:
        raise RuntimeError("the demo agency or the bench team is missing after loading the demo")
    with engine.begin() as conn:  # indexes added to the schema after this database was built
        for index in Base.metadata.tables["cases"].indexes:
            index.create(conn, checkfirst=True)
    if have < n:
        if have:
            raise RuntimeError(f"database has {have} cases, fewer than {n}: use a fresh workdir")
        persons_t = Base.metadata.tables["persons"]
        cases_t = Base.metadata.tables["cases"]
        areas_t = Base.metadata.tables["case_thematic_areas"]
        done = 0
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                conn.execute(text("PRAGMA synchronous=OFF"))
            for persons, cases, areas in _rows(n, org, team, uid, places):
                conn.execute(insert(persons_t), persons)
                conn.execute(insert(cases_t), cases)
                conn.execute(insert(areas_t), areas)
                done += len(cases)
                if done % 200_000 == 0:
                    log(f"  {done:,} cases")
            if engine.dialect.name == "postgresql":
                for table in ("persons", "cases"):
                    conn.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {n})")
                    )
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    # after the bulk rows, whose ids start at 1
    with session_scope() as s:
        user = s.scalars(select(User).where(User.username == SUPERVISOR)).one()
        actor = identity.actor_for(user)
        person = person_service.create(
            s,
            actor,
            PersonIn(
                given_name="Amal",
                family_name="Burst",
                phone="+249 912 000 111",
                consents=[ConsentIn(purpose="case_management")],
            ),
        )["code"]
    logins = _login_users(LOGIN_USERS)
    return BenchDb(
        engine.url.render_as_string(hide_password=False),
        token,
        n,
        time.perf_counter() - t0,
        person,
        logins,
    )


def _login_users(n: int) -> list[tuple[str, str]]:
    """``n`` caseworkers sharing one random password, kept (0600) in the data directory so that
    a reused database does not hash them again."""
    from safepath.settings import PRIVATE_FILE_MODE, get_settings

    secret = get_settings().ensure_data_dir() / "bench-login-password"
    if not secret.exists():
        secret.touch(mode=PRIVATE_FILE_MODE)
        secret.write_text(secrets.token_urlsafe(16))
    password = secret.read_text().strip()
    names = [f"bench.login{i:03d}" for i in range(n)]
    with session_scope() as s:
        have = set(s.scalars(select(User.username).where(User.username.in_(names))))
        for name in names:
            if name not in have:
                identity.add_user(s, name, "caseworker", "demo-agency", password, ["bench"])
    return [(name, password) for name in names]
