"""The API under schemathesis: generated requests, valid and invalid, to every operation of the
OpenAPI schema, in-process (ASGI), as a caseworker and as an admin of the demo agency.

Every answer must be no server error, a status code the operation documents, the content type it
documents and, where one is documented, a body of that schema. Half of the generated record codes
are swapped for codes that exist, so the requests reach the services rather than stop at 404.

Bounded by default: the schema's examples and a few generated requests per operation, from a
fixed seed (the same requests every run). A deeper search adds schemathesis' coverage phase (every
boundary and type variation of each parameter: some 2,500 requests, a few minutes) and more
examples, from another seed::

    SAFEPATH_FUZZ_COVERAGE=1 SAFEPATH_FUZZ_EXAMPLES=50 SAFEPATH_FUZZ_SEED=7 \\
        pytest tests/api/test_schemathesis.py
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select
from tests.apps import shared_app

from safepath.demo import load_demo
from safepath.demo.cases import load_demo_cases
from safepath.privacy import identity
from safepath.privacy.demo import demo_password, ensure_demo_users
from safepath.privacy.keys import reset_keyring
from safepath.settings import reset_settings
from safepath.store.db import session_scope
from safepath.store.models import Place
from safepath.store.models.cases import Case, Referral
from safepath.store.models.persons import Person

EXAMPLES = int(os.environ.get("SAFEPATH_FUZZ_EXAMPLES", "4"))
# PostgreSQL refuses what SQLite takes (NUL characters, out-of-range numbers, strict types): a
# shorter run there by default, as deep as SQLite's when asked for
PG_EXAMPLES = int(os.environ.get("SAFEPATH_FUZZ_EXAMPLES", "2"))
COVERAGE = os.environ.get("SAFEPATH_FUZZ_COVERAGE") == "1"
SEED = int(os.environ.get("SAFEPATH_FUZZ_SEED", "20250611"))
USERS = ("caseworker", "admin")
CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@dataclass
class Fuzz:
    tokens: dict[str, str]
    codes: dict[str, list[str]] = field(default_factory=dict)  # path parameter -> real values


def _codes() -> dict[str, list[str]]:
    with session_scope() as s:
        return {
            "/cases/{code}": list(s.scalars(select(Case.code).order_by(Case.id).limit(8))),
            "/persons/{code}": list(s.scalars(select(Person.code).order_by(Person.id).limit(8))),
            "/referrals/{code}": list(
                s.scalars(select(Referral.code).order_by(Referral.id).limit(4))
            ),
            "/places/{pcode}": list(s.scalars(select(Place.pcode).order_by(Place.pcode).limit(4))),
        }


@pytest.fixture
def fuzz_app(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Fuzz]]:
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("SAFEPATH_PASSWORD_HASH_MEMORY_KIB", "1024")
    reset_settings()
    reset_keyring()
    load_demo()
    with session_scope() as s:
        ensure_demo_users(s)
    with session_scope() as s:
        load_demo_cases(s, 12)
    app = shared_app()
    with TestClient(app) as client:  # tokens from the token endpoint, as a client gets them
        tokens = {}
        for user in USERS:
            r = client.post(
                "/api/v1/auth/token", data={"username": user, "password": demo_password(user)}
            )
            assert r.status_code == 200, r.text
            tokens[user] = r.json()["access_token"]
    yield app, Fuzz(tokens=tokens, codes=_codes())
    reset_settings()
    reset_keyring()


@pytest.fixture
def fuzz(fuzz_app: tuple[Any, Fuzz]) -> Fuzz:
    return fuzz_app[1]


@pytest.fixture
def api_schema(fuzz_app: tuple[Any, Fuzz], db_url: str) -> Any:
    examples = PG_EXAMPLES if db_url.startswith("postgresql") else EXAMPLES
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {"mode": "all", "max-examples": examples, "database": "none"},
            "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": COVERAGE}},
            "suppress-health-check": ["all"],
        }
    )
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", fuzz_app[0], config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    # schemathesis 4.32 renames the running item through ``node._nodeid``, which pytest 9.2
    # replaced by ``node._id``: give it the attribute it reads (nodes keep a ``__dict__``).
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


def _real_code(fuzz: Fuzz, path: str, generated: str) -> str | None:
    """A real code for half of the generated ones (chosen from the generated value, so the
    same example always maps to the same code)."""
    for prefix, codes in fuzz.codes.items():
        if path.startswith(f"/api/v1{prefix}") and codes:
            digest = hashlib.sha256(generated.encode("utf-8", "surrogatepass")).digest()
            if digest[0] % 2 == 0:
                return codes[digest[1] % len(codes)]
    return None


@schema.parametrize()
def test_api_answers_as_documented(case: schemathesis.Case[Any], fuzz: Fuzz) -> None:
    params = case.path_parameters or {}
    for name in ("code", "pcode"):
        value = params.get(name)
        if isinstance(value, str):
            real = _real_code(fuzz, case.operation.path, value)
            if real is not None:
                params[name] = real
    for user in USERS:
        token = fuzz.tokens[user]
        if case.operation.path == "/api/v1/auth/revoke":
            token = _fresh_token(user)  # revoking must not sign the run out
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


def _fresh_token(username: str) -> str:
    with session_scope() as s:
        user = identity.find_user(s, username)
        assert user is not None
        return identity.issue_token(s, user).token
