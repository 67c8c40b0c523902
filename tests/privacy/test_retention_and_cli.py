"""Retention (dry run, then apply), demo users, and the users CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, func, select, update
from tests.privacy.conftest import World
from typer.testing import CliRunner

from safepath.cli import main
from safepath.privacy import identity, persons, retention
from safepath.privacy.demo import ensure_demo_users
from safepath.privacy.person_schema import PersonIn
from safepath.store.db import session_scope
from safepath.store.models import ApiToken, Organisation, User
from safepath.store.models.persons import Person

NO_HOLDS = {"persons_held_open_case": 0, "complaints": 0}  # no case, no closed complaint


@dataclass
class Ran:
    returncode: int
    stdout: str


def cli(*args: str) -> Ran:
    """Run a CLI command in-process (the subprocess path is covered by the audit tests)."""
    if not main.app.registered_groups:
        main._register()
    result = CliRunner().invoke(main.app, list(args))
    return Ran(result.exit_code, result.stdout)


def test_retention_dry_run_then_apply(world: World) -> None:
    actor = world.actors["caseworker"]
    with session_scope() as s:
        old = persons.create(s, actor, PersonIn(given_name="Old", phone="+1 202 555 0101"))
        persons.create(s, actor, PersonIn(given_name="Recent"))
        s.execute(
            update(Person)
            .where(Person.code == old["code"])
            .values(updated_at=identity.now() - timedelta(days=6 * 365))
        )
        s.execute(
            update(ApiToken)
            .where(ApiToken.id == 1)
            .values(expires_at=identity.now() - timedelta(days=1))
        )
    with session_scope() as s:
        assert retention.run(s) == {"persons": 1, "expired_credentials": 1, **NO_HOLDS}
    with session_scope() as s:  # the dry run changed nothing
        assert retention.run(s) == {"persons": 1, "expired_credentials": 1, **NO_HOLDS}
    with session_scope() as s:
        assert retention.run(s, apply=True) == {"persons": 1, "expired_credentials": 1, **NO_HOLDS}
    with session_scope() as s:
        assert retention.run(s) == {"persons": 0, "expired_credentials": 0, **NO_HOLDS}
        gone = s.scalar(select(Person).where(Person.code == old["code"]))
        assert gone is not None and gone.given_name is None and gone.anonymised_at is not None
        assert persons.search(s, actor, "+1 202 555 0101")["total"] == 0
        assert persons.search(s, actor, "Recent")["total"] == 1


def test_retention_cli_reports_counts(engine: Engine) -> None:
    r = cli("retention", "run")
    assert r.returncode == 0, r.stdout
    assert "persons: 0 would anonymise" in r.stdout


def test_demo_users_one_per_role_idempotent(engine: Engine) -> None:
    with session_scope() as s:
        first = ensure_demo_users(s)
    with session_scope() as s:
        second = ensure_demo_users(s)
        assert s.scalar(select(func.count()).select_from(User)) == len(first) == 9
        partner = s.scalar(select(Organisation).where(Organisation.code == "legal-aid"))
        assert partner is not None and partner.kind == "partner"
    assert first == second
    assert {role for _, _, role, _ in first} == {
        "admin",
        "dp_focal_point",
        "supervisor",
        "caseworker",
        "analyst",
        "partner_focal_point",
        "auditor",
        "psea_focal_point",
    }
    username, password, _, _ = first[3]
    with session_scope() as s:
        assert identity.authenticate(s, username, password, None).username == username


def test_users_cli(engine: Engine) -> None:
    r = cli(
        "users",
        "add",
        "--username",
        "amal",
        "--role",
        "caseworker",
        "--agency",
        "irc-x",
        "--password",
        "long enough pw",
        "--team",
        "east",
    )
    assert r.returncode == 0, r.stdout
    assert (
        cli(
            "users",
            "add",
            "--username",
            "amal",
            "--role",
            "analyst",
            "--agency",
            "irc-x",
            "--password",
            "long enough pw",
        ).returncode
        != 0
    )
    assert (
        cli(
            "users",
            "add",
            "--username",
            "short",
            "--role",
            "analyst",
            "--agency",
            "irc-x",
            "--password",
            "short",
        ).returncode
        != 0
    )
    listed = cli("users", "list", "--format", "csv")
    assert listed.stdout.splitlines() == [
        "username,role,agency,teams,disabled",
        "amal,caseworker,irc-x,east,False",
    ]
    assert "argon2" not in listed.stdout
    assert cli("users", "disable", "amal").returncode == 0
    assert (
        cli("users", "reset-password", "amal", "--password", "another long pass phrase").returncode
        == 0
    )
    with session_scope() as s:
        user = identity.find_user(s, "amal")
        assert user.disabled and identity.verify_password(
            user.password_hash, "another long pass phrase"
        )
        org = s.scalar(select(Organisation).where(Organisation.code == "irc-x"))
        assert org is not None and org.kind == "agency"
