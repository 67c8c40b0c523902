"""Identity hygiene: usernames that cannot impersonate, passwords that are not guessable, and
credentials that a disable ends for good."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from tests.privacy.conftest import PASSWORD, TestClient, World

from safepath.errors import Conflict, ValidationFailed
from safepath.privacy import identity
from safepath.store.db import session_scope

STRONG = "quiet orchard 58 lantern"


@pytest.mark.parametrize(
    "name",
    [
        "\u0430dmin",  # Cyrillic a
        "ad\u202emin",  # right-to-left override
        '=HYPERLINK("x")',
        "a",
        "",
        "x" * 41,
        "amal\x00",
    ],
)
def test_unsafe_usernames_are_refused(engine: Engine, name: str) -> None:
    with session_scope() as s, pytest.raises(ValidationFailed):
        identity.add_user(s, name, "caseworker", "agency-a", STRONG)


@pytest.mark.parametrize("name", ["admin ", "ADMIN", "adm1n", "adrnin", "\uff41dmin"])
def test_look_alikes_of_an_existing_user_are_refused(engine: Engine, name: str) -> None:
    with session_scope() as s:
        identity.add_user(s, "admin", "admin", "agency-a", STRONG)
    with session_scope() as s, pytest.raises(Conflict):
        identity.add_user(s, name, "caseworker", "agency-a", STRONG)


def test_usernames_are_stored_normalised_and_found_by_any_case(engine: Engine) -> None:
    with session_scope() as s:
        user = identity.add_user(s, "  Amal.K ", "caseworker", " Agency-A ", STRONG)
        assert user.username == "amal.k"
    with session_scope() as s:
        assert identity.authenticate(s, "AMAL.K", STRONG, None).username == "amal.k"


def test_empty_agency_is_refused(engine: Engine) -> None:
    with session_scope() as s, pytest.raises(ValidationFailed):
        identity.add_user(s, "amal", "caseworker", " ", STRONG)


@pytest.mark.parametrize(
    "password",
    ["12345678", "aaaaaaaaaaaa", "password1234", "amal-is-my-name-2026", "qwertyuiopas", "short"],
)
def test_weak_passwords_are_refused(engine: Engine, password: str) -> None:
    with session_scope() as s, pytest.raises(ValidationFailed):
        identity.add_user(s, "amal", "caseworker", "agency-a", password)


def test_reenabling_a_user_does_not_revive_its_token(client: TestClient, world: World) -> None:
    token = world.token("caseworker")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    with session_scope() as s:
        identity.set_disabled(s, "caseworker.a", True)
    with session_scope() as s:
        identity.set_disabled(s, "caseworker.a", False)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    fresh = client.post(
        "/api/v1/auth/token", data={"username": "caseworker.a", "password": PASSWORD}
    )
    assert fresh.status_code == 200  # the user can sign in again; the old token stays dead
