"""Fixtures for the data-protection tests: fast password hashing, a populated world of users
(one per role in agency A, a caseworker in agency B, a partner) and an API client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient as TestClient  # re-exported to the tests
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from safepath.privacy import identity
from safepath.privacy.actor import Actor, Role
from safepath.privacy.keys import reset_keyring
from safepath.settings import reset_settings
from safepath.store.db import session_scope

PASSWORD = "correct horse battery"
AGENCY_A = "agency-a"
AGENCY_B = "agency-b"


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # argon2id stays argon2id; only its cost is lowered so the suite stays fast.
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_MEMORY_KIB", "1024")
    reset_settings()
    reset_keyring()
    yield
    reset_settings()
    reset_keyring()


@dataclass
class World:
    actors: dict[str, Actor] = field(default_factory=dict)  # key: role value, or "other_agency"
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def token(self, who: str) -> str:
        """A fresh token for ``who`` (a role value or "other_agency")."""
        with session_scope() as s:
            user = identity.find_user(s, self.actors[who].username)
            return identity.issue_token(s, user).token


def add_one_user_per_role(
    s: Session, password: str, actors: dict[str, Actor], tokens: dict[str, str]
) -> None:
    """``<role>.a`` for every role (the partner in legal-aid, the rest in agency A) and a
    caseworker of agency B (key "other_agency"), each with an actor and a token."""
    for role in Role:
        agency = "legal-aid" if role is Role.partner_focal_point else AGENCY_A
        user = identity.add_user(s, f"{role.value}.a", role, agency, password, ["team-1"])
        actors[role.value] = identity.actor_for(user)
        tokens[role.value] = identity.issue_token(s, user).token
    other = identity.add_user(s, "caseworker.b", Role.caseworker, AGENCY_B, password, ["t"])
    actors["other_agency"] = identity.actor_for(other)
    tokens["other_agency"] = identity.issue_token(s, other).token


@pytest.fixture
def world(engine: Engine) -> World:
    w = World()
    with session_scope() as s:
        add_one_user_per_role(s, PASSWORD, w.actors, w.tokens)
    return w


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    from tests.apps import shared_app

    with TestClient(shared_app()) as c:
        yield c
