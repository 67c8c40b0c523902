"""Fixtures for the complaint tests: one user per role in agency A (the PSEA focal point among
them), a caseworker of agency B, a few places, and an API client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.privacy.conftest import add_one_user_per_role

from safepath.directory import OrganisationIn, upsert_organisation
from safepath.privacy.actor import Actor
from safepath.privacy.keys import reset_keyring
from safepath.settings import reset_settings
from safepath.store.db import session_scope
from safepath.store.models import Place

PASSWORD = "tern lagoon 123 quartz"
AGENCY_A = "agency-a"
AGENCY_B = "agency-b"
PLACES = (("XM", 0, None), ("XM01", 1, "XM"), ("XM0101", 2, "XM01"), ("XM0102", 2, "XM01"))


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_MEMORY_KIB", "1024")
    reset_settings()
    reset_keyring()
    yield
    reset_settings()
    reset_keyring()


@dataclass
class People:
    actors: dict[str, Actor] = field(default_factory=dict)  # role value, or "other_agency"
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, who: str, version: int | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        return headers


@pytest.fixture
def people(engine: Engine) -> People:
    out = People()
    with session_scope() as s:
        upsert_organisation(s, OrganisationIn(code=AGENCY_A, name="Agency A", kind="agency"))
        for pcode, level, parent in PLACES:
            s.add(Place(pcode=pcode, level=level, parent_pcode=parent, country="XMR", name=pcode))
        add_one_user_per_role(s, PASSWORD, out.actors, out.tokens)
    return out


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    from tests.apps import shared_app

    with TestClient(shared_app()) as c:
        yield c
