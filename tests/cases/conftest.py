"""Fixtures for the case tests: the demo directory (places, organisations, services), staff of
the demo agency, a partner focal point, a caseworker of another agency, and an API client."""

from __future__ import annotations

import random
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine

from safepath.demo import load_demo
from safepath.demo.cases import synthetic_answers
from safepath.privacy import identity
from safepath.privacy.actor import Actor
from safepath.privacy.keys import reset_keyring
from safepath.settings import reset_settings
from safepath.store.db import session_scope

with warnings.catch_warnings():
    # Starlette deprecates its TestClient on httpx in favour of httpx2 (not in our pinned set).
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient as TestClient  # re-exported to the tests

PASSWORD = "correct horse battery"
USERS = {
    # key: (username, role, agency, teams)
    "caseworker": ("cw.demo", "caseworker", "demo-agency", ["team-north"]),
    "caseworker2": ("cw2.demo", "caseworker", "demo-agency", ["team-south"]),
    "supervisor": ("sup.demo", "supervisor", "demo-agency", ["team-north"]),
    "dp": ("dp.demo", "dp_focal_point", "demo-agency", []),
    "analyst": ("analyst.demo", "analyst", "demo-agency", []),
    "admin": ("admin.demo", "admin", "demo-agency", []),
    "partner": ("fp.legal", "partner_focal_point", "legal-aid", []),
    "partner_other": ("fp.health", "partner_focal_point", "health-net", []),
    "other_agency": ("cw.other", "caseworker", "other-agency", ["t"]),
}


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
class Staff:
    actors: dict[str, Actor] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, who: str, version: int | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        return headers

    def fresh(self, client: TestClient, who: str, record: str) -> dict[str, str]:
        """``who``'s headers for a write on ``record`` (its URL) with If-Match naming the version
        ``who`` reads now; without one when ``who`` cannot read it (the write is refused first)."""
        r = client.get(record, headers=self.auth(who))
        etag = r.headers.get("ETag", "").strip('"')
        return (
            self.auth(who, int(etag)) if r.status_code == 200 and etag.isdigit() else self.auth(who)
        )


@pytest.fixture
def staff(engine: Engine) -> Staff:
    load_demo()
    out = Staff()
    with session_scope() as s:
        for key, (username, role, agency, teams) in USERS.items():
            user = identity.add_user(s, username, role, agency, PASSWORD, teams)
            out.actors[key] = identity.actor_for(user)
            out.tokens[key] = identity.issue_token(s, user).token
    return out


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    from tests.apps import shared_app

    with TestClient(shared_app()) as c:
        yield c


def answers(severity: float, pcode: str = "XM0101", seed: int = 7) -> dict[str, Any]:
    """A valid screening submission of the given severity (deterministic)."""
    return synthetic_answers(
        random.Random(seed), pcode, severity, age=34, sex="female", group="migrant"
    )


def new_person(
    client: TestClient,
    staff: Staff,
    consents: tuple[str, ...] = ("case_management", "referral_sharing"),
) -> str:
    r = client.post(
        "/api/v1/persons",
        json={
            "given_name": "Amina",
            "family_name": "Testperson",
            "sex": "female",
            "age": 34,
            "population_group": "migrant",
            "place_pcode": "XM0101",
            "consents": [{"purpose": p} for p in consents],
        },
        headers=staff.auth("caseworker"),
    )
    assert r.status_code == 201, r.text
    code: str = r.json()["code"]
    return code


def new_case(client: TestClient, staff: Staff, person: str, **extra: Any) -> dict[str, Any]:
    body = {"person_code": person, "thematic_areas": ["gbv"], "gpc_risks": ["gbv"], **extra}
    r = client.post("/api/v1/cases", json=body, headers=staff.auth("caseworker"))
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data
