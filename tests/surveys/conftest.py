"""The surveys API tests' client (a real app on the test database) and bearer tokens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from safepath.privacy import identity
from safepath.privacy.actor import Role
from safepath.settings import reset_settings
from safepath.store.db import session_scope

PASSWORD = "tern lagoon 123 quartz"


@pytest.fixture
def client(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_MEMORY_KIB", "1024")
    reset_settings()
    from tests.apps import shared_app

    with TestClient(shared_app()) as c:
        yield c


def bearer(role: Role) -> dict[str, str]:
    """A user of agency A with ``role``, and the Authorization header of a token for them."""
    with session_scope() as s:
        user = identity.add_user(s, f"{role.value}.x", role, "agency-a", PASSWORD, ["t"])
        return {"Authorization": f"Bearer {identity.issue_token(s, user).token}"}
